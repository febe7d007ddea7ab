//! Static files of themes: `/themes/<theme>/static/<path>` (looked up through the theme chain)
//! and `/themes/<theme>/vars.css` (the theme's variables as CSS custom properties). Anyone may
//! fetch them, except the files of a studio theme's draft, served only to a preview of it. A
//! request carrying the current `?v=<hash>` is cacheable for a year (the URL changes with the
//! content); any other must be revalidated.

use axum::Extension;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::error::{AppError, AppResult};
use super::look::Look;
use crate::state::AppState;
use crate::themes::{assets, paths};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/themes/{theme}/vars.css", get(vars_css))
        .route("/themes/{theme}/static/{*path}", get(static_file))
}

fn not_found() -> AppError {
    AppError::not_found("There is no such theme file.")
}

/// A studio theme's draft (`<name>@draft`) is served only to the request previewing it (the
/// look middleware honours a preview for users allowed to preview); any other theme to anyone.
fn visible(theme: &str, look: Option<&Extension<Look>>) -> bool {
    let draft = theme.ends_with(crate::themes::studio::DRAFT_SUFFIX);
    !draft || look.is_some_and(|l| l.preview && l.theme == theme)
}

async fn static_file(
    State(state): State<AppState>,
    Path((theme, path)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    look: Option<Extension<Look>>,
) -> AppResult<Response> {
    if !paths::is_theme_name(crate::themes::studio::published_name(&theme))
        || !visible(&theme, look.as_ref())
    {
        return Err(not_found());
    }
    let snapshot = state.templates().snapshot();
    let env = snapshot.envs.get(&theme).ok_or_else(not_found)?;
    let file = assets::find(env, &path).map_err(|_| not_found())?;
    Ok(reply(
        file.content_type,
        &file.hash,
        query.as_deref(),
        file.bytes,
    ))
}

async fn vars_css(
    State(state): State<AppState>,
    Path(theme): Path<String>,
    RawQuery(query): RawQuery,
    look: Option<Extension<Look>>,
) -> AppResult<Response> {
    if !state.templates().has_theme(&theme) || !visible(&theme, look.as_ref()) {
        return Err(not_found());
    }
    let settings = state.templates().settings().get(state.db()).await?;
    let values = state
        .templates()
        .variable_values(&theme, settings.values_of(&theme));
    let (css, hash) = assets::vars_css(&values);
    Ok(reply(
        "text/css; charset=utf-8",
        &hash,
        query.as_deref(),
        css.into_bytes(),
    ))
}

fn reply(content_type: &'static str, hash: &str, query: Option<&str>, body: Vec<u8>) -> Response {
    let current =
        form_urlencoded::parse(query.unwrap_or("").as_bytes()).any(|(k, v)| k == "v" && v == hash);
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let etag =
        HeaderValue::from_str(&format!("\"{hash}\"")).unwrap_or(HeaderValue::from_static("\"\""));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}
