//! The audit log: who did what, to what, when (UTC) and from where. Never a secret: callers pass
//! descriptions, not request bodies.

use serde::Serialize;
use sqlx::Row;

use crate::auth::Principal;
use crate::db::Db;

/// One thing that happened.
#[derive(Debug)]
pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
    pub ip: &'a str,
}

impl<'a> Entry<'a> {
    /// An act of an authenticated user.
    pub fn by(
        principal: &Principal,
        ip: &'a str,
        action: &'a str,
        target: &'a str,
        detail: &'a str,
    ) -> Entry<'a> {
        Entry {
            actor_id: Some(principal.user.id),
            actor: principal.label(),
            action,
            target,
            detail,
            ip,
        }
    }

    /// An act of someone not (yet) signed in, e.g. a failed sign-in.
    pub fn anonymous(claimed: &str, ip: &'a str, action: &'a str, target: &'a str) -> Entry<'a> {
        Entry {
            actor_id: None,
            actor: claimed.chars().take(254).collect(),
            action,
            target,
            detail: "",
            ip,
        }
    }
}

pub async fn record(db: &Db, entry: Entry<'_>, now: i64) -> sqlx::Result<()> {
    record_on(db.pool(), entry, now).await
}

/// [`record`] on any executor: the pool, or a caller's transaction, so the row stands or falls
/// with the act it records.
pub async fn record_on<'e>(
    conn: impl sqlx::Executor<'e, Database = sqlx::Any>,
    entry: Entry<'_>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, target, detail, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(entry.actor_id)
    .bind(&entry.actor)
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.detail)
    .bind(entry.ip)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct LoggedEntry {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

/// Newest first, optionally only actions starting with `action_prefix`.
pub async fn list(
    db: &Db,
    action_prefix: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<LoggedEntry>, i64)> {
    let pattern = format!("{}%", crate::users::escape_like(action_prefix));
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE $1 ESCAPE '\\'")
            .bind(&pattern)
            .fetch_one(db.pool())
            .await?;
    let rows = sqlx::query(
        "SELECT id, at, actor_id, actor, action, target, detail, ip FROM audit_log \
         WHERE action LIKE $1 ESCAPE '\\' ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(LoggedEntry {
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            actor_id: row.try_get("actor_id")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            target: row.try_get("target")?,
            detail: row.try_get("detail")?,
            ip: row.try_get("ip")?,
        });
    }
    Ok((out, total))
}
