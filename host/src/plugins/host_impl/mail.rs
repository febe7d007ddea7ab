//! `mail`: a plugin queues a message, rendered from its own templates
//! (`<plugin-id>/mail/<template>.{txt,html}`, which a theme may override) with the storefront's
//! active theme, and written on the call's transaction: a rolled-back call queues nothing. The
//! runtime wakes the sender after the commit (`CallState::mails`); at most
//! [`MAX_MAILS_PER_CALL`] per call.

use super::trap;
use crate::mail::{HOST_LOCALE, Letter, MailError};
use crate::plugins::bindings::mail::{self, MailError as WitError, Message};
use crate::plugins::call::{CallState, MAX_MAILS_PER_CALL};
use crate::themes::store::Surface;

impl mail::Host for CallState {
    async fn send(&mut self, message: Message) -> wasmtime::Result<Result<i64, WitError>> {
        if let Some(refusal) = self.refusal() {
            return Ok(Err(WitError::Forbidden(refusal)));
        }
        if self.mails >= MAX_MAILS_PER_CALL {
            return Ok(Err(WitError::Invalid(format!(
                "a call may queue at most {MAX_MAILS_PER_CALL} mails"
            ))));
        }
        let context = match serde_json::from_str(&message.context) {
            Ok(context) => context,
            Err(e) => return Ok(Err(WitError::Invalid(format!("context: not JSON: {e}")))),
        };
        let label = self.label();
        let calls = self
            .calls
            .upgrade()
            .ok_or_else(|| trap(&label, "the runtime is shutting down"))?;
        let source = self.manifest.id.clone();
        let template = format!("{source}/mail/{}", message.template);
        // The recipient's locale, else the request's, else the host's (event handlers).
        let locale = [
            message.locale.unwrap_or_default(),
            self.caller.locale.clone(),
        ]
        .into_iter()
        .find(|l| !l.is_empty())
        .unwrap_or_else(|| HOST_LOCALE.to_owned());
        let now = self.now;
        let letter = Letter {
            source: &source,
            to: &message.to,
            subject: &message.subject,
            template: &template,
            context,
            locale: &locale,
            surface: Surface::Storefront,
        };
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        match calls.mail.queue(conn, letter, now).await {
            Ok(id) => {
                self.mails += 1;
                Ok(Ok(id))
            }
            Err(MailError::Database(e)) => Err(trap(&label, e)),
            Err(e) => Ok(Err(WitError::Invalid(e.to_string()))),
        }
    }
}
