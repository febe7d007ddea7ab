//! Agent assist on the storefront (issue #24): a back-office user with the `agent` flag signs in
//! at `/agent/login` (their Back Office email and password: the same argon2id check and the
//! same throttling counters as `/login`), finds a customer and acts for them until they end the
//! assistance.
//!
//! The host owns the realm (`auth::agent`): the agent session (cookie [`cookies::AGENT`],
//! the admins' idle and absolute timeouts, a fresh token at every sign-in, its own CSRF token)
//! and which customer it assists. While it assists, `web::identity` reports that customer as
//! the request's customer, every plugin call gets `identity.acting-agent` = the agent
//! (`dispatch`), and every storefront page shows the banner (`agent` in the layout context,
//! `storefront/agent_banner.html`). The customer's own sessions are never looked up, and the
//! host's customer credential pages (sign-in, registration, sign-out, password reset and
//! change) refuse an agent ([`keep_out`]).
//!
//! What the host does not know is commerce: *which* customers exist and whom an agent may
//! assist. It asks the sections through two points it owns (the agent-assist section provides
//! both, reading the customers section's collection and its own assignments):
//!
//! - **`host.agent-customers`** — `{"agent": {"id", "email"}, "q": "jane"}` →
//!   `{"customers": [{"customer_id", "reference", "name", "email"}]}` (the answers of every
//!   provider, merged by `customer_id`; a failing provider is skipped and logged).
//! - **`host.agent-assist`** — `{"agent": {"id", "email"}, "customer_id": 7}` →
//!   `{"allowed": true, "customer": {"customer_id", "reference", "name", "email"}}` or
//!   `{"allowed": false, "reason": "…"}`. Deny by default: any refusal wins, and without an
//!   allowing answer nobody is assisted.
//!
//! **Audit.** `agent.sign-in`, `agent.sign-in-refused`, `agent.sign-out`, `agent.assist-start`,
//! `agent.assist-end` (detail: how and how many changes) and, before every state-changing
//! storefront request while assisting, `agent.act` (detail: method and route) — actor the agent,
//! target `customer <id> <email>` ([`audit_acts`]). A plugin's own audit rows in such a request
//! name both (`plugins::host_impl::audit`). Start and end are also announced to sections as the
//! host events [`STARTED_TOPIC`] and [`ENDED_TOPIC`], published in the same transaction.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::cookies;
use super::customers::form_again;
use super::error::{AppError, AppResult};
use super::input::{Input, Params};
use super::login::LoginForm;
use super::view::{PageCtx, see_other};
use crate::audit;
use crate::auth::agent::{self, Assistance, Ending, Start};
use crate::auth::customers;
use crate::auth::session::{self, Lookup, Realm};
use crate::auth::{AgentPrincipal, AuthError, CustomerPrincipal, Identity, secret};
use crate::state::AppState;
use crate::themes::Surface;
use crate::users::User;

mod points;

pub use points::{ASSIST_POINT, SEARCH_POINT};

/// The agent's own page: find a customer, or the one assisted.
pub const HOME: &str = "/agent";
const LOGIN: &str = "/agent/login";

/// The host event published when an assistance starts.
pub const STARTED_TOPIC: &str = "host.agent-assist-started";
/// The host event published when an assistance ends (by the agent, sign-out, timeout, revoke).
pub const ENDED_TOPIC: &str = "host.agent-assist-ended";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(HOME, get(home))
        .route(LOGIN, get(login_form).post(sign_in))
        .route("/agent/logout", post(logout))
        .route("/agent/assist", post(assist))
        .route("/agent/end", post(end))
}

