//! Storefront customer credentials: the host's customer realm. Only what sign-in needs lives
//! here (email, argon2id hash, status); everything else about customers (names, addresses,
//! groups) belongs to the customers plugin, which knows a customer by this id.
//!
//! Password reset tokens (`auth::resets`, realm customer) work once, for [`RESET_LIFETIME`]
//! seconds when mailed to a customer who forgot theirs, and for [`SET_PASSWORD_LIFETIME`] when
//! issued by the Back Office as a set-password link.
//!
//! Functions that the `customer-accounts` plugin interface also needs take any executor (the
//! pool, or the plugin call's transaction), so both paths run the same SQL.

use serde::Serialize;
use sqlx::{Any, Executor, Row};

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
