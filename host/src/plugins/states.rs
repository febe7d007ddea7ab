//! What an admin decides about each plugin, kept in the `plugins` table (the source of truth
//! shared by every host on the database): enabled or not, and its limits. The registry holds
//! a copy that [`refresh`] re-reads, so the CLI and other hosts are seen within one refresh.

use std::collections::{HashMap, HashSet};

use super::engine::{self, Limits};
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

/// Re-reads which plugins are disabled and their limits into `registry`.
pub async fn refresh(db: &Db, registry: &Registry) -> sqlx::Result<()> {
    let rows: Vec<(String, i64, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT id, enabled, deadline_ms, memory_mib FROM plugins")
            .fetch_all(db.pool())
            .await?;
    let mut disabled = HashSet::new();
    let mut limits = HashMap::new();
    for (id, enabled, deadline_ms, memory_mib) in rows {
        if deadline_ms.is_some() || memory_mib.is_some() {
            limits.insert(id.clone(), Limits::with_overrides(deadline_ms, memory_mib));
        }
        if enabled == 0 {
            disabled.insert(id);
        }
    }
    registry.set_disabled(disabled);
    registry.set_limits(limits);
    Ok(())
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

/// Sets (or, with `None`, resets to the default) a plugin's deadline and memory cap.
pub async fn set_limits(
    db: &Db,
    id: &str,
    deadline_ms: Option<i64>,
    memory_mib: Option<i64>,
    now: i64,
) -> Result<bool, LimitError> {
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
    let done = sqlx::query(
        "UPDATE plugins SET deadline_ms = $1, memory_mib = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(deadline_ms)
    .bind(memory_mib)
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
