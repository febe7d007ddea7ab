//! Storefront customer accounts (the customer realm): registration, sign-in, sign-out, password
//! reset and the account page, under `/customer/…`, rendered with the storefront theme.
//!
//! A customer session has its own cookie ([`cookies::CUSTOMER`]) and realm: it never opens the
//! Back Office, and an admin session never opens the customer area. Sign-in is throttled like
//! the admins' (in the customer realm's own counters); forms carry CSRF tokens like every form.
//! A reset link is mailed (through the host's outbox, never written to the log) and a new
//! account gets a welcome mail, each queued in the transaction that made the token or the
//! account. A registration publishes the host event [`REGISTERED_TOPIC`] so sections can attach
//! their data to the new account.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::cookies;
use super::error::{AppError, AppResult};
use super::input::{Input, Params};
use super::login::{LoginForm, local_next};
use super::password_change::PasswordChange;
use super::view::{PageCtx, see_other};
use crate::auth::customers::{self, Customer};
use crate::auth::session::{self, Realm};
use crate::auth::{AuthError, CustomerPrincipal, password, resets, signin, throttle};
use crate::mail::{HOST_LOCALE, Letter};
use crate::state::AppState;
use crate::themes::store::Surface;
use crate::validate;

const ACCOUNT: &str = "/customer/account";

/// The event the host publishes (source `host`) when a customer registers on the storefront.
pub const REGISTERED_TOPIC: &str = "host.customer-registered";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customer/login", get(login_form).post(login))
        .route("/customer/register", get(register_form).post(register))
        .route("/customer/logout", post(logout))
        .route(
            "/customer/password-reset",
            get(reset_request_form).post(reset_request),
        )
        .route(
            "/customer/password-reset/confirm",
            get(reset_confirm_form).post(reset_confirm),
        )
        .route(ACCOUNT, get(account))
        .route(PASSWORD, get(password_form).post(change_password))
}

/// The signed-in customer's password change form (refused to an agent: `web::agent::keep_out`).
const PASSWORD: &str = "/customer/account/password";

fn signed_in(page: &PageCtx) -> AppResult<&CustomerPrincipal> {
    page.identity()
        .customer
        .as_ref()
        .ok_or(AppError::Unauthenticated)
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(page: PageCtx, Params(q): Params<NextQuery>) -> AppResult<Response> {
    let next = local_next(q.next.as_deref(), ACCOUNT);
    if page.identity().customer.is_some() {
        return Ok(see_other(next, None));
    }
    page.render(
        "storefront/customer/login.html",
        "Sign in",
        json!({ "next": next, "error": null }),
    )
}

/// Re-shows a form with what went wrong, under the error's status (browsers), or the error
/// itself (scripts).
pub(super) fn form_again(
    page: &PageCtx,
    template: &str,
    title: &str,
    mut data: serde_json::Value,
    error: AppError,
) -> AppResult<Response> {
    if page.wants_json() {
        return Err(error);
    }
    data["error"] = json!(error.public_message());
    let mut response = page.render_html(template, title, data, None)?;
    *response.status_mut() = error.status();
    Ok(response)
}

async fn login(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Input(form): Input<LoginForm>,
) -> AppResult<Response> {
    let email = form.checked_email()?;
    let next = local_next(form.next.as_deref(), ACCOUNT).to_owned();
    let ip = &page.identity().ip;
    let now = state.now();
    let customer = match signin::customer(state.db(), &email, &form.password, ip, now).await? {
        Ok(customer) => customer,
        Err(refusal) => {
            state.metrics().signin_refused(Realm::Customer, &refusal);
            return form_again(
                &page,
                "storefront/customer/login.html",
                "Sign in",
                json!({ "next": next, "email": email }),
                AppError::from(refusal),
            );
        }
    };
    start_session(&state, &page, &headers, &customer, &next, None).await
}

/// A fresh customer session (any previous one of this browser ends), then on to `next`.
async fn start_session(
    state: &AppState,
    page: &PageCtx,
    headers: &HeaderMap,
    customer: &Customer,
    next: &str,
    flash: Option<&str>,
) -> AppResult<Response> {
    if let Some(old) = &page.identity().customer {
        session::delete(state.db(), &old.session.token_hash).await?;
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (token, _) = session::create(
        state.db(),
        Realm::Customer,
        customer.id,
        &page.identity().ip,
        user_agent,
        state.now(),
    )
    .await?;
    let behind_tls = state.settings().behind_tls;
    let mut response = if page.wants_json() {
        axum::Json(json!({ "id": customer.id, "email": customer.email, "location": next }))
            .into_response()
    } else {
        see_other(next, flash.map(|m| (m, behind_tls)))
    };
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::CUSTOMER, &token, None, behind_tls),
    );
    Ok(response)
}

async fn register_form(page: PageCtx, Params(q): Params<NextQuery>) -> AppResult<Response> {
    let next = local_next(q.next.as_deref(), ACCOUNT);
    if page.identity().customer.is_some() {
        return Ok(see_other(next, None));
    }
    page.render(
        "storefront/customer/register.html",
        "Create an account",
        json!({ "next": next, "error": null }),
    )
}

