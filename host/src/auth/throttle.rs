//! Sign-in throttling, per account *from one address* and per client address.
//!
//! Failures are counted in a sliding window in the database (shared by all hosts). The account key
//! is the email as typed, whether or not such an account exists, so a locked unknown email looks
//! exactly like a locked real one. It is paired with the client address: failures slow the
//! address that makes them, and someone else's failures can never lock the real user out of
//! their account (ASVS 2.2.1; the policy is in `docs/security.md`).

use super::session::Realm;
use crate::db::Db;

/// How far back failures count.
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures on one account from one address within the window before that pair is locked.
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
            account: format!(
                "{}:account:{}:from:{ip}",
                realm.as_str(),
                email.trim().to_lowercase()
            ),
            address: format!("{}:address:{ip}", realm.as_str()),
        }
    }

    /// The counters of "forgot password" requests of `realm`: their own key space, counted
    /// like sign-in failures but every request counts (a request cannot "succeed" without
    /// telling whether the account exists), so one client can neither flood an account's
    /// mailbox nor probe many addresses.
    pub fn password_reset(realm: Realm, email: &str, ip: &str) -> Keys {
        Keys::every_request_counts("reset", realm, email, ip)
    }

    /// The counters of customer registrations: every attempt counts, and the check comes before
    /// the password is hashed, so a flood from one address costs a counter row, not argon2.
    pub fn registration(email: &str, ip: &str) -> Keys {
        Keys::every_request_counts("register", Realm::Customer, email, ip)
    }

    fn every_request_counts(action: &str, realm: Realm, email: &str, ip: &str) -> Keys {
        let realm = realm.as_str();
        Keys {
            account: format!("{action}:{realm}:account:{}", email.trim().to_lowercase()),
            address: format!("{action}:{realm}:address:{ip}"),
        }
    }
}

/// Counts a request whose every occurrence counts (password resets, registrations) and tells
/// whether it is within both limits.
pub async fn count_request(db: &Db, keys: &Keys, now: i64) -> sqlx::Result<bool> {
    let allowed = begin(db, keys, now).await?.is_some();
    failed(db, now).await?;
    Ok(allowed)
}

/// A sign-in attempt already counted as a failure while its password is being checked.
#[derive(Debug)]
pub struct Attempt {
    ids: Vec<i64>,
}

/// Counts the attempt as a failure *before* the password is checked, then tells whether it is
/// within both limits. Counting first means parallel attempts cannot all read "not locked"
/// before any of them is recorded: the n-th attempt in flight sees at least n rows. `None`
/// means locked; the attempt's rows are removed again, so refused attempts do not extend it.
pub async fn begin(db: &Db, keys: &Keys, now: i64) -> sqlx::Result<Option<Attempt>> {
    let mut ids = Vec::with_capacity(2);
    for key in [&keys.account, &keys.address] {
        let id: i64 =
            sqlx::query_scalar("INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id")
                .bind(key)
                .bind(now)
                .fetch_one(db.pool())
                .await?;
        ids.push(id);
    }
    let since = now - WINDOW_SECONDS;
    // Each count includes this attempt, hence `>`. Only rows up to this attempt's own count:
    // attempts that started later must not lock this one, however the parallel requests
    // interleave (the n-th attempt sees exactly the n − 1 before it that are still counted).
    let account = count(db, &keys.account, since, ids[0]).await?;
    let address = count(db, &keys.address, since, ids[1]).await?;
    let attempt = Attempt { ids };
    if account > MAX_PER_ACCOUNT || address > MAX_PER_ADDRESS {
        forget(db, &attempt).await?;
        return Ok(None);
    }
    Ok(Some(attempt))
}

/// The password was wrong: the attempt stays counted. Old rows are useless; trimming here keeps
/// the table small without a janitor task.
pub async fn failed(db: &Db, now: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now - WINDOW_SECONDS)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The password was right: the attempt is not a failure, and the counter of this account from
/// this address is cleared (not the address one: a shared address that guesses many accounts
/// stays throttled).
pub async fn succeeded(db: &Db, keys: &Keys, attempt: &Attempt) -> sqlx::Result<()> {
    forget(db, attempt).await?;
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(&keys.account)
        .execute(db.pool())
        .await?;
    Ok(())
}

async fn forget(db: &Db, attempt: &Attempt) -> sqlx::Result<()> {
    for id in &attempt.ids {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(id)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

async fn count(db: &Db, key: &str, since: i64, up_to: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2 AND id <= $3",
    )
    .bind(key)
    .bind(since)
    .bind(up_to)
    .fetch_one(db.pool())
    .await
}
