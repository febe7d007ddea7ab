//! The event dispatcher: a background task that delivers due outbox rows to their subscribers.
//!
//! It wakes when a call that published commits, and once a second for retries; every ten
//! minutes (host clock) it also prunes what was delivered more than a week ago. Each delivery
//! runs `on-event` in a fresh sandbox and transaction (`Calls::on_event`), which marks the
//! delivery done inside that same transaction, so "handled" and "marked" commit together (at
//! least once, never lost).

use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use super::outbox;
use super::runtime::Runtime;
use crate::clock::Clock;
use crate::observe::metrics::Delivery;

/// Deliveries handled per batch.
const BATCH: i64 = 50;
/// Retry check interval when nothing wakes the dispatcher.
const POLL: Duration = Duration::from_secs(1);
/// Host-clock seconds between two prunings of the outbox.
const PRUNE_EVERY: i64 = 600;

/// Runs until the process ends.
pub async fn run(runtime: Arc<Runtime>, clock: Arc<dyn Clock>) {
    let mut pruned_at = i64::MIN;
    loop {
        let now = clock.now();
        if now.saturating_sub(pruned_at) >= PRUNE_EVERY {
            match outbox::prune(runtime.db(), now).await {
                Ok(_) => pruned_at = now,
                Err(err) => tracing::warn!(error = %err, "pruning the event outbox failed"),
            }
        }
        match deliver_due(&runtime, now).await {
            Ok(n) if n as i64 == BATCH => continue,
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "event delivery failed"),
        }
        let _ = tokio::time::timeout(POLL, runtime.calls().events_published.notified()).await;
    }
}

/// Delivers the deliveries due at `now`; returns how many were attempted. Deliveries to a
/// disabled (or not loaded) subscriber wait until it is back, without holding up the others.
pub async fn deliver_due(runtime: &Runtime, now: i64) -> anyhow::Result<usize> {
    let subscribers = runtime.registry().enabled_ids();
    let due = outbox::due(runtime.db(), now, BATCH, &subscribers).await?;
    let mut attempted = 0;
    for delivery in due {
        let Some(plugin) = runtime.registry().enabled(&delivery.subscriber) else {
            continue;
        };
        attempted += 1;
        let subscriber = &plugin.manifest.id;
        // Lines the handler logs (its own `log` calls included) name the event they handle.
        let span = tracing::info_span!("delivery", event = delivery.event_id, %subscriber);
        let delivered = runtime
            .calls()
            .on_event(&plugin, &delivery, now)
            .instrument(span)
            .await;
        if let Err(error) = delivered {
            tracing::warn!(plugin = %subscriber, version = %plugin.manifest.version, event = delivery.event_id, topic = %delivery.topic, %error, "event handler failed; will retry");
            outbox::mark_failed(runtime.db(), &delivery, &error.to_string(), now).await?;
            let outcome = if delivery.attempts + 1 >= outbox::MAX_ATTEMPTS {
                Delivery::Dead
            } else {
                Delivery::Retried
            };
            runtime.metrics().event_delivery(subscriber, outcome);
        } else {
            runtime
                .metrics()
                .event_delivery(subscriber, Delivery::Delivered);
        }
    }
    Ok(attempted)
}