#[derive(Debug, Deserialize)]
struct RegisterForm {
    email: String,
    password: String,
    confirm_password: String,
    /// Where to go once the account exists (a local path, like sign-in's `next`); the
    /// account page when absent.
    next: Option<String>,
}

async fn register(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Input(form): Input<RegisterForm>,
) -> AppResult<Response> {
    let template = "storefront/customer/register.html";
    let title = "Create an account";
    let checked = validate::email(&form.email)
        .map_err(AppError::from)
        .and_then(|email| {
            password::check_policy(&form.password)?;
            if form.password != form.confirm_password {
                return Err(AppError::invalid(
                    "The password and its confirmation differ.",
                ));
            }
            Ok(email)
        });
    let email = match checked {
        Ok(email) => email,
        Err(error) => {
            let data = json!({ "email": form.email, "next": form.next });
            return form_again(&page, template, title, data, error);
        }
    };
    let now = state.now();
    let keys = throttle::Keys::registration(&email, &page.identity().ip);
    if !throttle::count_request(state.db(), &keys, now).await? {
        return Err(AppError::TooManyRequests(format!(
            "Too many accounts were requested from your address. Wait {} minutes and try again.",
            throttle::WINDOW_SECONDS / 60
        )));
    }
    let hash = password::hash_off_thread(&form.password).await?;
    let mut tx = state.db().begin_write().await?;
    let id = match customers::create(&mut *tx, &email, &hash, now).await {
        Ok(id) => id,
        Err(error @ AuthError::EmailTaken) => {
            let data = json!({ "email": email, "next": form.next });
            return form_again(&page, template, title, data, error.into());
        }
        Err(other) => return Err(other.into()),
    };
    let customer = customers::get(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("customer {id} vanished")))?;
    announce_registration(&state, &mut tx, &customer, now).await?;
    let welcome = Letter {
        source: "host",
        to: &customer.email,
        subject: "Welcome: your account has been created",
        template: "mail/customer-welcome",
        context: json!({
            "email": customer.email,
            "login_url": state.mail().link("/customer/login"),
        }),
        locale: &shop_locale(&state).await?,
        surface: Surface::Storefront,
    };
    state.mail().queue(&mut tx, welcome, now).await?;
    tx.commit().await?;
    state.plugins().wake_dispatcher();
    state.mail().queued();
    tracing::info!(customer = id, "customer registered");
    let next = local_next(form.next.as_deref(), ACCOUNT).to_owned();
    start_session(
        &state,
        &page,
        &headers,
        &customer,
        &next,
        Some("Welcome! Your account has been created."),
    )
    .await
}

/// The locale of the host's mail to a customer: customer accounts have none of their own, so
/// the default store's (the storefront's), else the host's.
async fn shop_locale(state: &AppState) -> AppResult<String> {
    let shop = state.shop().current().await?;
    Ok(shop
        .stores
        .first()
        .map_or(HOST_LOCALE, |store| store.default_locale.as_str())
        .to_owned())
}

/// Publishes [`REGISTERED_TOPIC`] `{customer_id, email}` through the outbox, in the
/// registration's transaction, so sections that keep customer data (the customers section's
/// profile) learn of the new account at least once, and never of one that was rolled back.
async fn announce_registration(
    state: &AppState,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    customer: &Customer,
    now: i64,
) -> AppResult<()> {
    let payload = json!({ "customer_id": customer.id, "email": customer.email });
    crate::plugins::outbox::publish_host(
        tx,
        state.plugins().registry(),
        REGISTERED_TOPIC,
        &payload,
        now,
    )
    .await?;
    Ok(())
}

async fn logout(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    if let Some(customer) = &page.identity().customer {
        session::delete(state.db(), &customer.session.token_hash).await?;
    }
    let behind_tls = state.settings().behind_tls;
    let mut response = page.done("/", "You have signed out.", json!({}));
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::CUSTOMER, behind_tls),
    );
    Ok(response)
}

async fn account(page: PageCtx) -> AppResult<Response> {
    let customer = signed_in(&page)?;
    page.render(
        "storefront/customer/account.html",
        "Your account",
        json!({ "customer": customer.customer }),
    )
}

async fn reset_request_form(page: PageCtx) -> AppResult<Response> {
    page.render(
        "storefront/customer/reset_request.html",
        "Reset your password",
        json!({ "sent": false }),
    )
}

#[derive(Debug, Deserialize)]
struct ResetRequestForm {
    email: String,
}

