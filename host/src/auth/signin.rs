//! The sign-in decision: throttling, password check, timing equalisation, hash upgrades.
//!
//! Replies for an unknown email and a wrong password are identical in text and, through
//! `password::verify_dummy`, in time.

use super::customers::{self, Customer};
use super::session::Realm;
use super::{AuthResult, password, throttle};
use crate::db::Db;
use crate::users::{self, Status, User};

/// Why a sign-in failed, as far as the caller may know (`web::error` words the answer).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown email, wrong password or deleted account: indistinguishable by design.
    BadCredentials,
    /// The password was right but an admin blocked the account.
    Blocked,
    /// Too many failures for this account or address (for [`throttle::WINDOW_SECONDS`]).
    Locked,
}

/// Checks a back-office user's email and password.
pub async fn admin(
    db: &Db,
    email: &str,
    password: &str,
    ip: &str,
    now: i64,
) -> AuthResult<Result<User, Refusal>> {
    let keys = throttle::Keys::new(Realm::Admin, email, ip);
    let Some(attempt) = throttle::begin(db, &keys, now).await? else {
        return Ok(Err(Refusal::Locked));
    };
    let found = users::find_credentials(db, &email.trim().to_lowercase()).await?;
    let usable_hash = match &found {
        Some((user, hash)) if user.status != Status::Deleted => Some(hash.as_str()),
        _ => None,
    };
    let verified = password::verify_off_thread(password, usable_hash).await?;
    let Some((user, hash)) = found.filter(|_| verified) else {
        throttle::failed(db, now).await?;
        return Ok(Err(Refusal::BadCredentials));
    };
    throttle::succeeded(db, &keys, &attempt).await?;
    if user.status == Status::Blocked {
        return Ok(Err(Refusal::Blocked));
    }
    if password::needs_rehash(&hash) {
        users::set_password_hash(
            db,
            user.id,
            &password::hash_off_thread(password).await?,
            now,
        )
        .await?;
    }
    Ok(Ok(user))
}

/// Checks a storefront customer's email and password: the same throttling (in the customer
/// realm's own counters), the same timing equalisation and hash upgrades as for admins.
pub async fn customer(
    db: &Db,
    email: &str,
    password: &str,
    ip: &str,
    now: i64,
) -> AuthResult<Result<Customer, Refusal>> {
    let keys = throttle::Keys::new(Realm::Customer, email, ip);
    let Some(attempt) = throttle::begin(db, &keys, now).await? else {
        return Ok(Err(Refusal::Locked));
    };
    let found = customers::find_credentials(db, &email.trim().to_lowercase()).await?;
    let verified =
        password::verify_off_thread(password, found.as_ref().map(|(_, h)| h.as_str())).await?;
    let Some((customer, hash)) = found.filter(|_| verified) else {
        throttle::failed(db, now).await?;
        return Ok(Err(Refusal::BadCredentials));
    };
    throttle::succeeded(db, &keys, &attempt).await?;
    if customer.status != customers::Status::Active {
        return Ok(Err(Refusal::Blocked));
    }
    if password::needs_rehash(&hash) {
        let upgraded = password::hash_off_thread(password).await?;
        customers::set_password_hash(db, customer.id, &upgraded, now).await?;
    }
    Ok(Ok(customer))
}
