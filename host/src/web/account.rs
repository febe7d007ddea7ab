//! "My account": every signed-in user may change their own password and interface locale and
//! manage their own API tokens. No ACL rule is needed (a user without groups can still change a
//! compromised password), but a session or token is.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::cookies;
use super::error::{AppError, AppResult};
use super::input::Input;
use super::password_change::PasswordChange;
use super::view::PageCtx;
use crate::audit;
use crate::auth::session::{self, Realm};
use crate::auth::{Principal, Via, password, tokens};
use crate::state::AppState;
use crate::{users, validate};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/password", post(change_password))
        .route("/account/locale", post(change_locale))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/revoke", post(revoke_token))
}

fn signed_in(page: &PageCtx) -> AppResult<&Principal> {
    page.identity()
        .principal
        .as_ref()
        .ok_or(AppError::Unauthenticated)
}

async fn show(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let principal = signed_in(&page)?;
    account_page(&state, &page, principal, None).await
}

async fn account_page(
    state: &AppState,
    page: &PageCtx,
    principal: &Principal,
    new_token: Option<(i64, &str)>,
) -> AppResult<Response> {
    let tokens = tokens::list_for(state.db(), principal.user.id).await?;
    let data = json!({
        "user": principal.user,
        "tokens": tokens,
        "new_token": new_token.map(|(id, token)| json!({ "id": id, "token": token })),
    });
    page.render("backoffice/account.html", "My account", data)
}

async fn change_password(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<PasswordChange>,
) -> AppResult<Response> {
    let principal = signed_in(&page)?;
    let stored = users::password_hash(state.db(), principal.user.id).await?;
    form.check(Some(&stored)).await??;
    let now = state.now();
    let hash = password::hash_off_thread(&form.new_password).await?;
    users::set_password_hash(state.db(), principal.user.id, &hash, now).await?;
    audit::record(
        state.db(),
        audit::Entry::by(
            principal,
            &page.identity().ip,
            "account.password-changed",
            &principal.user.email,
            "",
        ),
        now,
    )
    .await?;
    // Every other session ends; this one is replaced by a fresh token (rotation). API tokens
    // are revoked: they were made under the old password.
    session::delete_all_for(state.db().pool(), Realm::Admin, principal.user.id).await?;
    super::agent::revoke(&state, principal.user.id, &page.identity().ip).await?;
    tokens::revoke_all_for(state.db(), principal.user.id, now).await?;
    let mut response = page.done("/account", "Your password has been changed.", json!({}));
    if let Via::Session(_) = principal.via {
        let (token, _) = session::create(
            state.db(),
            Realm::Admin,
            principal.user.id,
            &page.identity().ip,
            "",
            now,
        )
        .await?;
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(cookies::SESSION, &token, None, state.settings().behind_tls),
        );
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct LocaleForm {
    locale: String,
}

async fn change_locale(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<LocaleForm>,
) -> AppResult<Response> {
    let principal = signed_in(&page)?;
    let locale = validate::locale(&form.locale)?;
    let now = state.now();
    users::set_locale(state.db(), principal.user.id, &locale, now).await?;
    audit::record(
        state.db(),
        audit::Entry::by(
            principal,
            &page.identity().ip,
            "account.locale-changed",
            &principal.user.email,
            &locale,
        ),
        now,
    )
    .await?;
    Ok(page.done(
        "/account",
        "Your interface language has been saved.",
        json!({ "locale": locale }),
    ))
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<TokenForm>,
) -> AppResult<Response> {
    let principal = signed_in(&page)?;
    let name = validate::text("Token name", &form.name, 100)?;
    let now = state.now();
    let (id, token) = tokens::create(state.db(), principal.user.id, &name, now).await?;
    audit::record(
        state.db(),
        audit::Entry::by(
            principal,
            &page.identity().ip,
            "token.created",
            &format!("token {id}"),
            &name,
        ),
        now,
    )
    .await?;
    account_page(&state, &page, principal, Some((id, &token))).await
}

#[derive(Debug, Deserialize)]
struct RevokeForm {
    id: i64,
}

async fn revoke_token(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<RevokeForm>,
) -> AppResult<Response> {
    let principal = signed_in(&page)?;
    let now = state.now();
    tokens::revoke(state.db(), principal.user.id, form.id, now).await?;
    audit::record(
        state.db(),
        audit::Entry::by(
            principal,
            &page.identity().ip,
            "token.revoked",
            &format!("token {}", form.id),
            "",
        ),
        now,
    )
    .await?;
    Ok(page.done(
        "/account",
        "The token has been revoked.",
        json!({ "id": form.id }),
    ))
}
