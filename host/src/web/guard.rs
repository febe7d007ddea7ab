//! Middleware on every `/admin/...` route: resolve the resource from the path, ask
//! [`acl::grant`] whether the caller's rules allow it, and either refuse (401 without a caller,
//! 403 audited) or put the [`Granted`] proof into the request for the handler to take. A bare
//! section address (`/admin/catalog`) is sent on to the section's first menu entry the caller
//! may open.
//!
//! This is the HTTP side of access control: it must never decide access itself (the decision
//! and the only constructor of [`Granted`] are `acl`'s).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::error::{AppError, AppResult};
use super::nav;
use super::view::see_other;
use crate::acl::{self, Granted, Resource};
use crate::audit;
use crate::auth::Identity;
use crate::state::AppState;

pub async fn guard(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> AppResult<Response> {
    let identity = request
        .extensions()
        .get::<Identity>()
        .cloned()
        .unwrap_or_default();
    let principal = identity
        .principal
        .as_ref()
        .ok_or(AppError::Unauthenticated)?;
    // A bare section address leads to the section's first entry the user may open.
    if let Some(section) = nav::bare_section(request.uri().path()) {
        let permissions = acl::permissions(state.db(), principal).await?;
        if let Some(start) = nav::section_start(&state, &permissions, section) {
            return Ok(see_other(&start, None));
        }
    }
    let resource = Resource::from_admin_path(request.uri().path());
    let Some(granted) = acl::grant(state.db(), principal, &resource).await? else {
        audit::record(
            state.db(),
            audit::Entry::by(
                principal,
                &identity.ip,
                "acl.denied",
                &resource.describe(),
                request.method().as_str(),
            ),
            state.now(),
        )
        .await?;
        return Err(AppError::Forbidden(resource.describe()));
    };
    request.extensions_mut().insert(granted);
    Ok(next.run(request).await)
}

/// Handlers take the proof as an argument; one reachable without the guard is a bug (500).
impl<S: Send + Sync> FromRequestParts<S> for Granted {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Granted>().cloned().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "handler for {} is not behind the ACL guard",
                parts.uri.path()
            ))
        })
    }
}
