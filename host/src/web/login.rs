//! Sign-in and sign-out of back-office users.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, http::HeaderMap};
use serde::Deserialize;

use super::cookies;
use super::error::{AppError, AppResult};
use super::input::{Input, Params};
use super::view::{PageCtx, see_other};
use crate::audit;
use crate::auth::session::{self, Realm};
use crate::auth::{Via, secret, signin};
use crate::state::AppState;
use crate::users::User;
use crate::validate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(submit))
        .route("/logout", post(logout))
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after sign-in (no open redirect), and only ones that can be a
/// `Location` header (a control character there would fail the whole response).
fn safe_next(next: Option<&str>) -> &str {
    local_next(next, "/admin")
}

/// `next` when it is a local path that can be a `Location` header, else `default`.
pub fn local_next<'a>(next: Option<&'a str>, default: &'a str) -> &'a str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n
        }
        _ => default,
    }
}

async fn form(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Params(q): Params<NextQuery>,
) -> AppResult<Response> {
    if page.identity().principal.is_some() {
        return Ok(see_other(safe_next(q.next.as_deref()), None));
    }
    login_page(
        &state,
        &page,
        &headers,
        q.next.as_deref(),
        None,
        StatusCode::OK,
    )
}

/// Renders the sign-in form (see [`anonymous_page`]).
fn login_page(
    state: &AppState,
    page: &PageCtx,
    headers: &HeaderMap,
    next: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let data = serde_json::json!({ "next": safe_next(next), "error": error });
    let mut response = anonymous_page(
        state,
        page,
        headers,
        "backoffice/login.html",
        "Sign in",
        data,
    )?;
    *response.status_mut() = status;
    Ok(response)
}

/// Renders a page with a form for visitors who are not signed in (sign-in, forgot password),
/// with a double-submit CSRF token (reusing the visitor's cookie).
pub(super) fn anonymous_page(
    state: &AppState,
    page: &PageCtx,
    headers: &HeaderMap,
    template: &str,
    title: &str,
    data: serde_json::Value,
) -> AppResult<Response> {
    let behind_tls = state.settings().behind_tls;
    let existing = cookies::get(headers, cookies::ANON_CSRF, behind_tls);
    let token = existing.clone().unwrap_or_else(secret::generate);
    let mut response = page.render_html(template, title, data, Some(&token))?;
    if existing.is_none() {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(cookies::ANON_CSRF, &token, None, behind_tls),
        );
    }
    Ok(response)
}

/// A sign-in form, for back-office users and customers alike.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: Option<String>,
}

impl LoginForm {
    /// The email as typed (bounded), after refusing overlong input; the sign-in decision
    /// normalises it.
    pub fn checked_email(&self) -> AppResult<String> {
        let email = validate::optional_text("Email", &self.email, validate::EMAIL_MAX)?;
        if self.password.chars().count() > crate::auth::password::MAX_LENGTH {
            return Err(AppError::invalid("The password is too long."));
        }
        Ok(email)
    }
}

/// Checks a Back Office user's credentials, for `/login` and `/agent/login` alike (one
/// argon2id check, one throttle): the user, or the error to show, the refusal already counted
/// under `realm` and audited (`auth.sign-in-failed`, or `agent.sign-in-failed`).
pub(super) async fn check_admin(
    state: &AppState,
    email: &str,
    password: &str,
    ip: &str,
    realm: Realm,
) -> AppResult<Result<User, AppError>> {
    let now = state.now();
    let refusal = match signin::admin(state.db(), email, password, ip, now).await? {
        Ok(user) => return Ok(Ok(user)),
        Err(refusal) => refusal,
    };
    state.metrics().signin_refused(realm, &refusal);
    let action = match realm {
        Realm::Agent => "agent.sign-in-failed",
        _ => "auth.sign-in-failed",
    };
    let entry = audit::Entry::anonymous(email, ip, action, email);
    audit::record(state.db(), entry, now).await?;
    Ok(Err(AppError::from(refusal)))
}

async fn submit(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Input(form): Input<LoginForm>,
) -> AppResult<Response> {
    let ip = page.identity().ip.clone();
    let email = form.checked_email()?;
    let now = state.now();
    let checked = check_admin(&state, &email, &form.password, &ip, Realm::Admin).await?;
    let user = match checked {
        Ok(user) => user,
        Err(error) => {
            if page.wants_json() {
                return Err(error);
            }
            let message = error.public_message();
            return login_page(
                &state,
                &page,
                &headers,
                form.next.as_deref(),
                Some(&message),
                error.status(),
            );
        }
    };
    // A fresh session every time: whatever token the client had before is never promoted.
    if let Some(Via::Session(old)) = page.identity().principal.as_ref().map(|p| &p.via) {
        session::delete(state.db(), &old.token_hash).await?;
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (token, _) =
        session::create(state.db(), Realm::Admin, user.id, &ip, user_agent, now).await?;
    audit::record(
        state.db(),
        audit::Entry {
            actor_id: Some(user.id),
            actor: user.email.clone(),
            action: "auth.sign-in",
            target: &user.email,
            detail: "",
            ip: &ip,
        },
        now,
    )
    .await?;
    let behind_tls = state.settings().behind_tls;
    let mut response = see_other(safe_next(form.next.as_deref()), None);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION, &token, None, behind_tls),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::ANON_CSRF, behind_tls),
    );
    Ok(response)
}

async fn logout(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let identity = page.identity();
    if let Some(principal) = &identity.principal {
        if let Via::Session(s) = &principal.via {
            session::delete(state.db(), &s.token_hash).await?;
        }
        audit::record(
            state.db(),
            audit::Entry::by(
                principal,
                &identity.ip,
                "auth.sign-out",
                &principal.user.email,
                "",
            ),
            state.now(),
        )
        .await?;
    }
    let behind_tls = state.settings().behind_tls;
    let mut response =
        see_other("/login", Some(("You have signed out.", behind_tls))).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::SESSION, behind_tls),
    );
    Ok(response)
}
