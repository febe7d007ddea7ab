//! Gauges read when `/metrics` is scraped, not kept up to date on every request: the database
//! pool, active sessions, the event backlog and the mail queue come from the pool and a few
//! grouped queries; the plugins' memory peaks and running calls from the numbers the Plugins
//! page shows (`plugins::stats`). A request pays nothing for them; a scrape pays four small
//! queries.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::metrics::{self, Metrics, label};
use crate::auth::session::Lifetimes;
use crate::db::Db;
use crate::plugins::registry::Registry;

/// Sets every scrape-time gauge of `metrics` from the database and the plugin registry.
pub async fn collect(
    metrics: &Metrics,
    db: &Db,
    registry: &Registry,
    lifetimes: Lifetimes,
    now: i64,
) -> sqlx::Result<()> {
    pool(metrics, db);
    plugins(metrics, registry);
    sessions(metrics, db, lifetimes, now).await?;
    events(metrics, db, now).await?;
    mail(metrics, db).await
}

fn pool(metrics: &Metrics, db: &Db) {
    let pool = db.pool();
    let open = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    metrics.set(
        metrics::DB_CONNECTIONS,
        vec![label("state", "in_use")],
        (open - idle).max(0.0),
    );
    metrics.set(metrics::DB_CONNECTIONS, vec![label("state", "idle")], idle);
    metrics.set(
        metrics::DB_CONNECTIONS_MAX,
        Vec::new(),
        f64::from(pool.options().get_max_connections()),
    );
}

fn plugins(metrics: &Metrics, registry: &Registry) {
    let loaded = registry.all();
    let mut peaks = Vec::new();
    let mut running = Vec::new();
    let mut info = Vec::new();
    let mut disabled = 0;
    for plugin in &loaded {
        let id = &plugin.manifest.id;
        let stats = plugin.stats.snapshot();
        peaks.push((vec![label("plugin", id)], stats.memory_peak as f64));
        running.push((vec![label("plugin", id)], stats.in_flight as f64));
        let version = label("version", &plugin.manifest.version);
        info.push((vec![label("plugin", id), version], 1.0));
        if registry.is_disabled(id) {
            disabled += 1;
        }
    }
    metrics.set_each(metrics::PLUGIN_MEMORY_PEAK, peaks);
    metrics.set_each(metrics::PLUGIN_CALLS_IN_FLIGHT, running);
    metrics.set_each(metrics::PLUGIN_INFO, info);
    let states = [
        ("enabled", loaded.len() - disabled),
        ("disabled", disabled),
        ("pending", registry.pendings().len()),
        ("failed", registry.failures().len()),
    ];
    for (state, count) in states {
        metrics.set(metrics::PLUGINS, vec![label("state", state)], count as f64);
    }
}

async fn sessions(metrics: &Metrics, db: &Db, lifetimes: Lifetimes, now: i64) -> sqlx::Result<()> {
    let rows = sqlx::query(
        "SELECT realm, COUNT(*) AS n FROM sessions \
         WHERE last_seen_at > $1 AND created_at > $2 GROUP BY realm",
    )
    .bind(now - lifetimes.idle)
    .bind(now - lifetimes.absolute)
    .fetch_all(db.pool())
    .await?;
    for realm in ["admin", "customer", "agent"] {
        let count = count_of(&rows, "realm", realm)?;
        metrics.set(metrics::SESSIONS_ACTIVE, vec![label("realm", realm)], count);
    }
    Ok(())
}

/// The backlog is what the Plugins page calls pending: due now, or failed and waiting for its
/// retry (delayed events not yet due are timers, not a backlog).
async fn events(metrics: &Metrics, db: &Db, now: i64) -> sqlx::Result<()> {
    let rows = sqlx::query(
        "SELECT subscriber, \
           SUM(CASE WHEN status = 'pending' AND (attempts > 0 OR next_attempt_at <= $1) THEN 1 ELSE 0 END) AS backlog, \
           SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead \
         FROM event_deliveries WHERE status IN ('pending', 'dead') GROUP BY subscriber",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut backlog = Vec::new();
    let mut dead = Vec::new();
    for row in rows {
        let subscriber: String = row.try_get("subscriber")?;
        let count = |column: &str| {
            row.try_get::<Option<i64>, _>(column)
                .map(|n| n.unwrap_or(0))
        };
        let labels = vec![label("subscriber", subscriber)];
        backlog.push((labels.clone(), count("backlog")? as f64));
        dead.push((labels, count("dead")? as f64));
    }
    metrics.set_each(metrics::EVENT_BACKLOG, backlog);
    metrics.set_each(metrics::EVENT_DEAD, dead);
    Ok(())
}

async fn mail(metrics: &Metrics, db: &Db) -> sqlx::Result<()> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n FROM mail_outbox \
         WHERE status IN ('queued', 'failed') GROUP BY status",
    )
    .fetch_all(db.pool())
    .await?;
    for status in ["queued", "failed"] {
        let count = count_of(&rows, "status", status)?;
        metrics.set(metrics::MAIL_OUTBOX, vec![label("status", status)], count);
    }
    Ok(())
}

/// The count `n` of the `GROUP BY key` row whose `key` is `value` (0 when there is none).
fn count_of(rows: &[AnyRow], key: &str, value: &str) -> sqlx::Result<f64> {
    for row in rows {
        if row.try_get::<String, _>(key)? == value {
            return Ok(row.try_get::<i64, _>("n")? as f64);
        }
    }
    Ok(0.0)
}
