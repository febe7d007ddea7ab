//! Middleware on every `/admin/...` route: resolve the resource from the path, check the caller's
//! rules, and either refuse (403, audited) or hand the handler a [`Granted`].

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::{Permissions, Resource, store};
use crate::audit;
use crate::auth::{Identity, Principal};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Proof that the ACL allowed this request. Only [`guard`] constructs it.
#[derive(Debug, Clone)]
pub struct Granted {
    principal: Principal,
    permissions: Arc<Permissions>,
    resource: Resource,
}

impl Granted {
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    pub fn permissions(&self) -> &Arc<Permissions> {
        &self.permissions
    }

    pub fn resource(&self) -> &Resource {
        &self.resource
    }
}

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
        .clone()
        .ok_or(AppError::Unauthenticated)?;
    let resource = Resource::from_admin_path(request.uri().path());
    let permissions = store::permissions_for(state.db(), principal.user.id).await?;
    if !permissions.allows(&resource) {
        audit::record(
            state.db(),
            audit::Entry::by(
                &principal,
                &identity.ip,
                "acl.denied",
                &resource.describe(),
                request.method().as_str(),
            ),
            state.now(),
        )
        .await?;
        return Err(AppError::Forbidden(resource.describe()));
    }
    request.extensions_mut().insert(Granted {
        principal,
        permissions: Arc::new(permissions),
        resource,
    });
    Ok(next.run(request).await)
}

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
