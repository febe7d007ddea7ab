//! `audit`: plugin acts in the host's audit log. Written inside the call's transaction, so an
//! act that is rolled back leaves no audit row claiming it happened. A call writing more than
//! [`MAX_AUDIT_ROWS_PER_CALL`] rows is stopped: `write` has no error value, and dropping rows
//! would let a plugin act unaudited.

use super::trap;
use crate::plugins::bindings::audit;
use crate::plugins::call::{CallState, MAX_AUDIT_ROWS_PER_CALL};

impl audit::Host for CallState {
    async fn write(
        &mut self,
        action: String,
        target: String,
        detail: String,
    ) -> wasmtime::Result<()> {
        if self.audit_rows >= MAX_AUDIT_ROWS_PER_CALL {
            return Err(trap(
                &self.label(),
                format!("more than {MAX_AUDIT_ROWS_PER_CALL} audit rows in one call"),
            ));
        }
        self.audit_rows += 1;
        let action = format!("{}.{}", self.manifest.id, clip(&action, 100));
        self.audit_in_call(&action, &clip(&target, 500), &clip(&detail, 2000))
            .await
    }
}

impl CallState {
    /// Writes an audit row on the call's transaction, for the caller (user, an agent acting for
    /// a customer, customer, or the plugin itself when there is none): it stands or falls with the call's writes.
    pub(crate) async fn audit_in_call(
        &mut self,
        action: &str,
        target: &str,
        detail: &str,
    ) -> wasmtime::Result<()> {
        let (actor_id, actor) = match (&self.caller.user, &self.caller.agent) {
            (Some(user), _) => (Some(user.id), user.email.clone()),
            // An agent acting for a customer (agent assist): both, the agent accountable.
            (None, Some(agent)) => {
                let customer = self
                    .caller
                    .customer
                    .as_ref()
                    .map_or("", |(_, e)| e.as_str());
                (
                    Some(agent.id),
                    format!("agent {} for customer {customer}", agent.email),
                )
            }
            (None, None) => match &self.caller.customer {
                Some((_, email)) => (None, format!("customer {email}")),
                None => (None, format!("plugin {}", self.manifest.id)),
            },
        };
        let (now, ip, label) = (self.now, self.caller.ip.clone(), self.label());
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now)
        .bind(actor_id)
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(detail)
        .bind(ip)
        .execute(conn)
        .await
        .map_err(|e| trap(&label, e))?;
        Ok(())
    }
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
