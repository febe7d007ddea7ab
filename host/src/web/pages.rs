//! Small host pages: the dashboard shell and the audit log.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

use super::error::AppResult;
use super::input::{Paging, Params};
use super::view::PageCtx;
use crate::acl::Granted;
use crate::state::AppState;
use crate::{audit, users, validate};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/dashboard/index/index", get(dashboard))
        .route("/admin/audit/log/index", get(audit_log))
}

async fn dashboard(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
) -> AppResult<Response> {
    let data = minijinja::context! {
        greeting => granted.principal().user.name,
        users => users::count(state.db()).await?,
        widgets => super::widgets::dashboard(&state, &granted, &page).await,
    };
    page.render("backoffice/dashboard.html", "Dashboard", data)
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    action: Option<String>,
    page: Option<i64>,
}

async fn audit_log(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<AuditQuery>,
) -> AppResult<Response> {
    let action = validate::optional_text("Action", q.action.as_deref().unwrap_or(""), 100)?;
    let paging = Paging::new(q.page, 50);
    let (entries, total) =
        audit::list(state.db(), &action, paging.per_page, paging.offset()).await?;
    let data = json!({ "action": action, "entries": entries, "paging": paging.summary(total) });
    page.render("backoffice/audit/index.html", "Audit log", data)
}
