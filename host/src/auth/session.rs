//! Server-side sessions stored in the database (so several hosts can share them).
//!
//! A session is created only by a successful sign-in, always with a fresh token (rotation: a token
//! seen before sign-in is never promoted). It ends on sign-out, after `idle` seconds without a
//! request, after `absolute` seconds in any case, or when its subject is disabled.

use sqlx::Row;

use super::secret;
use crate::db::Db;

/// Which population a session belongs to. An admin session never authenticates a customer and
/// vice versa; an agent session (a back-office user signed in on the storefront to assist
/// customers, `auth::agent`) is neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    Admin,
    Customer,
    Agent,
}

impl Realm {
    pub fn as_str(self) -> &'static str {
        match self {
            Realm::Admin => "admin",
            Realm::Customer => "customer",
            Realm::Agent => "agent",
        }
    }
}

/// Session lifetimes in seconds.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle: i64,
    pub absolute: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            idle: 30 * 60,
            absolute: 12 * 60 * 60,
        }
    }
}

/// `last_seen_at` is written at most this often, so reads do not all become writes.
const TOUCH_EVERY: i64 = 60;

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub subject_id: i64,
    pub csrf_token: String,
}

/// Starts a session and returns the token for the cookie.
pub async fn create(
    db: &Db,
    realm: Realm,
    subject_id: i64,
    ip: &str,
    user_agent: &str,
    now: i64,
) -> sqlx::Result<(String, Session)> {
    let token = secret::generate();
    let session = Session {
        token_hash: secret::digest(&token),
        subject_id,
        csrf_token: secret::generate(),
    };
    sqlx::query(
        "INSERT INTO sessions (token_hash, realm, subject_id, csrf_token, created_at, last_seen_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
    )
    .bind(&session.token_hash)
    .bind(realm.as_str())
    .bind(subject_id)
    .bind(&session.csrf_token)
    .bind(now)
    .bind(ip)
    .bind(truncate(user_agent, 255))
    .execute(db.pool())
    .await?;
    Ok((token, session))
}

/// The outcome of presenting a session token.
#[derive(Debug)]
pub enum Lookup {
    Valid(Session),
    /// The token was valid once but timed out; it has been deleted.
    Expired,
    Unknown,
}

/// Looks a token up, enforcing both timeouts and refreshing the idle timer.
pub async fn lookup(
    db: &Db,
    realm: Realm,
    token: &str,
    lifetimes: Lifetimes,
    now: i64,
) -> sqlx::Result<Lookup> {
    let token_hash = secret::digest(token);
    let row = sqlx::query(
        "SELECT subject_id, csrf_token, created_at, last_seen_at FROM sessions \
         WHERE token_hash = $1 AND realm = $2",
    )
    .bind(&token_hash)
    .bind(realm.as_str())
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(Lookup::Unknown);
    };
    let created_at: i64 = row.try_get("created_at")?;
    let last_seen_at: i64 = row.try_get("last_seen_at")?;
    if now - last_seen_at > lifetimes.idle || now - created_at > lifetimes.absolute {
        delete(db, &token_hash).await?;
        return Ok(Lookup::Expired);
    }
    if now - last_seen_at >= TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&token_hash)
            .execute(db.pool())
            .await?;
    }
    Ok(Lookup::Valid(Session {
        token_hash,
        subject_id: row.try_get("subject_id")?,
        csrf_token: row.try_get("csrf_token")?,
    }))
}

pub async fn delete(db: &Db, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends every session of one subject (disable, password change, delete, a blocked customer);
/// on the pool or inside a caller's transaction.
pub async fn delete_all_for<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    realm: Realm,
    subject_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE realm = $1 AND subject_id = $2")
        .bind(realm.as_str())
        .bind(subject_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of one subject except the one given (after a password change).
pub async fn delete_others(db: &Db, realm: Realm, subject_id: i64, keep: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE realm = $1 AND subject_id = $2 AND token_hash <> $3")
        .bind(realm.as_str())
        .bind(subject_id)
        .bind(keep)
        .execute(db.pool())
        .await?;
    Ok(())
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((idx, _)) => &s[..idx],
        None => s,
    }
}
