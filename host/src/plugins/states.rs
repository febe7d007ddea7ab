//! What an admin decides about each plugin, kept in the `plugins` table (the source of truth
//! shared by every host on the database): enabled or not, its limits, and what it may reach
//! beyond its own data (see `consent`). The registry holds a copy that [`refresh`] re-reads,
//! so the CLI and other hosts are seen within one refresh.

use std::collections::{HashMap, HashSet};

use super::consent::Requests;
use super::engine::{self, Limits, Overrides};
use super::manifest::Manifest;
use super::registry::Registry;
use crate::db::Db;

/// Makes sure the plugin has a row in `plugins` (new plugins start enabled).
pub async fn remember(db: &Db, manifest: &Manifest, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO plugins (id, enabled, version, updated_at) VALUES ($1, 1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version",
    )
    .bind(&manifest.id)
    .bind(&manifest.version)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Re-reads which plugins are disabled and their limits into `registry`; returns what the
/// admin has approved for each plugin, so pending versions approved elsewhere (the CLI,
/// another host) can be activated.
pub async fn refresh(db: &Db, registry: &Registry) -> sqlx::Result<HashMap<String, Approval>> {
    type Row = (
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, enabled, deadline_ms, memory_mib, max_calls, max_timers, approved FROM plugins",
    )
    .fetch_all(db.pool())
    .await?;
    let mut disabled = HashSet::new();
    let mut limits = HashMap::new();
    let mut approvals = HashMap::new();
    for (id, enabled, deadline_ms, memory_mib, max_calls, max_timers, approved) in rows {
        let overrides = Overrides {
            deadline_ms,
            memory_mib,
            max_calls,
            max_timers,
        };
        if !overrides.is_empty() {
            limits.insert(id.clone(), Limits::with_overrides(overrides));
        }
        if enabled == 0 {
            disabled.insert(id.clone());
        }
        approvals.insert(id, Approval::parse(approved.as_deref()));
    }
    registry.set_disabled(disabled);
    registry.set_limits(limits);
    Ok(approvals)
}

/// What the admin approved for one plugin id.
#[derive(Debug, Clone, PartialEq)]
pub enum Approval {
    /// Nothing yet: the plugin was never installed, or never asked for anything.
    None,
    /// Installed before consent existed: its next load approves what it asks then.
    Existing,
    Granted(Requests),
}

impl Approval {
    fn parse(stored: Option<&str>) -> Approval {
        match stored {
            None => Approval::None,
            Some("existing") => Approval::Existing,
            Some(json) => serde_json::from_str(json)
                .map(Approval::Granted)
                .unwrap_or(Approval::None),
        }
    }

    /// What of `asks` this approval does not cover (`Existing` covers anything once).
    pub fn missing(&self, asks: &Requests) -> Requests {
        match self {
            Approval::None => asks.beyond(&Requests::default()),
            Approval::Existing => Requests::default(),
            Approval::Granted(granted) => asks.beyond(granted),
        }
    }
}

/// What the admin approved for plugin `id`.
pub async fn approval(db: &Db, id: &str) -> sqlx::Result<Approval> {
    let stored: Option<Option<String>> =
        sqlx::query_scalar("SELECT approved FROM plugins WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(Approval::parse(stored.flatten().as_deref()))
}

/// Records that `by` approved `asks` for plugin `id` (replacing an earlier approval, and
/// clearing what was pending).
pub async fn approve(db: &Db, id: &str, asks: &Requests, by: &str, now: i64) -> sqlx::Result<()> {
    let json = serde_json::to_string(asks).unwrap_or_default();
    sqlx::query(
        "INSERT INTO plugins (id, enabled, updated_at, approved, approved_by, approved_at) \
         VALUES ($1, 1, $2, $3, $4, $2) \
         ON CONFLICT (id) DO UPDATE SET approved = excluded.approved, \
         approved_by = excluded.approved_by, approved_at = excluded.approved_at, pending = NULL",
    )
    .bind(id)
    .bind(now)
    .bind(json)
    .bind(by)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Records what a version of plugin `id` waiting for approval asks for, so the CLI can approve
/// it without loading the plugin.
pub async fn mark_pending(db: &Db, id: &str, asks: &Requests, now: i64) -> sqlx::Result<()> {
    let json = serde_json::to_string(asks).unwrap_or_default();
    sqlx::query(
        "INSERT INTO plugins (id, enabled, updated_at, pending) VALUES ($1, 1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET pending = excluded.pending",
    )
    .bind(id)
    .bind(now)
    .bind(json)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Approves what the pending version of `id` asks for (the CLI's `plugin approve`); returns
/// what was granted, or none when nothing was pending.
pub async fn approve_pending(
    db: &Db,
    id: &str,
    by: &str,
    now: i64,
) -> sqlx::Result<Option<Requests>> {
    let pending: Option<Option<String>> =
        sqlx::query_scalar("SELECT pending FROM plugins WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    let Some(asks) = pending
        .flatten()
        .and_then(|json| serde_json::from_str::<Requests>(&json).ok())
    else {
        return Ok(None);
    };
    approve(db, id, &asks, by, now).await?;
    Ok(Some(asks))
}

/// Enables or disables a plugin.
pub async fn set_enabled(db: &Db, id: &str, enabled: bool, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE plugins SET enabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(enabled))
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets (or, with `None`, resets to the default) a plugin's deadline, memory cap, concurrent
/// calls and pending timers.
pub async fn set_limits(
    db: &Db,
    id: &str,
    overrides: Overrides,
    now: i64,
) -> Result<bool, LimitError> {
    let Overrides {
        deadline_ms,
        memory_mib,
        max_calls,
        max_timers,
    } = overrides;
    if let Some(ms) = deadline_ms
        && !(engine::MIN_DEADLINE_MS..=engine::MAX_DEADLINE_MS).contains(&ms)
    {
        return Err(LimitError(format!(
            "the deadline must be between {} and {} ms",
            engine::MIN_DEADLINE_MS,
            engine::MAX_DEADLINE_MS
        )));
    }
    let max_mib = (engine::MAX_MEMORY >> 20) as i64;
    if let Some(mib) = memory_mib
        && !(engine::MIN_MEMORY_MIB..=max_mib).contains(&mib)
    {
        return Err(LimitError(format!(
            "the memory cap must be between {} and {max_mib} MiB",
            engine::MIN_MEMORY_MIB
        )));
    }
    if let Some(n) = max_calls
        && !(engine::MIN_CALLS..=engine::MAX_CALLS).contains(&n)
    {
        return Err(LimitError(format!(
            "the concurrent calls must be between {} and {}",
            engine::MIN_CALLS,
            engine::MAX_CALLS
        )));
    }
    if let Some(n) = max_timers
        && !(engine::MIN_TIMERS..=engine::MAX_TIMERS).contains(&n)
    {
        return Err(LimitError(format!(
            "the pending timers must be between {} and {}",
            engine::MIN_TIMERS,
            engine::MAX_TIMERS
        )));
    }
    let done = sqlx::query(
        "UPDATE plugins SET deadline_ms = $1, memory_mib = $2, max_calls = $3, max_timers = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(deadline_ms)
    .bind(memory_mib)
    .bind(max_calls)
    .bind(max_timers)
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await
    .map_err(|e| LimitError(format!("saving the limits: {e}")))?;
    Ok(done.rows_affected() > 0)
}

/// A limit outside what the host allows; the message says the allowed range.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LimitError(pub String);