/// Looks the agent session cookie up for `web::identity`: the agent, and the customer they
/// assist as the request's customer. Answers whether the cookie should be cleared (timed out,
/// or its user no longer an active agent).
pub(super) async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    identity: &mut Identity,
    now: i64,
) -> AppResult<bool> {
    let behind_tls = state.settings().behind_tls;
    let Some(token) = cookies::get(headers, cookies::AGENT, behind_tls) else {
        return Ok(false);
    };
    let lifetimes = state.settings().lifetimes;
    let found = session::lookup(state.db(), Realm::Agent, &token, lifetimes, now).await?;
    let s = match found {
        Lookup::Valid(s) => s,
        Lookup::Expired => {
            close(
                state,
                &secret::digest(&token),
                Ending::TimedOut,
                &identity.ip,
            )
            .await?;
            return Ok(true);
        }
        Lookup::Unknown => return Ok(false),
    };
    let user = super::identity::active_user(state, s.subject_id)
        .await?
        .filter(|u| u.agent);
    let Some(user) = user else {
        close(state, &s.token_hash, Ending::Revoked, &identity.ip).await?;
        session::delete(state.db(), &s.token_hash).await?;
        return Ok(true);
    };
    let mut assisting = agent::live(state.db(), &s.token_hash).await?;
    if let Some(a) = &assisting {
        match customers::get(state.db().pool(), a.customer_id).await? {
            Some(customer) if customer.status == customers::Status::Active => {
                identity.customer = Some(CustomerPrincipal {
                    customer,
                    session: s.clone(),
                });
            }
            // A blocked customer is not acted for either.
            _ => {
                close(state, &s.token_hash, Ending::Revoked, &identity.ip).await?;
                assisting = None;
            }
        }
    }
    identity.agent = Some(AgentPrincipal {
        user,
        session: s,
        assisting,
    });
    Ok(false)
}

/// The layout's `agent`: who acts and for whom (the banner).
pub fn banner(agent: &AgentPrincipal) -> minijinja::Value {
    minijinja::Value::from_serialize(json!({
        "name": agent.user.name,
        "email": agent.user.email,
        "assisting": agent.assisting.as_ref().map(|a| json!({
            "customer_name": a.customer_name,
            "customer_email": a.customer_email,
            "started_at": a.started_at,
        })),
    }))
}

/// Middleware (inside CSRF): writes `agent.act` before every state-changing storefront request
/// made while assisting, and refuses the request if that row cannot be written — an agent never
/// acts unaudited. The agent's own pages (`/agent/…`) audit themselves.
pub async fn audit_acts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> AppResult<Response> {
    let path = request.uri().path();
    let acting = !request.method().is_safe()
        && Surface::of_path(path) == Surface::Storefront
        && !is_agent_path(path);
    if acting
        && let Some(identity) = request.extensions().get::<Identity>()
        && let Some(agent) = &identity.agent
        && let Some(assistance) = &agent.assisting
    {
        let detail = format!("{} {path}", request.method());
        let target = target(assistance);
        let entry = audit::Entry {
            actor_id: Some(agent.user.id),
            actor: agent.user.email.clone(),
            action: "agent.act",
            target: &target,
            detail: &detail,
            ip: &identity.ip,
        };
        audit::record(state.db(), entry, state.now()).await?;
        agent::count_act(state.db(), assistance.id).await?;
    }
    Ok(next.run(request).await)
}

fn is_agent_path(path: &str) -> bool {
    path == HOME || path.starts_with("/agent/")
}

/// Middleware on the host's customer pages: an agent signs no customer in or out and never sees
/// or changes a customer's credentials (sign-in, registration, sign-out, password reset and
/// change). Only the account overview is open to an assisting agent.
pub async fn keep_out(request: Request, next: Next) -> AppResult<Response> {
    let is_agent = request
        .extensions()
        .get::<Identity>()
        .is_some_and(|i| i.agent.is_some());
    let overview = request.uri().path() == "/customer/account" && request.method().is_safe();
    if is_agent && !overview {
        return Err(AppError::Beyond(
            "An agent cannot sign customers in or out, nor see, reset or change their password \
             or email. End the assistance and sign out as agent for that."
                .into(),
        ));
    }
    Ok(next.run(request).await)
}

fn signed_in(page: &PageCtx) -> AppResult<&AgentPrincipal> {
    page.identity()
        .agent
        .as_ref()
        .ok_or(AppError::Unauthenticated)
}

async fn login_form(page: PageCtx) -> AppResult<Response> {
    if page.identity().agent.is_some() {
        return Ok(see_other(HOME, None));
    }
    page.render(
        "storefront/agent/login.html",
        "Agent sign-in",
        json!({ "error": null }),
    )
}

