//! API tokens for scripts: `Authorization: Bearer <token>`, under the same ACL as the user who
//! owns the token. Stored as digests, shown once, revocable.

use serde::Serialize;
use sqlx::Row;

use super::secret;
use super::{AuthError, AuthResult};
use crate::db::Db;

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

/// `last_used_at` is refreshed at most this often (seconds).
const TOUCH_EVERY: i64 = 60;

/// Creates a token and returns `(id, secret)`; the secret is not stored and cannot be shown again.
pub async fn create(db: &Db, user_id: i64, name: &str, now: i64) -> sqlx::Result<(i64, String)> {
    let token = format!("bo_{}", secret::generate());
    let id = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(secret::digest(&token))
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok((id, token))
}

/// The `(token id, user id)` a live token belongs to.
pub async fn authenticate(db: &Db, token: &str, now: i64) -> sqlx::Result<Option<(i64, i64)>> {
    let row = sqlx::query(
        "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(secret::digest(token))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    // Written at most once a minute: a script's every request must not become a synced write.
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    if last_used.is_none_or(|at| now - at >= TOUCH_EVERY) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(db.pool())
            .await?;
    }
    Ok(Some((id, row.try_get("user_id")?)))
}

pub async fn list_for(db: &Db, user_id: i64) -> sqlx::Result<Vec<TokenInfo>> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    let mut tokens = Vec::with_capacity(rows.len());
    for row in rows {
        tokens.push(TokenInfo {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            created_at: row.try_get("created_at")?,
            last_used_at: row.try_get("last_used_at")?,
            revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
        });
    }
    Ok(tokens)
}

/// Revokes every live token of the user: a password that changed (by its owner or an
/// administrator's reset) may have leaked, and so may anything made with it. Returns how many.
pub async fn revoke_all_for(db: &Db, user_id: i64, now: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Revokes one of the user's own tokens.
pub async fn revoke(db: &Db, user_id: i64, token_id: i64, now: i64) -> AuthResult<()> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(token_id)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(AuthError::NoSuchToken(token_id));
    }
    Ok(())
}
