//! Groups, roles, rules and memberships in the database.

use serde::Serialize;
use sqlx::Row;

use super::{AclError, AclResult, Effect, Permissions, Rule};
use crate::db::{self, Db};

/// The rules that apply to a user, through their groups' roles.
pub async fn permissions_for(db: &Db, user_id: i64) -> sqlx::Result<Permissions> {
    let rows = sqlx::query(
        "SELECT DISTINCT r.section, r.controller, r.action, r.effect \
         FROM acl_rules r \
         JOIN acl_group_roles gr ON gr.role_id = r.role_id \
         JOIN acl_user_groups ug ON ug.group_id = gr.group_id \
         WHERE ug.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    let rules = rows
        .iter()
        .map(rule_from_row)
        .collect::<sqlx::Result<_>>()?;
    Ok(Permissions::new(rules))
}

/// The rules of the roles `role_ids`, or (with `groups`) of the roles of the groups `ids`.
pub async fn rules_of(db: &Db, kind: Kind, ids: &[i64]) -> sqlx::Result<Vec<Rule>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = match kind {
        Kind::Role => format!(
            "SELECT DISTINCT section, controller, action, effect FROM acl_rules \
             WHERE role_id IN ({})",
            list.join(", ")
        ),
        Kind::Group => format!(
            "SELECT DISTINCT r.section, r.controller, r.action, r.effect FROM acl_rules r \
             JOIN acl_group_roles gr ON gr.role_id = r.role_id WHERE gr.group_id IN ({})",
            list.join(", ")
        ),
    };
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(rule_from_row)
        .collect()
}

fn rule_from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<Rule> {
    let effect: String = row.try_get("effect")?;
    Ok(Rule {
        section: row.try_get("section")?,
        controller: row.try_get("controller")?,
        action: row.try_get("action")?,
        effect: Effect::parse(&effect).unwrap_or(Effect::Deny),
    })
}

/// A group or a role: both are a named, described set.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
    pub description: String,
}

/// Which of the two tables a [`Named`] lives in.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Group,
    Role,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Group => "acl_groups",
            Kind::Role => "acl_roles",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Group => "group",
            Kind::Role => "role",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

pub async fn list(db: &Db, kind: Kind) -> sqlx::Result<Vec<Named>> {
    let rows = sqlx::query(&format!(
        "SELECT id, name, description FROM {} ORDER BY name",
        kind.table()
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(named_from_row).collect()
}

fn named_from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<Named> {
    Ok(Named {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
    })
}

pub async fn get(db: &Db, kind: Kind, id: i64) -> AclResult<Named> {
    let row = sqlx::query(&format!(
        "SELECT id, name, description FROM {} WHERE id = $1",
        kind.table()
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(row) => Ok(named_from_row(&row)?),
        None => Err(AclError::NotFound { kind, id }),
    }
}

pub async fn find_by_name(db: &Db, kind: Kind, name: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(&format!("SELECT id FROM {} WHERE name = $1", kind.table()))
        .bind(name)
        .fetch_optional(db.pool())
        .await
}

pub async fn create(
    db: &Db,
    kind: Kind,
    name: &str,
    description: &str,
    now: i64,
) -> AclResult<i64> {
    sqlx::query_scalar(&format!(
        "INSERT INTO {} (name, description, created_at) VALUES ($1, $2, $3) RETURNING id",
        kind.table()
    ))
    .bind(name)
    .bind(description)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .map_err(|e| name_conflict(e, kind, name))
}

pub async fn update(db: &Db, kind: Kind, id: i64, name: &str, description: &str) -> AclResult<()> {
    sqlx::query(&format!(
        "UPDATE {} SET name = $1, description = $2 WHERE id = $3",
        kind.table()
    ))
    .bind(name)
    .bind(description)
    .bind(id)
    .execute(db.pool())
    .await
    .map_err(|e| name_conflict(e, kind, name))?;
    Ok(())
}

/// Deletes a group or role; memberships and rules go with it (ON DELETE CASCADE).
pub async fn delete(db: &Db, kind: Kind, id: i64) -> sqlx::Result<()> {
    sqlx::query(&format!("DELETE FROM {} WHERE id = $1", kind.table()))
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

fn name_conflict(err: sqlx::Error, kind: Kind, name: &str) -> AclError {
    if db::is_unique_violation(&err) {
        AclError::NameTaken {
            kind,
            name: name.to_owned(),
        }
    } else {
        err.into()
    }
}

/// A rule as stored, with its id (for the rule editor).
#[derive(Debug, Clone, Serialize)]
pub struct StoredRule {
    pub id: i64,
    #[serde(flatten)]
    pub rule: Rule,
}

pub async fn rules_of_role(db: &Db, role_id: i64) -> sqlx::Result<Vec<StoredRule>> {
    let rows = sqlx::query(
        "SELECT id, section, controller, action, effect FROM acl_rules WHERE role_id = $1 \
         ORDER BY section, controller, action, effect",
    )
    .bind(role_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredRule {
                id: row.try_get("id")?,
                rule: rule_from_row(row)?,
            })
        })
        .collect()
}

pub async fn add_rule(db: &Db, role_id: i64, rule: &Rule) -> AclResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO acl_rules (role_id, section, controller, action, effect) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(role_id)
    .bind(&rule.section)
    .bind(&rule.controller)
    .bind(&rule.action)
    .bind(rule.effect.as_str())
    .fetch_one(db.pool())
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            AclError::RuleExists
        } else {
            e.into()
        }
    })
}

