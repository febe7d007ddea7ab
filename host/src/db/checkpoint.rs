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
use tokio::sync::{Notify, watch};

/// How often the log is copied back when no commit asks for it: writes outside plugin calls
/// (sessions, audit) grow the log by at most this much of writing.
const INTERVAL: Duration = Duration::from_millis(500);

/// Starts the checkpoint task for `pool`, woken early by `committed`; it runs while a
/// [`super::Db`] holds `committed`, and counts the checkpoints it completed in `done`.
pub(super) fn spawn(pool: AnyPool, committed: Weak<Notify>, done: watch::Sender<u64>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while let Some(wake) = committed.upgrade() {
            tokio::select! {
                _ = tick.tick() => {}
                _ = wake.notified() => {}
            }
            drop(wake);
            match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                Ok(_) => done.send_modify(|n| *n += 1),
                Err(err) => {
                    tracing::warn!(error = %err, "WAL checkpoint failed; the next one retries")
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use crate::db::Db;

    /// A commit leaves the log alone; after `committed` the task copies it into the database
    /// file, which then holds the rows without its log.
    #[tokio::test]
    async fn committed_writes_reach_the_database_file_without_a_commit_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&Db::default_url(dir.path())).await.unwrap();
        let pool = db.pool();
        let auto: i64 = sqlx::query("PRAGMA wal_autocheckpoint")
            .fetch_one(pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(auto, 0, "commits never checkpoint");

        sqlx::query("CREATE TABLE t (n BIGINT)")
            .execute(pool)
            .await
            .unwrap();
        let mut tx = db.begin_write().await.unwrap();
        sqlx::query(
            "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 5000) \
             INSERT INTO t SELECT n FROM k",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();

        // A checkpoint that began before the commit may end first: wait for two more.
        let mut done = db.checkpoints_done().expect("SQLite has the task");
        let seen = *done.borrow_and_update();
        db.committed();
        let waited = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            done.wait_for(|n| *n >= seen + 2).await.map(|_| ())
        })
        .await;
        assert!(matches!(waited, Ok(Ok(()))), "no checkpoint finished");

        let copy = dir.path().join("copy.db");
        std::fs::copy(dir.path().join("backoffice.db"), &copy).unwrap();
        let alone = Db::connect(&format!("sqlite://{}", copy.display()))
            .await
            .unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM t")
            .fetch_one(alone.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(n, 5000);
    }
}
