//! `events`: publish into the outbox, inside the call's transaction. One delivery row per
//! subscriber is written with the event, so a rolled-back call leaves neither. A delayed event
//! (`publish-after`) is the same rows with a later first delivery time.
//!
//! Topics are owned: a plugin publishes only under its own id (`<plugin-id>.…`), and `host.…`
//! only the host, so a subscriber can trust that `sales.order-placed` came from sales. The
//! delivery carries the publisher's id as `source`, set here, never by the plugin.

use super::trap;
use crate::plugins::bindings::events;
use crate::plugins::call::{CallState, MAX_EVENTS_PER_CALL};

const MAX_PAYLOAD: usize = 256 * 1024;
/// The longest `publish-after` delay: a year (and a leap day).
pub const MAX_DELAY_SECONDS: u32 = 366 * 24 * 3600;

/// Why a topic or payload is refused, if it is. `owner` is the publishing plugin's id.
fn check(owner: &str, topic: &str, payload: &str) -> Result<(), String> {
    let topic_ok = topic.len() <= 100
        && topic.contains('.')
        && topic.split('.').all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        });
    if !topic_ok {
        return Err(format!("topic {topic:?} must look like section.event-name"));
    }
    if topic.split('.').next() != Some(owner) {
        return Err(format!(
            "topic {topic:?} is not this plugin's: plugin {owner} publishes only topics {owner}.…"
        ));
    }
    if payload.len() > MAX_PAYLOAD {
        return Err(format!(
            "event payloads must be at most {MAX_PAYLOAD} bytes"
        ));
    }
    if serde_json::from_str::<serde_json::Value>(payload).is_err() {
        return Err("event payloads must be JSON".into());
    }
    Ok(())
}

impl CallState {
    /// Writes the event with its deliveries due `delay` seconds from now.
    async fn enqueue(
        &mut self,
        topic: String,
        payload: String,
        delay: u32,
    ) -> wasmtime::Result<Result<(), String>> {
        if let Err(message) = check(&self.manifest.id, &topic, &payload) {
            return Ok(Err(message));
        }
        if let Some(refusal) = self.refusal() {
            return Ok(Err(refusal));
        }
        if self.events >= MAX_EVENTS_PER_CALL {
            return Ok(Err(format!(
                "a call may publish at most {MAX_EVENTS_PER_CALL} events"
            )));
        }
        self.events += 1;
        let subscribers = self.registry.subscribers_of(&topic);
        let (source, label, now) = (self.manifest.id.clone(), self.label(), self.now);
        if delay > 0 {
            let (calls, cap) = (self.calls.upgrade(), self.max_timers);
            let Some(calls) = calls else {
                return Ok(Err("the host is shutting down".into()));
            };
            let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
            let taken = calls
                .timers
                .take(conn, &source, cap, now)
                .await
                .map_err(|e| trap(&label, e))?;
            if let Err(refusal) = taken {
                return Ok(Err(refusal));
            }
        }
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        let event = crate::plugins::outbox::NewEvent {
            topic: &topic,
            source: &source,
            payload: &payload,
            created_at: now,
            deliver_at: now + i64::from(delay),
        };
        crate::plugins::outbox::insert(conn, &event, &subscribers)
            .await
            .map_err(|e| trap(&label, e))?;
        self.published = true;
        Ok(Ok(()))
    }
}

impl events::Host for CallState {
    async fn publish(
        &mut self,
        topic: String,
        payload: String,
    ) -> wasmtime::Result<Result<(), String>> {
        self.enqueue(topic, payload, 0).await
    }

    async fn publish_after(
        &mut self,
        topic: String,
        payload: String,
        delay_seconds: u32,
    ) -> wasmtime::Result<Result<(), String>> {
        if delay_seconds > MAX_DELAY_SECONDS {
            return Ok(Err(format!(
                "publish-after delays must be at most {MAX_DELAY_SECONDS} seconds"
            )));
        }
        self.enqueue(topic, payload, delay_seconds).await
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn a_plugin_publishes_only_under_its_own_id() {
        assert!(check("sales", "sales.order-placed", "{}").is_ok());
        let refused = check("publisher", "sales.order-placed", "{}").unwrap_err();
        assert!(
            refused.contains("plugin publisher publishes only"),
            "{refused}"
        );
        assert!(check("sales", "host.customer-registered", "{}").is_err());
        assert!(check("sales", "salesx.thing", "{}").is_err());
    }
}
