//! Middleware that finds out who is calling, before anything else runs.
//!
//! A bearer token, when present, is the only credential considered (a bad one is a 401, never a
//! fall-back to the cookie). Otherwise the admin session cookie is looked up. Independently, the
//! agent session cookie is looked up in the agent realm (`web::agent`: the agent and the
//! customer they assist), and, when there is no agent, the customer session cookie in the
//! customer realm. The result is an [`Identity`] in
//! the request extensions (and a copy in the response's, for the error pages).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::cookies;
use super::error::render::SessionExpired;
use super::error::{AppError, AppResult};
use super::proxy::TrustedProxies;
use crate::auth::customers;
use crate::auth::session::{self, Lookup, Realm};
use crate::auth::{CustomerPrincipal, Identity, Principal, Via, tokens};
use crate::state::AppState;
use crate::users::{self, Status};

pub async fn identify(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> AppResult<Response> {
    let ip = client_ip(&request, &state.settings().trusted_proxies);
    let mut identity = Identity {
        ip,
        ..Identity::default()
    };
    let now = state.now();
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_owned);
    if let Some(token) = bearer {
        let (token_id, user_id) = tokens::authenticate(state.db(), &token, now)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = active_user(&state, user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        identity.principal = Some(Principal {
            user,
            via: Via::Token { id: token_id },
        });
    } else if let Some(token) = cookies::get(
        request.headers(),
        cookies::SESSION,
        state.settings().behind_tls,
    ) {
        match session::lookup(
            state.db(),
            Realm::Admin,
            &token,
            state.settings().lifetimes,
            now,
        )
        .await?
        {
            Lookup::Valid(s) => match active_user(&state, s.subject_id).await? {
                Some(user) => {
                    identity.principal = Some(Principal {
                        user,
                        via: Via::Session(s),
                    })
                }
                None => session::delete(state.db(), &s.token_hash).await?,
            },
            Lookup::Expired => identity.session_expired = true,
            Lookup::Unknown => {}
        }
    }
    let agent_expired =
        super::agent::identify(&state, request.headers(), &mut identity, now).await?;
    let mut customer_expired = false;
    // An agent's browser is the agent's: a customer cookie it also carries is not looked up,
    // so an agent reaches a customer only through an assistance.
    if identity.agent.is_none()
        && let Some(token) = cookies::get(
            request.headers(),
            cookies::CUSTOMER,
            state.settings().behind_tls,
        )
    {
        match session::lookup(
            state.db(),
            Realm::Customer,
            &token,
            state.settings().lifetimes,
            now,
        )
        .await?
        {
            Lookup::Valid(s) => match customers::get(state.db().pool(), s.subject_id).await? {
                Some(customer) if customer.status == customers::Status::Active => {
                    identity.customer = Some(CustomerPrincipal {
                        customer,
                        session: s,
                    })
                }
                _ => session::delete(state.db(), &s.token_hash).await?,
            },
            Lookup::Expired => customer_expired = true,
            Lookup::Unknown => {}
        }
    }
    let expired = identity.session_expired;
    request.extensions_mut().insert(identity.clone());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(identity);
    if agent_expired {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::clear(cookies::AGENT, state.settings().behind_tls),
        );
    }
    if customer_expired {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::clear(cookies::CUSTOMER, state.settings().behind_tls),
        );
    }
    if expired {
        response.extensions_mut().insert(SessionExpired);
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::clear(cookies::SESSION, state.settings().behind_tls),
        );
    }
    Ok(response)
}

pub(super) async fn active_user(state: &AppState, id: i64) -> AppResult<Option<users::User>> {
    Ok(users::get(state.db(), id)
        .await?
        .filter(|u| u.status == Status::Active))
}

/// The client's address: the socket peer, or what the trusted proxies say (see `web::proxy`).
fn client_ip(request: &Request, proxies: &TrustedProxies) -> String {
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return "unknown".to_owned();
    };
    let forwarded = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    proxies.client(peer.ip(), forwarded)
}
