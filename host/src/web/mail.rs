//! The *Outgoing mail* page: `/admin/mail/outbox/<action>`. Lists what the host queued, sent
//! and gave up on, with the SMTP server's last answer, and shows one message. Without an SMTP
//! server this page is where mail is read (a fresh install still works end to end).
//!
//! A message's HTML part is shown in a sandboxed `<iframe srcdoc>` (escaped into the attribute,
//! no scripts, no same origin) and its text part escaped: mail content is whatever a plugin or a
//! customer's input put there, never trusted as markup of this page.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::error::{AppError, AppResult};
use super::input::{Input, Paging, Params};
use super::view::PageCtx;
use crate::acl::Granted;
use crate::mail::outbox;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/mail/outbox/index", get(index))
        .route("/admin/mail/outbox/view", get(view))
        .route("/admin/mail/outbox/retry", post(retry))
}

const PER_PAGE: i64 = 50;

#[derive(Debug, Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    page: Option<i64>,
}

async fn index(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<OutboxQuery>,
) -> AppResult<Response> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) if outbox::STATUSES.contains(&s) => Some(s),
        Some(_) => {
            return Err(AppError::invalid("Status must be queued, sent or failed."));
        }
    };
    let paging = Paging::new(q.page, PER_PAGE);
    let (mails, total) = outbox::list(state.db(), status, paging.per_page, paging.offset()).await?;
    let counts: serde_json::Map<String, serde_json::Value> = outbox::counts(state.db())
        .await?
        .into_iter()
        .map(|(status, n)| (status, n.into()))
        .collect();
    let data = json!({
        "status": status.unwrap_or(""),
        "statuses": outbox::STATUSES,
        "counts": counts,
        "smtp": state.mail().settings().smtp_url.is_some(),
        "max_attempts": outbox::MAX_ATTEMPTS,
        "mails": mails,
        "paging": paging.summary(total),
    });
    page.render("backoffice/mail/index.html", "Outgoing mail", data)
}

#[derive(Debug, Deserialize)]
struct IdQuery {
    id: i64,
}

async fn view(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<IdQuery>,
) -> AppResult<Response> {
    let mail = message(&state, q.id).await?;
    let data = json!({
        "mail": mail,
        "smtp": state.mail().settings().smtp_url.is_some(),
    });
    page.render("backoffice/mail/view.html", "Message", data)
}

async fn message(state: &AppState, id: i64) -> AppResult<outbox::Mail> {
    outbox::get(state.db(), id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no message {id}.")))
}

/// Sends a failed message again (after the admin fixed the server or the address); audited.
async fn retry(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdQuery>,
) -> AppResult<Response> {
    let mail = message(&state, form.id).await?;
    if !outbox::retry(state.db(), mail.id, state.now()).await? {
        return Err(AppError::Conflict(format!(
            "Message {} is {}: only a failed message can be sent again.",
            mail.id, mail.status
        )));
    }
    state.mail().queued();
    let target = format!("mail {}", mail.id);
    super::record(
        &state,
        &page,
        &granted,
        "mail.retry",
        &target,
        &mail.recipient,
    )
    .await?;
    let location = format!("/admin/mail/outbox/view?id={}", mail.id);
    Ok(page.done(&location, "The message is queued again.", json!({})))
}
