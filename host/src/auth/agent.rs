//! The agent realm of agent assist: which customer an agent's storefront session acts for.
//!
//! An agent is a back-office user with the `agent` flag who signed in at `/agent/login`: a
//! session of realm [`Realm::Agent`] (its own cookie, the admins' timeouts), never an admin or a
//! customer session. Starting an assistance binds that session to one customer account
//! (a row of `agent_assistances` whose `session_hash` is the session's and whose `ended_at`
//! is NULL; a unique index allows one per session, so switching customers means ending first).
//! The customer's own sessions are never read, created or shown: the agent acts through their
//! own session, and the host reports the customer to plugins as `current-customer` with the
//! agent as `acting-agent`.
//!
//! The rows are the host's because the realm is: who may act for whom is decided on every
//! request (`web::identity`), before any plugin runs, and must survive a disabled or broken
//! section. Ended rows are the assistance history (with `acts`, the number of state changes;
//! each act is also an `audit_log` row). The host announces start and end as events so the
//! agent-assist section can keep its own history for its Back Office pages.

use serde::Serialize;
use sqlx::{Any, Executor, Row};

use super::session::Realm;
use super::{AuthError, AuthResult};
use crate::db::{self, Db};

/// How an assistance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The agent ended it.
    Ended,
    /// The agent signed out while assisting.
    SignedOut,
    /// The agent session timed out.
    TimedOut,
    /// The agent lost the flag, was blocked, deleted or had their password reset.
    Revoked,
}

impl Ending {
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Ended => "ended",
            Ending::SignedOut => "signed-out",
            Ending::TimedOut => "timed-out",
            Ending::Revoked => "revoked",
        }
    }
}

/// One assistance: an agent acting for a customer.
#[derive(Debug, Clone, Serialize)]
pub struct Assistance {
    pub id: i64,
    pub agent_id: i64,
    pub customer_id: i64,
    pub customer_email: String,
    /// The customer's name as the agent-assist section found it at the start (the banner's).
    pub customer_name: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub ended_how: Option<String>,
    pub acts: i64,
}

const COLUMNS: &str = "id, agent_id, customer_id, customer_email, customer_name, started_at, ended_at, ended_how, acts";

fn from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<Assistance> {
    Ok(Assistance {
        id: row.try_get("id")?,
        agent_id: row.try_get("agent_id")?,
        customer_id: row.try_get("customer_id")?,
        customer_email: row.try_get("customer_email")?,
        customer_name: row.try_get("customer_name")?,
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("ended_at")?,
        ended_how: row.try_get("ended_how")?,
        acts: row.try_get("acts")?,
    })
}

/// The assistance the agent session `session_hash` is in, if any.
pub async fn live(db: &Db, session_hash: &str) -> sqlx::Result<Option<Assistance>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agent_assistances WHERE session_hash = $1 AND ended_at IS NULL"
    ))
    .bind(session_hash)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// What [`start`] binds a session to.
#[derive(Debug)]
pub struct Start<'a> {
    pub agent_id: i64,
    pub session_hash: &'a str,
    pub customer_id: i64,
    pub customer_email: &'a str,
    pub customer_name: &'a str,
}

/// Binds the agent session to a customer, on the caller's transaction; refused while the
/// session already assists someone (the unique index decides, so two tabs cannot both win).
pub async fn start<'e>(
    conn: impl Executor<'e, Database = Any>,
    start: &Start<'_>,
    now: i64,
) -> AuthResult<i64> {
    let inserted = sqlx::query_scalar(
        "INSERT INTO agent_assistances \
         (agent_id, customer_id, customer_email, customer_name, session_hash, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(start.agent_id)
    .bind(start.customer_id)
    .bind(start.customer_email)
    .bind(start.customer_name)
    .bind(start.session_hash)
    .bind(now)
    .fetch_one(conn)
    .await;
    match inserted {
        Ok(id) => Ok(id),
        Err(e) if db::is_unique_violation(&e) => Err(AuthError::AlreadyAssisting),
        Err(e) => Err(e.into()),
    }
}

/// Ends the live assistance of `session_hash`, if there is one; the ended row.
pub async fn end<'e>(
    conn: impl Executor<'e, Database = Any>,
    session_hash: &str,
    how: Ending,
    now: i64,
) -> sqlx::Result<Option<Assistance>> {
    let row = sqlx::query(&format!(
        "UPDATE agent_assistances SET ended_at = $1, ended_how = $2, session_hash = NULL \
         WHERE session_hash = $3 AND ended_at IS NULL RETURNING {COLUMNS}"
    ))
    .bind(now)
    .bind(how.as_str())
    .bind(session_hash)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Counts one state-changing request of the assistance `id`.
pub async fn count_act(db: &Db, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE agent_assistances SET acts = acts + 1 WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends the live assistances of user `agent_id` (the flag was removed, the user blocked,
/// deleted or their password reset) and every agent session of theirs; the ended rows.
pub async fn revoke(db: &Db, agent_id: i64, now: i64) -> sqlx::Result<Vec<Assistance>> {
    let rows = sqlx::query(&format!(
        "UPDATE agent_assistances SET ended_at = $1, ended_how = $2, session_hash = NULL \
         WHERE agent_id = $3 AND ended_at IS NULL RETURNING {COLUMNS}"
    ))
    .bind(now)
    .bind(Ending::Revoked.as_str())
    .bind(agent_id)
    .fetch_all(db.pool())
    .await?;
    super::session::delete_all_for(db.pool(), Realm::Agent, agent_id).await?;
    rows.iter().map(from_row).collect()
}