async fn sign_in(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Input(form): Input<LoginForm>,
) -> AppResult<Response> {
    let template = "storefront/agent/login.html";
    let title = "Agent sign-in";
    let ip = page.identity().ip.clone();
    let email = form.checked_email()?;
    let now = state.now();
    let checked = super::login::check_admin(&state, &email, &form.password, &ip, Realm::Agent);
    let user = match checked.await? {
        Ok(user) => user,
        Err(error) => {
            let data = json!({ "email": email });
            return form_again(&page, template, title, data, error);
        }
    };
    if !user.agent {
        let entry = by(
            &user,
            &ip,
            "agent.sign-in-refused",
            &user.email,
            "not an agent",
        );
        audit::record(state.db(), entry, now).await?;
        let refusal = AppError::Beyond(
            "This account may not assist customers: an administrator can make it an agent on \
             the Users page."
                .into(),
        );
        return form_again(&page, template, title, json!({ "email": email }), refusal);
    }
    // A fresh session every time; whatever this browser had before ends, assistance included.
    if let Some(old) = &page.identity().agent {
        close(&state, &old.session.token_hash, Ending::SignedOut, &ip).await?;
        session::delete(state.db(), &old.session.token_hash).await?;
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (token, _) =
        session::create(state.db(), Realm::Agent, user.id, &ip, user_agent, now).await?;
    audit::record(
        state.db(),
        by(&user, &ip, "agent.sign-in", &user.email, ""),
        now,
    )
    .await?;
    let behind_tls = state.settings().behind_tls;
    let mut response = if page.wants_json() {
        Json(json!({ "id": user.id, "email": user.email, "location": HOME })).into_response()
    } else {
        see_other(HOME, None)
    };
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies::set(cookies::AGENT, &token, None, behind_tls),
    );
    headers.append(
        header::SET_COOKIE,
        cookies::clear(cookies::ANON_CSRF, behind_tls),
    );
    Ok(response)
}

async fn logout(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let identity = page.identity();
    if let Some(agent) = &identity.agent {
        close(
            &state,
            &agent.session.token_hash,
            Ending::SignedOut,
            &identity.ip,
        )
        .await?;
        session::delete(state.db(), &agent.session.token_hash).await?;
        let entry = by(
            &agent.user,
            &identity.ip,
            "agent.sign-out",
            &agent.user.email,
            "",
        );
        audit::record(state.db(), entry, state.now()).await?;
    }
    let mut response = page.done(LOGIN, "You have signed out as agent.", json!({}));
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::AGENT, state.settings().behind_tls),
    );
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    page: PageCtx,
    Params(q): Params<SearchQuery>,
) -> AppResult<Response> {
    let Some(agent) = page.identity().agent.as_ref() else {
        return Ok(see_other(LOGIN, None));
    };
    let q = crate::validate::optional_text("Search", q.q.as_deref().unwrap_or(""), 200)?;
    let customers = if q.is_empty() || agent.assisting.is_some() {
        Vec::new()
    } else {
        points::search(&state, agent, &page.identity().ip, &q).await
    };
    page.render(
        "storefront/agent/home.html",
        "Agent assist",
        json!({
            "q": q,
            "searched": !q.is_empty(),
            "customers": customers,
            "assisting": agent.assisting,
        }),
    )
}

#[derive(Debug, Deserialize)]
struct AssistForm {
    customer_id: i64,
}

async fn assist(
    State(state): State<AppState>,
    page: PageCtx,
    Input(form): Input<AssistForm>,
) -> AppResult<Response> {
    let agent = signed_in(&page)?;
    let ip = page.identity().ip.clone();
    if agent.assisting.is_some() {
        return Err(AuthError::AlreadyAssisting.into());
    }
    let found = points::decide(&state, agent, &ip, form.customer_id).await?;
    let account = customers::get(state.db().pool(), form.customer_id)
        .await?
        .filter(|c| c.status == customers::Status::Active)
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "Customer {} has no active account to act with.",
                form.customer_id
            ))
        })?;
    let name = if found.name.trim().is_empty() {
        account.email.clone()
    } else {
        found.name.trim().to_owned()
    };
    let now = state.now();
    let mut tx = state.db().begin_write().await?;
    let start = Start {
        agent_id: agent.user.id,
        session_hash: &agent.session.token_hash,
        customer_id: account.id,
        customer_email: &account.email,
        customer_name: &name,
    };
    let id = agent::start(&mut *tx, &start, now).await?;
    let target = format!("customer {} {}", account.id, account.email);
    let detail = format!("assistance {id}");
    let entry = by(&agent.user, &ip, "agent.assist-start", &target, &detail);
    audit::record_on(&mut *tx, entry, now).await?;
    let payload = json!({
        "assistance_id": id,
        "agent_id": agent.user.id,
        "agent_email": agent.user.email,
        "agent_name": agent.user.name,
        "customer_id": account.id,
        "customer_email": account.email,
        "customer_name": name,
        "reference": found.reference,
        "started_at": now,
    });
    announce(&state, &mut tx, STARTED_TOPIC, &payload, now).await?;
    tx.commit().await?;
    state.plugins().wake_dispatcher();
    Ok(page.done(
        "/",
        &format!("You are assisting {name}."),
        json!({ "assistance_id": id, "customer_id": account.id }),
    ))
}

