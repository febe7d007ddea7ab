//! `extensions`: a plugin asks every provider of an extension point it declared under
//! `invokes`. The providers run in their own read-only sandboxes (see `Calls::invoke`); the
//! invoker gets every answer, failures included, as values. Refusals are audited. One point
//! the host answers itself: `host.route-owner` (see `web::storefront`).

use super::trap;
use crate::plugins::bindings::extensions::{self, Answer};
use crate::plugins::call::CallState;

impl extensions::Host for CallState {
    async fn invoke(
        &mut self,
        point: String,
        input: String,
    ) -> wasmtime::Result<Result<Vec<Answer>, String>> {
        if let Some(providing) = &self.providing {
            return Ok(Err(format!(
                "extension providers cannot invoke points (this call provides {providing})"
            )));
        }
        if !self.manifest.invokes.iter().any(|p| p == &point) {
            let reason = format!(
                "{} does not list {point} under `invokes`, so the admin has not approved it",
                self.label()
            );
            let label = self.label();
            self.audit_refusal("extensions.forbidden", &point, &reason)
                .await
                .map_err(|e| trap(&label, e))?;
            tracing::warn!(plugin = %self.manifest.id, point = %point, "invoke refused");
            return Ok(Err(reason));
        }
        if serde_json::from_str::<serde_json::Value>(&input).is_err() {
            return Ok(Err("the input of an invocation must be JSON".into()));
        }
        if point == crate::web::storefront::ROUTE_OWNER {
            // Answered by the host itself: who owns a storefront address.
            let outcome = crate::web::storefront::answer_route_owner(&self.registry, &input);
            return Ok(Ok(vec![Answer {
                plugin: "host".into(),
                outcome,
            }]));
        }
        let Some(calls) = self.calls.upgrade() else {
            return Err(trap(&self.label(), "the host is shutting down"));
        };
        let (caller, until) = (self.caller.clone(), self.deadline_at);
        let answers = calls.invoke(&point, &input, &caller, until).await;
        Ok(Ok(answers
            .into_iter()
            .map(|(plugin, outcome)| Answer { plugin, outcome })
            .collect()))
    }
}