/// The reply is the same whether or not the email has an account.
async fn reset_request(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<ResetRequestForm>,
) -> AppResult<Response> {
    let email = validate::email(&form.email)?;
    let now = state.now();
    let keys = throttle::Keys::password_reset(Realm::Customer, &email, &page.identity().ip);
    let allowed = throttle::count_request(state.db(), &keys, now).await?;
    if allowed
        && let Some((customer, _)) = customers::find_credentials(state.db(), &email).await?
        && customer.status == customers::Status::Active
    {
        let mut tx = state.db().begin_write().await?;
        let token = resets::create(
            &mut *tx,
            Realm::Customer,
            customer.id,
            now,
            customers::RESET_LIFETIME,
        )
        .await?;
        let letter = Letter {
            source: "host",
            to: &customer.email,
            subject: "Reset your password",
            template: "mail/password-reset",
            context: json!({
                "email": customer.email,
                "link": state.mail().link(&customers::reset_link(&token)),
                "minutes": customers::RESET_LIFETIME / 60,
            }),
            locale: &shop_locale(&state).await?,
            surface: Surface::Storefront,
        };
        state.mail().queue(&mut tx, letter, now).await?;
        tx.commit().await?;
        state.mail().queued();
        tracing::info!(
            customer = customer.id,
            "password reset requested: link mailed"
        );
    }
    page.render(
        "storefront/customer/reset_request.html",
        "Reset your password",
        json!({ "sent": true, "email": email }),
    )
}

/// The query of a mailed reset link.
#[derive(Debug, Deserialize)]
pub(super) struct TokenQuery {
    pub token: Option<String>,
}

/// The answer to a reset link that cannot be used (of either realm).
pub(super) fn invalid_link() -> AppError {
    AppError::NotFound(
        "This password reset link is invalid, already used or expired. Ask for a new one.".into(),
    )
}

async fn reset_confirm_form(
    State(state): State<AppState>,
    page: PageCtx,
    Params(q): Params<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    if token.len() > 128
        || !resets::is_valid(state.db(), Realm::Customer, &token, state.now()).await?
    {
        return Err(invalid_link());
    }
    page.render(
        "storefront/customer/reset_confirm.html",
        "Choose a new password",
        json!({ "token": token, "error": null }),
    )
}

/// A reset form: the token from the mailed link and the new password, twice.
#[derive(Debug, Deserialize)]
pub(super) struct ResetConfirmForm {
    pub token: String,
    pub password: String,
    pub confirm_password: String,
}

/// A new password that keeps the policy and matches its confirmation (checked before a reset
/// token is spent on it).
pub(super) fn new_password(password: &str, confirmation: &str) -> AppResult<()> {
    password::check_policy(password)?;
    if password != confirmation {
        return Err(AppError::invalid(
            "The password and its confirmation differ.",
        ));
    }
    Ok(())
}

async fn reset_confirm(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<ResetConfirmForm>,
) -> AppResult<Response> {
    // Check the new password before spending the token on it.
    if let Err(error) = new_password(&form.password, &form.confirm_password) {
        return form_again(
            &page,
            "storefront/customer/reset_confirm.html",
            "Choose a new password",
            json!({ "token": form.token }),
            error,
        );
    }
    let now = state.now();
    // A made-up token is refused before any password work is spent on it.
    if !resets::is_valid(state.db(), Realm::Customer, &form.token, now).await? {
        return Err(invalid_link());
    }
    let hash = password::hash_off_thread(&form.password).await?;
    let Some(customer_id) = resets::consume(state.db(), Realm::Customer, &form.token, now).await?
    else {
        return Err(invalid_link());
    };
    customers::set_password_hash(state.db(), customer_id, &hash, now).await?;
    resets::revoke(state.db(), Realm::Customer, customer_id, now).await?;
    session::delete_all_for(state.db().pool(), Realm::Customer, customer_id).await?;
    tracing::info!(customer = customer_id, "customer password reset");
    let behind_tls = state.settings().behind_tls;
    let mut response = page.done(
        "/customer/login",
        "Your password has been changed. Please sign in.",
        json!({}),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::CUSTOMER, behind_tls),
    );
    Ok(response)
}

async fn password_form(page: PageCtx) -> AppResult<Response> {
    signed_in(&page)?;
    page.render(
        "storefront/customer/password.html",
        "Change your password",
        json!({ "error": null }),
    )
}

/// Changes the signed-in customer's password: the current one first, then the policy; every
/// other session of theirs ends and unused reset links stop working.
async fn change_password(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<PasswordChange>,
) -> AppResult<Response> {
    let me = signed_in(&page)?;
    let template = "storefront/customer/password.html";
    let title = "Change your password";
    let stored = customers::find_credentials(state.db(), &me.customer.email)
        .await?
        .map(|(_, hash)| hash);
    if let Err(error) = form.check(stored.as_deref()).await? {
        return form_again(&page, template, title, json!({}), error);
    }
    let now = state.now();
    let hash = password::hash_off_thread(&form.new_password).await?;
    customers::set_password_hash(state.db(), me.customer.id, &hash, now).await?;
    resets::revoke(state.db(), Realm::Customer, me.customer.id, now).await?;
    session::delete_others(
        state.db(),
        Realm::Customer,
        me.customer.id,
        &me.session.token_hash,
    )
    .await?;
    tracing::info!(customer = me.customer.id, "customer password changed");
    Ok(page.done(ACCOUNT, "Your password has been changed.", json!({})))
}
