//! One-time password reset tokens of both realms: a customer's "forgot password" and
//! set-password links (`customer_password_resets`), a back-office user's "forgot password" on
//! `/login` (`user_password_resets`).
//!
//! A token is a 256-bit secret that exists in clear only in the mail (or answer) that carries it;
//! the tables keep its SHA-256, so a leaked database or backup resets nobody's password. A token
//! works once and until it expires; a successful reset revokes the account's other tokens.

use sqlx::{Any, Executor};

use super::secret;
use super::session::Realm;
use crate::db::Db;

/// The table of a realm's tokens and its account column (fixed names, never input).
fn table(realm: Realm) -> (&'static str, &'static str) {
    match realm {
        Realm::Customer => ("customer_password_resets", "customer_id"),
        // Agents are back-office users: the same credentials, the same tokens.
        Realm::Admin | Realm::Agent => ("user_password_resets", "user_id"),
    }
}

/// Issues a reset token for account `id` of `realm`, valid for `lifetime` seconds, and returns
/// it (the only time it exists in clear). Takes any executor, so it can join the caller's
/// transaction (the mail carrying the token is queued in the same one).
pub async fn create<'e>(
    db: impl Executor<'e, Database = Any>,
    realm: Realm,
    id: i64,
    now: i64,
    lifetime: i64,
) -> sqlx::Result<String> {
    let (table, owner) = table(realm);
    let token = secret::generate();
    sqlx::query(&format!(
        "INSERT INTO {table} (token_hash, {owner}, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    ))
    .bind(secret::digest(&token))
    .bind(id)
    .bind(now)
    .bind(now + lifetime)
    .execute(db)
    .await?;
    Ok(token)
}

/// True when `token` is unused and unexpired (for showing the form; nothing is consumed).
pub async fn is_valid(db: &Db, realm: Realm, token: &str, now: i64) -> sqlx::Result<bool> {
    let (table, owner) = table(realm);
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT {owner} FROM {table} WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
    ))
    .bind(secret::digest(token))
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// Marks `token` used and returns its account, if it was unused and unexpired. One statement,
/// so two concurrent uses cannot both succeed.
pub async fn consume(db: &Db, realm: Realm, token: &str, now: i64) -> sqlx::Result<Option<i64>> {
    let (table, owner) = table(realm);
    sqlx::query_scalar(&format!(
        "UPDATE {table} SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING {owner}"
    ))
    .bind(now)
    .bind(secret::digest(token))
    .fetch_optional(db.pool())
    .await
}

/// Ends every other outstanding token of account `id` (after a successful reset).
pub async fn revoke(db: &Db, realm: Realm, id: i64, now: i64) -> sqlx::Result<()> {
    let (table, owner) = table(realm);
    sqlx::query(&format!(
        "UPDATE {table} SET used_at = $1 WHERE {owner} = $2 AND used_at IS NULL"
    ))
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}
