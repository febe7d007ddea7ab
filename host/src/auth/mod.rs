//! Who is calling: credentials, sessions, API tokens and sign-in throttling.
//!
//! This module knows nothing about HTTP; `web::identity` reads cookies and headers and asks it,
//! and its failures are [`AuthError`]s that `web::error` turns into answers.

pub mod agent;
pub mod customers;
mod error;
pub mod gate;
pub mod password;
pub mod resets;
pub mod secret;
pub mod session;
pub mod signin;
pub mod throttle;
pub mod tokens;

pub use error::{AuthError, AuthResult};

use crate::users::User;

/// An authenticated back-office user and how they proved it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub via: Via,
}

#[derive(Debug, Clone)]
pub enum Via {
    /// A browser session: state changes need its CSRF token.
    Session(session::Session),
    /// An API token: no ambient credential, so no CSRF token is needed.
    Token { id: i64 },
}

impl Principal {
    /// The CSRF token forms must carry, for session callers.
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            Via::Session(s) => Some(&s.csrf_token),
            Via::Token { .. } => None,
        }
    }

    /// A label for the audit log.
    pub fn label(&self) -> String {
        match self.via {
            Via::Session(_) => self.user.email.clone(),
            Via::Token { id } => format!("{} (token {id})", self.user.email),
        }
    }
}

/// A signed-in storefront customer and their session (the customer realm).
#[derive(Debug, Clone)]
pub struct CustomerPrincipal {
    pub customer: customers::Customer,
    pub session: session::Session,
}

/// An agent signed in on the storefront (the agent realm, `auth::agent`), and the customer they
/// assist, if any.
#[derive(Debug, Clone)]
pub struct AgentPrincipal {
    pub user: User,
    pub session: session::Session,
    pub assisting: Option<agent::Assistance>,
}

/// What the identity middleware found out about the caller, stored in the request extensions.
/// The admin and the customer are looked up from separate cookies in separate realms: one never
/// stands in for the other.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub principal: Option<Principal>,
    /// The storefront customer, from the customer session cookie; while an agent assists, the
    /// assisted customer with the agent's session (the customer's own sessions are never
    /// looked up then).
    pub customer: Option<CustomerPrincipal>,
    /// The agent signed in on the storefront, from the agent session cookie.
    pub agent: Option<AgentPrincipal>,
    /// A session cookie was sent but its session had timed out.
    pub session_expired: bool,
    /// The client address (from the socket, or `X-Forwarded-For` behind a trusted proxy).
    pub ip: String,
}
