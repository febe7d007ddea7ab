//! The event outbox: events are rows written in the publisher's transaction, with one delivery
//! row per subscriber. After commit the dispatcher delivers due rows, each to its subscriber in a
//! fresh sandbox and transaction; a failure schedules a retry with exponential backoff, and after
//! [`MAX_ATTEMPTS`] the delivery is marked dead and shown on the Plugins page. A delayed event
//! (`events.publish-after`) is the same rows with a later first `next_attempt_at`: the dispatcher
//! needs no timer of its own, it simply finds the delivery due once the host clock reaches it.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::db::Db;

/// Deliveries give up after this many failed attempts.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long delivered deliveries (and events with nothing left to deliver) are kept, for the
/// Plugins page and for looking into what happened: a week.
pub const KEEP_SECONDS: i64 = 7 * 86_400;

/// Seconds to wait before attempt `attempt + 1` (1 s, 2 s, 4 s, … capped at 5 min).
pub fn backoff(attempt: i64) -> i64 {
    (1i64 << attempt.clamp(0, 16)).min(300)
}

/// An event as published.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    pub topic: &'a str,
    /// The publishing plugin's id.
    pub source: &'a str,
    pub payload: &'a str,
    pub created_at: i64,
    /// The first delivery is due at this time (`created_at` unless delayed).
    pub deliver_at: i64,
}

/// Publishes the host's own event `topic` to the plugins subscribed to it in `registry`, on
/// the caller's transaction: delivered after commit, at least once, and never when the
/// transaction rolls back (a registration, an assistance).
pub async fn publish_host(
    conn: &mut AnyConnection,
    registry: &super::registry::Registry,
    topic: &str,
    payload: &serde_json::Value,
    now: i64,
) -> sqlx::Result<()> {
    let subscribers = registry.subscribers_of(topic);
    let payload = payload.to_string();
    let event = NewEvent {
        topic,
        source: "host",
        payload: &payload,
        created_at: now,
        deliver_at: now,
    };
    insert(conn, &event, &subscribers).await?;
    Ok(())
}

