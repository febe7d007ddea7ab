//! The Settings pages: `/admin/settings/<kind>/<action>` for stores, locales, currencies,
//! countries, tax rates and tax sets. One set of handlers for all six, generic over
//! [`Setting`]; each kind's fields and checks live with its record in `shop::records`.
//! Deleting asks the sections through `host.usage` first (`shop::usage`).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::dispatch::admin_caller;
use super::error::{AppError, AppResult};
use super::input::{Input, Params};
use super::record;
use super::view::PageCtx;
use crate::acl::Granted;
use crate::shop::records::{Country, Currency, Locale, Setting, Store, TaxRate, TaxSet};
use crate::shop::usage;
use crate::state::AppState;

/// The tabs every Settings page shows: `(controller, title)`.
const TABS: [(&str, &str); 6] = [
    (Store::CONTROLLER, Store::TITLE),
    (Locale::CONTROLLER, Locale::TITLE),
    (Currency::CONTROLLER, Currency::TITLE),
    (Country::CONTROLLER, Country::TITLE),
    (TaxRate::CONTROLLER, TaxRate::TITLE),
    (TaxSet::CONTROLLER, TaxSet::TITLE),
];

pub fn router() -> Router<AppState> {
    kind::<Store>()
        .merge(kind::<Locale>())
        .merge(kind::<Currency>())
        .merge(kind::<Country>())
        .merge(kind::<TaxRate>())
        .merge(kind::<TaxSet>())
}

fn kind<S: Setting>() -> Router<AppState> {
    let base = base::<S>();
    Router::new()
        .route(&format!("{base}/index"), get(index::<S>))
        .route(
            &format!("{base}/create"),
            get(create_form::<S>).post(create::<S>),
        )
        .route(&format!("{base}/edit"), get(edit_form::<S>).post(edit::<S>))
        .route(&format!("{base}/delete"), post(delete::<S>))
}

fn base<S: Setting>() -> String {
    format!("/admin/settings/{}", S::CONTROLLER)
}

/// What the templates see of a kind: its place among the tabs and its texts.
#[derive(Serialize)]
struct KindPage {
    base: String,
    controller: &'static str,
    title: &'static str,
    intro: &'static str,
    label: &'static str,
    tabs: Vec<(&'static str, &'static str)>,
}

fn kind_page<S: Setting>() -> KindPage {
    KindPage {
        base: base::<S>(),
        controller: S::CONTROLLER,
        title: S::TITLE,
        intro: S::INTRO,
        label: S::KIND.label(),
        tabs: TABS.to_vec(),
    }
}

async fn index<S: Setting>(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
) -> AppResult<Response> {
    let ctx = state.shop().current().await?;
    let rows: Vec<_> = S::all(&ctx)
        .iter()
        .map(|r| json!({ "code": r.code(), "fields": S::fields(Some(r), &ctx) }))
        .collect();
    let data = json!({
        "kind": kind_page::<S>(),
        "columns": S::fields(None, &ctx),
        "rows": rows,
        "items": S::all(&ctx),
    });
    page.render("backoffice/settings/index.html", S::TITLE, data)
}

/// The form page of a new record (`record` none) or of `record`.
async fn form_page<S: Setting>(
    state: &AppState,
    page: &PageCtx,
    record: Option<&S>,
) -> AppResult<Response> {
    let ctx = state.shop().current().await?;
    let title = match record {
        Some(r) => format!("{} {}", S::KIND.label(), r.code()),
        None => format!("New {}", S::KIND.label()),
    };
    let data = json!({
        "kind": kind_page::<S>(),
        "code": record.map(|r| r.code()),
        "fields": S::fields(record, &ctx),
        "item": record,
    });
    page.render("backoffice/settings/form.html", &title, data)
}

async fn create_form<S: Setting>(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
) -> AppResult<Response> {
    form_page::<S>(&state, &page, None).await
}

#[derive(Debug, Deserialize)]
struct Code {
    code: String,
}

/// The record `code` of `S`, or 404.
async fn find<S: Setting>(state: &AppState, code: &str) -> AppResult<S> {
    let ctx = state.shop().current().await?;
    S::all(&ctx)
        .iter()
        .find(|r| r.code() == code)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("There is no {} {code}.", S::KIND.label())))
}

async fn edit_form<S: Setting>(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<Code>,
) -> AppResult<Response> {
    let record = find::<S>(&state, &q.code).await?;
    form_page::<S>(&state, &page, Some(&record)).await
}

async fn create<S: Setting>(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<S::Form>,
) -> AppResult<Response> {
    let record: S = state.shop().save(form, None, state.now()).await?;
    saved(&state, &page, &granted, &record, "created").await
}

async fn edit<S: Setting>(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Params(q): Params<Code>,
    Input(form): Input<S::Form>,
) -> AppResult<Response> {
    let record: S = state.shop().save(form, Some(&q.code), state.now()).await?;
    saved(&state, &page, &granted, &record, "updated").await
}

/// Audits a saved record and answers with its page.
async fn saved<S: Setting>(
    state: &AppState,
    page: &PageCtx,
    granted: &Granted,
    saved: &S,
    done: &str,
) -> AppResult<Response> {
    let label = S::KIND.label();
    let detail = serde_json::to_string(saved).unwrap_or_default();
    let (action, target) = (
        format!("{}.{done}", S::KIND.key()),
        format!("{label} {}", saved.code()),
    );
    record(state, page, granted, &action, &target, &detail).await?;
    Ok(page.done(
        &format!("{}/edit?code={}", base::<S>(), saved.code()),
        &format!("The {label} {} has been {done}.", saved.code()),
        json!({ "item": saved }),
    ))
}

async fn delete<S: Setting>(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<Code>,
) -> AppResult<Response> {
    find::<S>(&state, &form.code).await?;
    let caller = admin_caller(&granted, &page);
    let sections = usage::of(state.plugins().calls(), &caller, S::KIND.key(), &form.code).await?;
    state
        .shop()
        .delete::<S>(&form.code, usage::phrases(&sections))
        .await?;
    let label = S::KIND.label();
    let (action, target) = (
        format!("{}.deleted", S::KIND.key()),
        format!("{label} {}", form.code),
    );
    record(&state, &page, &granted, &action, &target, "").await?;
    Ok(page.done(
        &format!("{}/index", base::<S>()),
        &format!("The {label} {} has been deleted.", form.code),
        json!({}),
    ))
}
