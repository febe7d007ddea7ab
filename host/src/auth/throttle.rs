//! Sign-in throttling, per account and per client address.
//!
//! Failures are counted in a sliding window in the database (shared by all hosts). The account key
//! is the email as typed, whether or not such an account exists, so a locked unknown email looks
//! exactly like a locked real one.

use super::session::Realm;
use crate::db::Db;

/// How far back failures count.
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures on one account within the window before it is locked.
pub const MAX_PER_ACCOUNT: i64 = 5;
/// Failures from one address within the window before it is locked.
pub const MAX_PER_ADDRESS: i64 = 20;

/// The two counters a sign-in attempt touches.
#[derive(Debug)]
pub struct Keys {
    account: String,
    address: String,
}

impl Keys {
    pub fn new(realm: Realm, email: &str, ip: &str) -> Keys {
        Keys {
            account: format!("{}:account:{}", realm.as_str(), email.trim().to_lowercase()),
            address: format!("{}:address:{ip}", realm.as_str()),
        }
    }
}

/// True when either counter is at its limit.
pub async fn is_locked(db: &Db, keys: &Keys, now: i64) -> sqlx::Result<bool> {
    let since = now - WINDOW_SECONDS;
    let account = count(db, &keys.account, since).await?;
    let address = count(db, &keys.address, since).await?;
    Ok(account >= MAX_PER_ACCOUNT || address >= MAX_PER_ADDRESS)
}

pub async fn record_failure(db: &Db, keys: &Keys, now: i64) -> sqlx::Result<()> {
    for key in [&keys.account, &keys.address] {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(db.pool())
            .await?;
    }
    // Old rows are useless; trimming here keeps the table small without a janitor task.
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now - WINDOW_SECONDS)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A successful sign-in clears the account counter (not the address one: a shared address that
/// guesses many accounts stays throttled).
pub async fn record_success(db: &Db, keys: &Keys) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(&keys.account)
        .execute(db.pool())
        .await?;
    Ok(())
}

async fn count(db: &Db, key: &str, since: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
        .bind(key)
        .bind(since)
        .fetch_one(db.pool())
        .await
}
