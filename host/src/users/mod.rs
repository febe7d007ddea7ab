//! Back-office user accounts: the records behind sign-in and the Users pages.
//!
//! Deleting a user is soft (status `deleted`): audit rows keep pointing at a real account, and a
//! deleted user can never sign in or be listed again. Failures are [`UserError`]s; nothing here
//! knows HTTP.

mod error;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

pub use error::{UserError, UserResult};

use crate::db::{self, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Blocked,
    Deleted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Blocked => "blocked",
            Status::Deleted => "deleted",
        }
    }

    fn parse(value: &str) -> Status {
        match value {
            "active" => Status::Active,
            "blocked" => Status::Blocked,
            _ => Status::Deleted,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub status: Status,
    pub locale: String,
    /// May sign in on the storefront as an agent and act for customers (agent assist).
    pub agent: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, email, name, status, locale, agent, created_at, updated_at";

fn from_row(row: &AnyRow) -> sqlx::Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        status: Status::parse(row.try_get::<String, _>("status")?.as_str()),
        locale: row.try_get("locale")?,
        agent: row.try_get::<i64, _>("agent")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The fields of a new account, already validated.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub locale: &'a str,
}

pub async fn create(db: &Db, new: &NewUser<'_>, now: i64) -> UserResult<i64> {
    let result = sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, status, locale, created_at, updated_at) \
         VALUES ($1, $2, $3, 'active', $4, $5, $5) RETURNING id",
    )
    .bind(new.email)
    .bind(new.name)
    .bind(new.password_hash)
    .bind(new.locale)
    .bind(now)
    .fetch_one(db.pool())
    .await;
    result.map_err(|e| email_conflict(e, new.email))
}

fn email_conflict(err: sqlx::Error, email: &str) -> UserError {
    if db::is_unique_violation(&err) {
        UserError::EmailTaken(email.to_owned())
    } else {
        err.into()
    }
}

/// A user by id, including deleted ones (the caller decides what a deleted user means).
pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<User>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// A user that is not deleted, or [`UserError::NotFound`].
pub async fn get_visible(db: &Db, id: i64) -> UserResult<User> {
    match get(db, id).await? {
        Some(user) if user.status != Status::Deleted => Ok(user),
        _ => Err(UserError::NotFound(id)),
    }
}

/// A user and their password hash, by email (for sign-in).
pub async fn find_credentials(db: &Db, email: &str) -> sqlx::Result<Option<(User, String)>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| Ok((from_row(&row)?, row.try_get("password_hash")?)))
        .transpose()
}

pub async fn password_hash(db: &Db, id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
}

/// One page of the user list.
#[derive(Debug, Serialize)]
pub struct Page {
    pub users: Vec<User>,
    pub total: i64,
}

/// Users that are not deleted, optionally filtered by a case-insensitive substring of email or
/// name, newest first.
pub async fn list(db: &Db, search: &str, limit: i64, offset: i64) -> sqlx::Result<Page> {
    let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
    let filter = "status <> 'deleted' AND (LOWER(email) LIKE $1 ESCAPE '\\' OR LOWER(name) LIKE $1 ESCAPE '\\')";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users WHERE {filter}"))
        .bind(&pattern)
        .fetch_one(db.pool())
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM users WHERE {filter} ORDER BY id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let users = rows.iter().map(from_row).collect::<sqlx::Result<_>>()?;
    Ok(Page { users, total })
}

/// Escapes `%`, `_` and `\` so user input in a LIKE pattern matches literally.
pub fn escape_like(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn update_profile(
    db: &Db,
    id: i64,
    email: &str,
    name: &str,
    locale: &str,
    now: i64,
) -> UserResult<()> {
    sqlx::query(
        "UPDATE users SET email = $1, name = $2, locale = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(email)
    .bind(name)
    .bind(locale)
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await
    .map_err(|e| email_conflict(e, email))?;
    Ok(())
}

pub async fn set_locale(db: &Db, id: i64, locale: &str, now: i64) -> sqlx::Result<()> {
    set_column(db, id, "locale", locale, now).await
}

pub async fn set_status(db: &Db, id: i64, status: Status, now: i64) -> sqlx::Result<()> {
    set_column(db, id, "status", status.as_str(), now).await
}

/// Flags the user as an agent (may assist customers on the storefront) or not.
pub async fn set_agent(db: &Db, id: i64, agent: bool, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET agent = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(agent))
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn set_password_hash(db: &Db, id: i64, hash: &str, now: i64) -> sqlx::Result<()> {
    set_column(db, id, "password_hash", hash, now).await
}

/// Writes one text column of a user (a name from this module, never from input) and
/// `updated_at`.
async fn set_column(
    db: &Db,
    id: i64,
    column: &'static str,
    value: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "UPDATE users SET {column} = $1, updated_at = $2 WHERE id = $3"
    ))
    .bind(value)
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await
}

/// All users that are not deleted, for the CLI.
pub async fn all(db: &Db) -> sqlx::Result<Vec<User>> {
    Ok(list(db, "", i64::MAX, 0).await?.users)
}
