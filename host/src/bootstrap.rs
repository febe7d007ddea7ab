//! First start: on an empty database, create the root role, the administrators group and the
//! first admin, so the shop owner can sign in straight away.

use crate::acl::store::{self, Kind, Link};
use crate::acl::{Effect, Rule};
use crate::auth::password;
use crate::db::Db;
use crate::users::{self, NewUser};

/// What was created, so the caller can show the password once.
#[derive(Debug)]
pub struct FirstAdmin {
    pub email: String,
    /// The password when it was generated (not when the operator supplied it).
    pub generated_password: Option<String>,
}

/// Creates the first admin when there are no users at all; `None` when users exist.
pub async fn ensure_first_admin(
    db: &Db,
    email: Option<&str>,
    password: Option<&str>,
    now: i64,
) -> anyhow::Result<Option<FirstAdmin>> {
    if users::count(db).await? > 0 {
        return Ok(None);
    }
    let email = crate::validate::email(email.unwrap_or("admin@example.com"))?;
    let (plain, generated) = match password {
        Some(p) => {
            password::check_policy(p)
                .map_err(|e| anyhow::anyhow!("BACKOFFICE_ADMIN_PASSWORD: {e}"))?;
            (p.to_owned(), false)
        }
        None => (password::generate(), true),
    };
    let role = match store::find_by_name(db, Kind::Role, "Root").await? {
        Some(id) => id,
        None => {
            let id = store::create(db, Kind::Role, "Root", "Everything, everywhere.", now).await?;
            let all = Rule {
                section: "*".into(),
                controller: "*".into(),
                action: "*".into(),
                effect: Effect::Allow,
            };
            store::add_rule(db, id, &all).await?;
            id
        }
    };
    let group = match store::find_by_name(db, Kind::Group, "Administrators").await? {
        Some(id) => id,
        None => {
            store::create(
                db,
                Kind::Group,
                "Administrators",
                "Full access to the Back Office.",
                now,
            )
            .await?
        }
    };
    store::set_links(db, Link::GroupRoles, group, &[role]).await?;
    let hash = password::hash_off_thread(&plain).await?;
    let new = NewUser {
        email: &email,
        name: "Administrator",
        password_hash: &hash,
        locale: "en",
    };
    let id = users::create(db, &new, now).await?;
    store::set_links(db, Link::UserGroups, id, &[group]).await?;
    Ok(Some(FirstAdmin {
        email,
        generated_password: generated.then_some(plain),
    }))
}
