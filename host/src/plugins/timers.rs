//! The cap on a plugin's scheduled events (`events.publish-after`: timers), so that one plugin
//! cannot fill the outbox with millions of future events (each call may schedule up to
//! `MAX_EVENTS_PER_CALL`, and a plugin can be called again and again).
//!
//! Counting a plugin's pending timers is a scan of them (the partial index `events_timers`),
//! and a real shop has tens of thousands (sales schedules one per open order). So the count is
//! kept here and taken from the database at most every [`RECOUNT_SECONDS`], or sooner when it
//! nears the cap; in between, each timer taken adds one. A rolled-back call's timers are
//! counted until the next recount, which errs on the side of the cap.

use std::collections::HashMap;
use std::sync::Mutex;

use sqlx::AnyConnection;

/// How long a plugin's counted timers are trusted before they are counted again.
pub const RECOUNT_SECONDS: i64 = 10;

/// The pending timers per plugin, as last counted plus what was taken since.
#[derive(Debug, Default)]
pub struct Timers {
    counted: Mutex<HashMap<String, Counted>>,
}

#[derive(Debug, Clone, Copy)]
struct Counted {
    at: i64,
    pending: u64,
}

impl Timers {
    /// Takes one timer for `plugin`, whose cap is `cap`: `Ok(Err(message))` when it already
    /// has `cap` timers pending. `conn` is the call's transaction (its own new timers count).
    pub async fn take(
        &self,
        conn: &mut AnyConnection,
        plugin: &str,
        cap: u64,
        now: i64,
    ) -> sqlx::Result<Result<(), String>> {
        let trusted = self.known(plugin).filter(|c| {
            now - c.at < RECOUNT_SECONDS && c.pending.saturating_mul(10) < cap.saturating_mul(9)
        });
        if trusted.is_none() {
            let pending = count(conn, plugin, now, cap).await?;
            self.remember(plugin, Counted { at: now, pending });
        }
        let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        let entry = counted.get_mut(plugin).expect("counted above");
        if entry.pending >= cap {
            return Ok(Err(format!(
                "plugin {plugin} has {cap} scheduled events pending, its limit; \
                 an administrator can raise it on the Plugins page"
            )));
        }
        entry.pending += 1;
        Ok(Ok(()))
    }

    fn known(&self, plugin: &str) -> Option<Counted> {
        let counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        counted.get(plugin).copied()
    }

    fn remember(&self, plugin: &str, fresh: Counted) {
        let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        counted.insert(plugin.to_owned(), fresh);
    }
}

/// `plugin`'s timers not yet due at `now`, counted up to `cap` (the count stops there).
async fn count(conn: &mut AnyConnection, plugin: &str, now: i64, cap: u64) -> sqlx::Result<u64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE source = $1 AND fires_at > $2 LIMIT $3) AS pending",
    )
    .bind(plugin)
    .bind(now)
    .bind(i64::try_from(cap).unwrap_or(i64::MAX))
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(n).unwrap_or_default())
}