/// Writes an event and its deliveries on the caller's (transactional) connection.
pub async fn insert(
    conn: &mut AnyConnection,
    event: &NewEvent<'_>,
    subscribers: &[String],
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (topic, source, payload, created_at, fires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(event.topic)
    .bind(event.source)
    .bind(event.payload)
    .bind(event.created_at)
    // A delayed event is a timer (counted against its plugin's cap, see `timers`).
    .bind((event.deliver_at > event.created_at).then_some(event.deliver_at))
    .fetch_one(&mut *conn)
    .await?;
    for subscriber in subscribers {
        sqlx::query(
            "INSERT INTO event_deliveries (event_id, subscriber, next_attempt_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(subscriber)
        .bind(event.deliver_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// A delivery that is due.
#[derive(Debug, Clone)]
pub struct Due {
    pub event_id: i64,
    pub subscriber: String,
    pub topic: String,
    pub source: String,
    pub payload: String,
    pub attempts: i64,
}

/// Up to `limit` deliveries due at `now` to one of `subscribers` (the enabled plugins), oldest
/// first. Deliveries to anyone else wait where they are and never take a place in the batch,
/// so a disabled or removed subscriber's backlog cannot hold up the others'.
pub async fn due(db: &Db, now: i64, limit: i64, subscribers: &[String]) -> sqlx::Result<Vec<Due>> {
    if subscribers.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..subscribers.len())
        .map(|i| format!("${}", i + 3))
        .collect();
    let sql = format!(
        "SELECT d.event_id, d.subscriber, d.attempts, e.topic, e.source, e.payload \
         FROM event_deliveries d JOIN events e ON e.id = d.event_id \
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.subscriber IN ({}) \
         ORDER BY d.next_attempt_at, d.event_id LIMIT $2",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(now).bind(limit);
    for subscriber in subscribers {
        query = query.bind(subscriber);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(Due {
                event_id: r.try_get("event_id")?,
                subscriber: r.try_get("subscriber")?,
                attempts: r.try_get("attempts")?,
                topic: r.try_get("topic")?,
                source: r.try_get("source")?,
                payload: r.try_get("payload")?,
            })
        })
        .collect()
}

/// Marks a delivery done, on the subscriber's own transaction (so "handled" and "marked" commit
/// together: a crash in between redelivers, never loses).
pub async fn mark_delivered(
    conn: &mut AnyConnection,
    event_id: i64,
    subscriber: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE event_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $1, last_error = '' \
         WHERE event_id = $2 AND subscriber = $3",
    )
    .bind(now)
    .bind(event_id)
    .bind(subscriber)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes what was delivered more than [`KEEP_SECONDS`] before `now`, and events older than
/// that with no delivery left (delivered, or published with no subscriber). Pending and dead
/// deliveries stay: the first are still owed, the second are the admin's to look at. Returns
/// the number of events deleted.
pub async fn prune(db: &Db, now: i64) -> sqlx::Result<u64> {
    let before = now - KEEP_SECONDS;
    sqlx::query("DELETE FROM event_deliveries WHERE status = 'delivered' AND delivered_at < $1")
        .bind(before)
        .execute(db.pool())
        .await?;
    let events = sqlx::query(
        "DELETE FROM events WHERE created_at < $1 AND NOT EXISTS \
         (SELECT 1 FROM event_deliveries d WHERE d.event_id = events.id)",
    )
    .bind(before)
    .execute(db.pool())
    .await?;
    Ok(events.rows_affected())
}

/// Records a failed attempt and schedules the next one (or gives up).
pub async fn mark_failed(db: &Db, due: &Due, error: &str, now: i64) -> sqlx::Result<()> {
    let attempts = due.attempts + 1;
    let status = if attempts >= MAX_ATTEMPTS {
        "dead"
    } else {
        "pending"
    };
    sqlx::query(
        "UPDATE event_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 \
         WHERE event_id = $5 AND subscriber = $6",
    )
    .bind(status)
    .bind(attempts)
    .bind(now + backoff(attempts))
    .bind(error.chars().take(1000).collect::<String>())
    .bind(due.event_id)
    .bind(&due.subscriber)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Delivery counts and the latest failure of one subscriber, for the Plugins page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliveryHealth {
    /// Due now or being retried.
    pub pending: i64,
    /// Delayed events (`publish-after`) not yet due: timers, not a backlog.
    pub scheduled: i64,
    pub retrying: i64,
    pub dead: i64,
    pub last_error: Option<String>,
}

pub async fn health(db: &Db, subscriber: &str, now: i64) -> sqlx::Result<DeliveryHealth> {
    let row = sqlx::query(
        "SELECT \
           SUM(CASE WHEN status = 'pending' AND (attempts > 0 OR next_attempt_at <= $2) THEN 1 ELSE 0 END) AS pending, \
           SUM(CASE WHEN status = 'pending' AND attempts = 0 AND next_attempt_at > $2 THEN 1 ELSE 0 END) AS scheduled, \
           SUM(CASE WHEN status = 'pending' AND attempts > 0 THEN 1 ELSE 0 END) AS retrying, \
           SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead \
         FROM event_deliveries WHERE subscriber = $1",
    )
    .bind(subscriber)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    let last_error: Option<String> = sqlx::query_scalar(
        "SELECT last_error FROM event_deliveries WHERE subscriber = $1 AND last_error <> '' \
         ORDER BY next_attempt_at DESC LIMIT 1",
    )
    .bind(subscriber)
    .fetch_optional(db.pool())
    .await?;
    Ok(DeliveryHealth {
        pending: row.try_get::<Option<i64>, _>("pending")?.unwrap_or(0),
        scheduled: row.try_get::<Option<i64>, _>("scheduled")?.unwrap_or(0),
        retrying: row.try_get::<Option<i64>, _>("retrying")?.unwrap_or(0),
        dead: row.try_get::<Option<i64>, _>("dead")?.unwrap_or(0),
        last_error,
    })
}
