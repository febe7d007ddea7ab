//! When to refresh a collection's planner statistics (SQLite `ANALYZE`).
//!
//! Why: SQLite picks indexes from statistics it only has after an `ANALYZE`. Statistics taken
//! while a table was small (or sampled with `analysis_limit`) make it choose a filter's index
//! plus a sort of every match over the index that serves the sort: at 100,000 products the
//! product list's `status = active` sorted by price took 180 ms that way instead of 0.5 ms.
//! So the runtime counts the records each collection gets written since its last refresh and
//! re-analyses it (fully, off the request path) once those writes reach a quarter of the rows
//! it had then, and at least [`MIN_WRITES`]: the cost stays proportional to the growth, and a
//! table that grows by many small calls gets fresh statistics as well as one bulk import.
//!
//! Counts live in this process only: after a restart the first [`MIN_WRITES`] writes to a
//! collection refresh it once. Never decides anything about access or data.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::db::Db;
use crate::storage::{self, Collection, Filter};

/// Writes to a collection after which its statistics are refreshed, however small it is.
pub const MIN_WRITES: u64 = 100;

#[derive(Debug, Default, Clone, Copy)]
struct Tracked {
    /// Records written since the last refresh.
    written: u64,
    /// Records the collection had at the last refresh (0: not refreshed by this process).
    rows: u64,
}

/// Writes per collection since its statistics were last refreshed.
#[derive(Debug, Default)]
pub struct Planner {
    tracked: Mutex<HashMap<String, Tracked>>,
}

impl Planner {
    /// Records `writes` committed to the collection stored in `table`; true when its
    /// statistics are due (the counter then starts again).
    pub fn note(&self, table: &str, writes: u64) -> bool {
        let mut tracked = self.tracked.lock().unwrap_or_else(|e| e.into_inner());
        let t = tracked.entry(table.to_owned()).or_default();
        t.written += writes;
        let due = t.written >= MIN_WRITES.max(t.rows / 4);
        if due {
            t.written = 0;
        }
        due
    }

    /// Remembers how many records the collection had when it was analysed.
    fn analysed(&self, table: &str, rows: u64) {
        let mut tracked = self.tracked.lock().unwrap_or_else(|e| e.into_inner());
        tracked.entry(table.to_owned()).or_default().rows = rows;
    }
}

/// Refreshes the statistics of `collection` on a pooled connection (in the background: the
/// request that wrote does not wait for it).
pub fn refresh(db: &Db, planner: &std::sync::Arc<Planner>, collection: Collection) {
    let (db, planner) = (db.clone(), planner.clone());
    tokio::spawn(async move {
        let result = async {
            let mut conn = db.pool().acquire().await?;
            storage::analyze(&mut conn, &collection).await?;
            let rows = collection.count(&mut conn, &Filter::all()).await?;
            Ok::<u64, anyhow::Error>(rows)
        }
        .await;
        match result {
            Ok(rows) => planner.analysed(&collection.table(), rows),
            Err(err) => tracing::warn!(error = %err, "refreshing planner statistics failed"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_after_the_minimum_then_after_a_quarter_of_the_rows() {
        let planner = Planner::default();
        assert!(!planner.note("t", 99));
        assert!(planner.note("t", 1), "100 writes to a new table");
        planner.analysed("t", 10_000);
        assert!(!planner.note("t", 2_000));
        assert!(
            planner.note("t", 500),
            "2,500 writes are a quarter of 10,000"
        );
        assert!(!planner.note("t", 2_499), "counting starts again");
        assert!(planner.note("other", 5_000), "tables are counted apart");
    }
}
