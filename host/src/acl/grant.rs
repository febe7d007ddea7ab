//! [`Granted`]: the proof that a principal's rules allow a resource. The only way to obtain one is
//! [`grant`], which loads the rules and decides; the HTTP guard (`web::guard`) calls it for every
//! `/admin/...` request and hands the proof to the handler.

use std::sync::Arc;

use super::{Permissions, Resource, store};
use crate::auth::Principal;
use crate::db::Db;

/// Proof that the ACL allowed `principal` to reach `resource`. Only [`grant`] constructs it.
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

/// `principal`'s rules (for choosing among resources, e.g. a section's first permitted page).
pub async fn permissions(db: &Db, principal: &Principal) -> sqlx::Result<Permissions> {
    store::permissions_for(db, principal.user.id).await
}

/// Loads `principal`'s rules and decides: the proof when they allow `resource`, `None` when they
/// do not (the caller refuses and audits).
pub async fn grant(
    db: &Db,
    principal: &Principal,
    resource: &Resource,
) -> sqlx::Result<Option<Granted>> {
    let permissions = store::permissions_for(db, principal.user.id).await?;
    Ok(permissions.allows(resource).then(|| Granted {
        principal: principal.clone(),
        permissions: Arc::new(permissions),
        resource: resource.clone(),
    }))
}
