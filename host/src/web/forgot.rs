//! "Forgot your password?" for back-office users, from `/login`: `/login/forgot` mails a
//! one-time link (valid [`LIFETIME`] seconds, stored hashed in `auth::resets`) and
//! `/login/reset` consumes it.
//!
//! The answer to a request is the same whether or not the address has an account, is blocked
//! or is throttled, so the form tells nobody which addresses exist; only the mailbox's owner
//! learns anything. Requests are throttled per typed address and per client address
//! (`throttle::Keys::password_reset`). A successful reset ends every session of the user.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

use super::customers::{ResetConfirmForm, TokenQuery, form_again, invalid_link, new_password};
use super::error::AppResult;
use super::input::{Input, Params};
use super::login::anonymous_page;
use super::view::PageCtx;
use crate::audit;
use crate::auth::session::{self, Realm};
use crate::auth::{password, resets, throttle, tokens};
use crate::mail::Letter;
use crate::state::AppState;
use crate::themes::store::Surface;
use crate::users::{self, Status};
use crate::validate;

/// How long a mailed link works.
pub const LIFETIME: i64 = 60 * 60;

const FORGOT: &str = "backoffice/forgot.html";
const RESET: &str = "backoffice/reset.html";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/forgot", get(forgot_form).post(forgot))
        .route("/login/reset", get(reset_form).post(reset))
}

async fn forgot_form(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
) -> AppResult<Response> {
    forgot_page(&state, &page, &headers, json!({ "sent": false }))
}

fn forgot_page(
    state: &AppState,
    page: &PageCtx,
    headers: &HeaderMap,
    data: serde_json::Value,
) -> AppResult<Response> {
    anonymous_page(state, page, headers, FORGOT, "Forgot your password?", data)
}

#[derive(Debug, Deserialize)]
struct ForgotForm {
    email: String,
}

/// Mails a link when the address belongs to an active user and the throttle allows; answers
/// the same in every case.
async fn forgot(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Input(form): Input<ForgotForm>,
) -> AppResult<Response> {
    let email = validate::email(&form.email)?;
    let ip = page.identity().ip.clone();
    let now = state.now();
    let keys = throttle::Keys::password_reset(Realm::Admin, &email, &ip);
    let allowed = throttle::count_request(state.db(), &keys, now).await?;
    let user = match users::find_credentials(state.db(), &email).await? {
        Some((user, _)) if allowed && user.status == Status::Active => Some(user),
        _ => None,
    };
    if let Some(user) = user {
        let mut tx = state.db().begin_write().await?;
        let token = resets::create(&mut *tx, Realm::Admin, user.id, now, LIFETIME).await?;
        let link = state.mail().link(&format!("/login/reset?token={token}"));
        let letter = Letter {
            source: "host",
            to: &user.email,
            subject: "Reset your Backoffice password",
            template: "mail/password-reset",
            context: json!({ "email": user.email, "link": link, "minutes": LIFETIME / 60 }),
            locale: &user.locale,
            surface: Surface::Backoffice,
        };
        state.mail().queue(&mut tx, letter, now).await?;
        tx.commit().await?;
        state.mail().queued();
    }
    audit::record(
        state.db(),
        audit::Entry::anonymous(&email, &ip, "auth.password-reset-requested", &email),
        now,
    )
    .await?;
    let data = json!({ "sent": true, "email": email, "minutes": LIFETIME / 60 });
    forgot_page(&state, &page, &headers, data)
}

async fn reset_form(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Params(q): Params<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    if token.len() > 128 || !resets::is_valid(state.db(), Realm::Admin, &token, state.now()).await?
    {
        return Err(invalid_link());
    }
    let data = json!({ "token": token, "error": null });
    anonymous_page(
        &state,
        &page,
        &headers,
        RESET,
        "Choose a new password",
        data,
    )
}

/// Spends the token on the new password and ends every session of the user.
async fn reset(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<ResetConfirmForm>,
) -> AppResult<Response> {
    if let Err(error) = new_password(&form.password, &form.confirm_password) {
        let data = json!({ "token": form.token });
        return form_again(&page, RESET, "Choose a new password", data, error);
    }
    let now = state.now();
    // A made-up token is refused before any password work is spent on it.
    if !resets::is_valid(state.db(), Realm::Admin, &form.token, now).await? {
        return Err(invalid_link());
    }
    let hash = password::hash_off_thread(&form.password).await?;
    let Some(user_id) = resets::consume(state.db(), Realm::Admin, &form.token, now).await? else {
        return Err(invalid_link());
    };
    users::set_password_hash(state.db(), user_id, &hash, now).await?;
    resets::revoke(state.db(), Realm::Admin, user_id, now).await?;
    session::delete_all_for(state.db().pool(), Realm::Admin, user_id).await?;
    tokens::revoke_all_for(state.db(), user_id, now).await?;
    let email = users::get(state.db(), user_id)
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    audit::record(
        state.db(),
        audit::Entry {
            actor_id: Some(user_id),
            actor: email.clone(),
            action: "auth.password-reset",
            target: &email,
            detail: "by a mailed link",
            ip: &page.identity().ip,
        },
        now,
    )
    .await?;
    Ok(page.done(
        "/login",
        "Your password has been changed. Please sign in.",
        json!({}),
    ))
}
