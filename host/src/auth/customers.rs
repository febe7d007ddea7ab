//! Storefront customer credentials: the host's customer realm. Only what sign-in needs lives
//! here (email, argon2id hash, status); everything else about customers (names, addresses,
//! groups) belongs to the customers plugin, which knows a customer by this id.
//!
//! Password reset tokens are 256-bit secrets shown once (in the log, as there is no mail
//! server); the table keeps their SHA-256. A token works once, for [`RESET_LIFETIME`] seconds
//! (a set-password link issued by the Back Office for [`SET_PASSWORD_LIFETIME`]).
//!
//! Functions that the `customer-accounts` plugin interface also needs take any executor (the
//! pool, or the plugin call's transaction), so both paths run the same SQL.

use serde::Serialize;
use sqlx::{Any, Executor, Row};

use super::secret;
use super::{AuthError, AuthResult};
use crate::db::{self, Db};

/// How long a password reset token works.
pub const RESET_LIFETIME: i64 = 60 * 60;

/// How long a set-password link for an account created in the Back Office works.
pub const SET_PASSWORD_LIFETIME: i64 = 7 * 24 * 60 * 60;

/// The stored "hash" of an account created without a password: not a PHC string, so no
/// password ever verifies against it (see `password::verify`).
pub const NO_PASSWORD: &str = "!";

/// The path of the form that consumes a reset (or set-password) token.
pub fn reset_link(token: &str) -> String {
    format!("/customer/password-reset/confirm?token={token}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Blocked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Blocked => "blocked",
        }
    }

    fn parse(value: &str) -> Status {
        match value {
            "active" => Status::Active,
            _ => Status::Blocked,
        }
    }
}

/// A storefront customer as the host knows them.
#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub id: i64,
    pub email: String,
    pub status: Status,
    pub created_at: i64,
}

fn from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<Customer> {
    Ok(Customer {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        status: Status::parse(&row.try_get::<String, _>("status")?),
        created_at: row.try_get("created_at")?,
    })
}

/// Creates a customer; a taken email is [`AuthError::EmailTaken`].
pub async fn create<'e>(
    db: impl Executor<'e, Database = Any>,
    email: &str,
    password_hash: &str,
    now: i64,
) -> AuthResult<i64> {
    let inserted = sqlx::query_scalar(
        "INSERT INTO customers_auth (email, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(email)
    .bind(password_hash)
    .bind(now)
    .fetch_one(db)
    .await;
    match inserted {
        Ok(id) => Ok(id),
        Err(e) if db::is_unique_violation(&e) => Err(AuthError::EmailTaken),
        Err(e) => Err(e.into()),
    }
}

pub async fn get<'e>(
    db: impl Executor<'e, Database = Any>,
    id: i64,
) -> sqlx::Result<Option<Customer>> {
    let row = sqlx::query("SELECT id, email, status, created_at FROM customers_auth WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Changes a customer's sign-in email (already validated); a taken email is
/// [`AuthError::EmailTaken`]. False when there is no such customer.
pub async fn set_email<'e>(
    db: impl Executor<'e, Database = Any>,
    id: i64,
    email: &str,
    now: i64,
) -> AuthResult<bool> {
    let updated =
        sqlx::query("UPDATE customers_auth SET email = $1, updated_at = $2 WHERE id = $3")
            .bind(email)
            .bind(now)
            .bind(id)
            .execute(db)
            .await;
    match updated {
        Ok(done) => Ok(done.rows_affected() > 0),
        Err(e) if db::is_unique_violation(&e) => Err(AuthError::EmailTaken),
        Err(e) => Err(e.into()),
    }
}

/// Blocks or unblocks a customer. False when there is no such customer. The caller ends the
/// sessions of a blocked customer (`session::delete_all_for`).
pub async fn set_status<'e>(
    db: impl Executor<'e, Database = Any>,
    id: i64,
    status: Status,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE customers_auth SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The customer with this (normalised) email and their password hash.
pub async fn find_credentials(db: &Db, email: &str) -> sqlx::Result<Option<(Customer, String)>> {
    let row = sqlx::query(
        "SELECT id, email, status, created_at, password_hash FROM customers_auth WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| Ok((from_row(&row)?, row.try_get("password_hash")?)))
        .transpose()
}

pub async fn set_password_hash(db: &Db, id: i64, hash: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE customers_auth SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Issues a reset token for a customer, valid for `lifetime` seconds, and returns it (the only
/// time it exists in clear).
pub async fn create_reset<'e>(
    db: impl Executor<'e, Database = Any>,
    customer_id: i64,
    now: i64,
    lifetime: i64,
) -> sqlx::Result<String> {
    let token = secret::generate();
    sqlx::query(
        "INSERT INTO customer_password_resets (token_hash, customer_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(secret::digest(&token))
    .bind(customer_id)
    .bind(now)
    .bind(now + lifetime)
    .execute(db)
    .await?;
    Ok(token)
}

/// True when `token` is unused and unexpired (for showing the form; nothing is consumed).
pub async fn reset_is_valid(db: &Db, token: &str, now: i64) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT customer_id FROM customer_password_resets \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(secret::digest(token))
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// Marks `token` used and returns its customer, if it was unused and unexpired. One statement,
/// so two concurrent uses cannot both succeed.
pub async fn consume_reset(db: &Db, token: &str, now: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE customer_password_resets SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING customer_id",
    )
    .bind(now)
    .bind(secret::digest(token))
    .fetch_optional(db.pool())
    .await
}

/// Ends every other outstanding reset token of a customer (after a successful reset).
pub async fn revoke_resets(db: &Db, customer_id: i64, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE customer_password_resets SET used_at = $1 WHERE customer_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(customer_id)
    .execute(db.pool())
    .await?;
    Ok(())
}