async fn end(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let agent = signed_in(&page)?;
    let ended = close(
        &state,
        &agent.session.token_hash,
        Ending::Ended,
        &page.identity().ip,
    )
    .await?;
    let message = match &ended {
        Some(a) => format!("You no longer assist {}.", a.customer_name),
        None => "You were not assisting anyone.".to_owned(),
    };
    Ok(page.done(HOME, &message, json!({ "ended": ended.map(|a| a.id) })))
}

/// Ends the live assistance of agent session `session_hash` (if any): the row, its audit entry
/// and the [`ENDED_TOPIC`] event in one transaction.
async fn close(
    state: &AppState,
    session_hash: &str,
    how: Ending,
    ip: &str,
) -> AppResult<Option<Assistance>> {
    let now = state.now();
    let mut tx = state.db().begin_write().await?;
    let Some(ended) = agent::end(&mut *tx, session_hash, how, now).await? else {
        return Ok(None);
    };
    ended_in(state, &mut tx, &ended, ip, now).await?;
    tx.commit().await?;
    state.plugins().wake_dispatcher();
    Ok(Some(ended))
}

/// Ends the assistances and agent sessions of user `agent_id` (called when the flag is taken
/// away, the user is blocked or deleted, or their password reset).
pub async fn revoke(state: &AppState, agent_id: i64, ip: &str) -> AppResult<()> {
    let now = state.now();
    let ended = agent::revoke(state.db(), agent_id, now).await?;
    if ended.is_empty() {
        return Ok(());
    }
    let mut tx = state.db().begin_write().await?;
    for a in &ended {
        ended_in(state, &mut tx, a, ip, now).await?;
    }
    tx.commit().await?;
    state.plugins().wake_dispatcher();
    Ok(())
}

/// The audit row and the event of an ended assistance, on `tx`.
async fn ended_in(
    state: &AppState,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ended: &Assistance,
    ip: &str,
    now: i64,
) -> AppResult<()> {
    let how = ended.ended_how.as_deref().unwrap_or("ended");
    let actor = crate::users::get(state.db(), ended.agent_id)
        .await?
        .map_or_else(|| format!("agent {}", ended.agent_id), |u| u.email);
    let target = target(ended);
    let detail = format!(
        "assistance {}: {how} after {} change(s)",
        ended.id, ended.acts
    );
    let entry = audit::Entry {
        actor_id: Some(ended.agent_id),
        actor,
        action: "agent.assist-end",
        target: &target,
        detail: &detail,
        ip,
    };
    audit::record_on(&mut **tx, entry, now).await?;
    let payload = json!({
        "assistance_id": ended.id,
        "agent_id": ended.agent_id,
        "customer_id": ended.customer_id,
        "ended_at": now,
        "how": how,
        "acts": ended.acts,
    });
    announce(state, tx, ENDED_TOPIC, &payload, now).await
}

/// Publishes a host event through the outbox on `tx` (delivered after commit, at least once).
async fn announce(
    state: &AppState,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    topic: &str,
    payload: &serde_json::Value,
    now: i64,
) -> AppResult<()> {
    crate::plugins::outbox::publish_host(tx, state.plugins().registry(), topic, payload, now)
        .await?;
    Ok(())
}

/// The audit target of an assistance: its customer.
fn target(a: &Assistance) -> String {
    format!("customer {} {}", a.customer_id, a.customer_email)
}

/// An audit entry for an act of agent `user`.
fn by<'a>(
    user: &User,
    ip: &'a str,
    action: &'a str,
    target: &'a str,
    detail: &'a str,
) -> audit::Entry<'a> {
    audit::Entry {
        actor_id: Some(user.id),
        actor: user.email.clone(),
        action,
        target,
        detail,
        ip,
    }
}
