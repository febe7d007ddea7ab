//! `events`: publish into the outbox, inside the call's transaction. One delivery row per
//! subscriber is written with the event, so a rolled-back call leaves neither.

use super::trap;
use crate::plugins::bindings::events;
use crate::plugins::call::CallState;

const MAX_PAYLOAD: usize = 256 * 1024;

impl events::Host for CallState {
    async fn publish(
        &mut self,
        topic: String,
        payload: String,
    ) -> wasmtime::Result<Result<(), String>> {
        let topic_ok = topic.len() <= 100
            && topic.contains('.')
            && topic.split('.').all(|s| {
                !s.is_empty()
                    && s.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                    })
            });
        if !topic_ok {
            return Ok(Err(format!(
                "topic {topic:?} must look like section.event-name"
            )));
        }
        if payload.len() > MAX_PAYLOAD {
            return Ok(Err(format!(
                "event payloads must be at most {MAX_PAYLOAD} bytes"
            )));
        }
        if serde_json::from_str::<serde_json::Value>(&payload).is_err() {
            return Ok(Err("event payloads must be JSON".into()));
        }
        let subscribers = self.registry.subscribers_of(&topic);
        let (source, label, now) = (self.manifest.id.clone(), self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        crate::plugins::outbox::insert(conn, &topic, &source, &payload, &subscribers, now)
            .await
            .map_err(|e| trap(&label, e))?;
        self.published = true;
        Ok(Ok(()))
    }
}