/// Removes a rule from a role; false when the role had no such rule.
pub async fn delete_rule(db: &Db, role_id: i64, rule_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM acl_rules WHERE id = $1 AND role_id = $2")
        .bind(rule_id)
        .bind(role_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A many-to-many link table: users ↔ groups or groups ↔ roles.
#[derive(Debug, Clone, Copy)]
pub enum Link {
    UserGroups,
    GroupRoles,
}

impl Link {
    /// The kind of the members (a user's groups, a group's roles).
    pub fn member_kind(self) -> Kind {
        self.parts().3
    }

    /// (table, owner column, member column, member kind)
    fn parts(self) -> (&'static str, &'static str, &'static str, Kind) {
        match self {
            Link::UserGroups => ("acl_user_groups", "user_id", "group_id", Kind::Group),
            Link::GroupRoles => ("acl_group_roles", "group_id", "role_id", Kind::Role),
        }
    }
}

/// Refuses ([`AclError::Beyond`]) making `members` the groups of a user (or roles of a group)
/// `owner` (none: a new one) when those it does not have yet carry a right `permissions` (the
/// acting user's) do not hold. Members it keeps are not the actor's doing and pass.
pub async fn check_additions(
    db: &Db,
    permissions: &Permissions,
    link: Link,
    owner: Option<i64>,
    members: &[i64],
) -> AclResult<()> {
    let current = match owner {
        Some(owner) => linked(db, link, owner).await?,
        None => Vec::new(),
    };
    let added: Vec<i64> = members
        .iter()
        .filter(|m| !current.contains(m))
        .copied()
        .collect();
    let kind = link.member_kind();
    let rules = rules_of(db, kind, &added).await?;
    permissions.check_covers(&rules, &format!("give these {kind}s"))
}

/// Refuses ([`AclError::UnknownMember`]) a list of group or role ids naming one that does not
/// exist. Handlers call it before their first write, so a bad id cannot leave a half-made change
/// behind.
pub async fn check_exist(db: &Db, kind: Kind, ids: &[i64]) -> AclResult<()> {
    for id in ids {
        let exists: Option<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM {} WHERE id = $1", kind.table()))
                .bind(id)
                .fetch_optional(db.pool())
                .await?;
        if exists.is_none() {
            return Err(AclError::UnknownMember { kind, id: *id });
        }
    }
    Ok(())
}

/// The ids linked to `owner` (a user's groups, a group's roles).
pub async fn linked(db: &Db, link: Link, owner: i64) -> sqlx::Result<Vec<i64>> {
    let (table, owner_col, member_col, _) = link.parts();
    sqlx::query_scalar(&format!(
        "SELECT {member_col} FROM {table} WHERE {owner_col} = $1 ORDER BY {member_col}"
    ))
    .bind(owner)
    .fetch_all(db.pool())
    .await
}

/// Replaces the links of `owner` with `members`, in one transaction. Every member must exist.
pub async fn set_links(db: &Db, link: Link, owner: i64, members: &[i64]) -> AclResult<()> {
    let (table, owner_col, member_col, kind) = link.parts();
    let mut members = members.to_vec();
    members.sort_unstable();
    members.dedup();
    let mut tx = db.pool().begin().await?;
    sqlx::query(&format!("DELETE FROM {table} WHERE {owner_col} = $1"))
        .bind(owner)
        .execute(&mut *tx)
        .await?;
    for member in &members {
        let exists: Option<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM {} WHERE id = $1", kind.table()))
                .bind(member)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Err(AclError::UnknownMember { kind, id: *member });
        }
        sqlx::query(&format!(
            "INSERT INTO {table} ({owner_col}, {member_col}) VALUES ($1, $2)"
        ))
        .bind(owner)
        .bind(member)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
