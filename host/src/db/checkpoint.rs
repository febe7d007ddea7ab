//! SQLite WAL checkpoints, off the request path.
//!
//! Why: by default the connection whose commit pushes the write-ahead log past 1,000 pages
//! copies the log back into the database file and syncs it before its commit returns. A bulk
//! import at 100,000 products dirties thousands of index pages per call, so every import
//! request paid for a checkpoint (its commit grew from 25 ms to 100 ms as the catalog grew).
//! Connections therefore never checkpoint on commit (`wal_autocheckpoint = 0`, set in
//! [`super::Db::connect`]) and this task does it on a pooled connection right after a plugin
//! call committed ([`super::Db::committed`]: the copy then overlaps the next request's reading
//! and computing rather than its commit) and otherwise every [`INTERVAL`], in `PASSIVE` mode:
//! it copies what no reader still needs and never waits for, or blocks, readers and writers.
//! Commits stay durable (`synchronous = FULL` syncs the log); only the copy into the main file
//! moves.
//!
//! Owns nothing but that schedule. Ends once every [`super::Db`] handle is gone, so a test's
//! database closes with it. When the process stops, SQLite checkpoints as the last connection
//! closes, and a log left by a crash is replayed on the next open: no commit is lost.

use std::sync::Weak;
use std::time::Duration;

use sqlx::AnyPool;
use tokio::sync::Notify;

/// How often the log is copied back when no commit asks for it: writes outside plugin calls
/// (sessions, audit) grow the log by at most this much of writing.
const INTERVAL: Duration = Duration::from_millis(500);

/// Starts the checkpoint task for `pool`, woken early by `committed`; it runs while a
/// [`super::Db`] holds `committed`.
pub(super) fn spawn(pool: AnyPool, committed: Weak<Notify>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while let Some(wake) = committed.upgrade() {
            tokio::select! {
                _ = tick.tick() => {}
                _ = wake.notified() => {}
            }
            drop(wake);
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %err, "WAL checkpoint failed; the next one retries");
            }
        }
    });
}
