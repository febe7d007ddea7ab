//! The event dispatcher: a background task that delivers due outbox rows to their subscribers.
//!
//! It wakes when a call that published commits, and once a second for retries. Each delivery
//! runs `on-event` in a fresh sandbox and transaction; the delivery is marked done inside that
//! same transaction, so "handled" and "marked" commit together (at least once, never lost).

use std::sync::Arc;
use std::time::Duration;

use super::bindings::guest;
use super::call::Caller;
use super::outbox::{self, Due};
use super::runtime::{Answer, Export, Runtime};
use crate::clock::Clock;

/// Deliveries handled per batch.
const BATCH: i64 = 50;
/// Retry check interval when nothing wakes the dispatcher.
const POLL: Duration = Duration::from_secs(1);

/// Runs until the process ends.
pub async fn run(runtime: Arc<Runtime>, clock: Arc<dyn Clock>) {
    loop {
        match deliver_due(&runtime, clock.now()).await {
            Ok(n) if n as i64 == BATCH => continue,
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "event delivery failed"),
        }
        let _ = tokio::time::timeout(POLL, runtime.events_published.notified()).await;
    }
}

/// Delivers the deliveries due at `now`; returns how many were attempted. Deliveries to a
/// disabled (or not loaded) subscriber wait until it is back.
pub async fn deliver_due(runtime: &Runtime, now: i64) -> anyhow::Result<usize> {
    let due = outbox::due(runtime.db(), now, BATCH).await?;
    let mut attempted = 0;
    for delivery in due {
        let Some(plugin) = runtime.registry().enabled(&delivery.subscriber) else {
            continue;
        };
        attempted += 1;
        if let Err(error) = deliver(runtime, &plugin, &delivery, now).await {
            tracing::warn!(plugin = %plugin.manifest.id, version = %plugin.manifest.version, event = delivery.event_id, topic = %delivery.topic, %error, "event handler failed; will retry");
            outbox::mark_failed(runtime.db(), &delivery, &error, now).await?;
        }
    }
    Ok(attempted)
}

async fn deliver(
    runtime: &Runtime,
    plugin: &Arc<super::registry::Plugin>,
    delivery: &Due,
    now: i64,
) -> Result<(), String> {
    let event = guest::Event {
        id: delivery.event_id,
        topic: delivery.topic.clone(),
        source: delivery.source.clone(),
        payload: delivery.payload.clone(),
        attempt: u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX),
    };
    let caller = Caller {
        locale: "en".into(),
        ..Caller::default()
    };
    let mut finished = runtime
        .call(plugin, caller, Export::Event(event))
        .await
        .map_err(|e| e.to_string())?;
    match finished.answer {
        Answer::Event(Ok(())) => {}
        Answer::Event(Err(message)) => return Err(message),
        _ => return Err("on-event answered like another export".into()),
    }
    let conn = finished
        .state
        .write_conn()
        .await
        .map_err(|e| e.to_string())?;
    outbox::mark_delivered(conn, delivery.event_id, &delivery.subscriber, now)
        .await
        .map_err(|e| e.to_string())?;
    runtime
        .commit(&mut finished.state)
        .await
        .map_err(|e| e.to_string())
}
