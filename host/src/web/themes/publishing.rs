//! Publishing a studio theme: the draft becomes a new live version (`themes/themes/publish`),
//! any earlier version can be put back (`publish/rollback`, the same right: it changes what
//! is live), and the versions page lists every version with its author, time and diff.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::super::error::AppResult;
use super::super::input::{Input, Params};
use super::super::view::PageCtx;
use super::{Change, author, studio_theme};
use crate::acl::Granted;
use crate::state::AppState;
use crate::themes::studio::store;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/themes/themes/publish", post(publish))
        .route("/admin/themes/themes/publish/rollback", post(rollback))
        .route("/admin/themes/themes/versions", get(versions))
}

fn versions_url(theme: &str) -> String {
    format!("/admin/themes/themes/versions?theme={theme}")
}

#[derive(Debug, Deserialize)]
struct PublishForm {
    theme: String,
    #[serde(default)]
    note: String,
}

async fn publish(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<PublishForm>,
) -> AppResult<Response> {
    let theme = studio_theme(&state, &form.theme).await?;
    let note: String = form.note.trim().chars().take(500).collect();
    let version = store::publish(state.db(), &theme, &author(&granted), &note, state.now()).await?;
    let detail = &format!("version {version}");
    Change::new(&state, &page, &granted)
        .made("theme.published", &theme, detail)
        .await?;
    Ok(page.done(
        &versions_url(&theme),
        &format!("Version {version} of {theme} is live."),
        json!({ "theme": theme, "version": version }),
    ))
}

#[derive(Debug, Deserialize)]
struct RollbackForm {
    theme: String,
    version: i64,
}

async fn rollback(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<RollbackForm>,
) -> AppResult<Response> {
    let theme = studio_theme(&state, &form.theme).await?;
    let version = store::rollback(
        state.db(),
        &theme,
        form.version,
        &author(&granted),
        state.now(),
    )
    .await?;
    let detail = &format!("to version {} as version {version}", form.version);
    Change::new(&state, &page, &granted)
        .made("theme.rolled-back", &theme, detail)
        .await?;
    Ok(page.done(
        &versions_url(&theme),
        &format!(
            "{theme} is back to the files of version {}, live as version {version}.",
            form.version
        ),
        json!({ "theme": theme, "version": version, "restored": form.version }),
    ))
}

#[derive(Debug, Deserialize)]
struct ThemeQuery {
    theme: Option<String>,
}

async fn versions(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<ThemeQuery>,
) -> AppResult<Response> {
    let theme = studio_theme(&state, q.theme.as_deref().unwrap_or_default()).await?;
    let published = store::find(state.db(), &theme).await?.flatten();
    let versions = store::versions(state.db(), &theme).await?;
    page.render(
        "backoffice/themes/versions.html",
        &format!("Theme {theme}: versions"),
        json!({ "theme": theme, "published": published, "versions": versions }),
    )
}
