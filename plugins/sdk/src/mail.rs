//! Outgoing mail: the `mail` capability. A message is rendered by the host from the plugin's
//! own templates `mail/<template>.txt` and `mail/<template>.html` (bundle them with
//! `Manifest::template`) and queued in this call's transaction, so a failure answer or a trap
//! sends nothing; the host sends it after commit and shows it on its Outgoing mail page.
//! Calling [`send`] makes the plugin import the capability, which an admin approves.
//!
//! ```ignore
//! use backoffice_sdk::mail;
//!
//! mail::send(
//!     mail::Message::new(&order.email, &format!("Your order {}", order.reference), "order-confirmation")
//!         .locale(&order.locale),
//!     &serde_json::json!({ "order": order }),
//! )?; // a refusal becomes a 422 and rolls the call back
//! ```

use serde::Serialize;

use crate::bindings::backoffice::plugin::mail as wit;
use crate::response::Failure;

pub use wit::MailError;

/// The addressing of a message; its content comes from a template and a context.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    to: &'a str,
    subject: &'a str,
    template: &'a str,
    locale: Option<&'a str>,
}

impl<'a> Message<'a> {
    /// A message to `to` with `subject`, rendered from the plugin's `mail/<template>.txt` and
    /// `mail/<template>.html`, in the request's locale.
    pub fn new(to: &'a str, subject: &'a str, template: &'a str) -> Message<'a> {
        Message {
            to,
            subject,
            template,
            locale: None,
        }
    }

    /// Renders in the recipient's `locale` (e.g. the one an order was placed in) instead of the
    /// request's; an empty locale keeps the request's.
    pub fn locale(mut self, locale: &'a str) -> Message<'a> {
        self.locale = (!locale.is_empty()).then_some(locale);
        self
    }
}

/// How a refused message reaches the user when a handler uses `?`: the reason names the field
/// (e.g. the recipient's address), and the call rolls back like any failure.
impl From<MailError> for Failure {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Invalid(why) => Failure::unprocessable(format!("mail not queued: {why}")),
            MailError::Forbidden(why) => Failure::forbidden(format!("mail not queued: {why}")),
        }
    }
}

/// Queues `message` with `context` (serialized to a JSON object for its templates); answers the
/// message's id in the host's outbox.
pub fn send<T: Serialize + ?Sized>(message: Message<'_>, context: &T) -> Result<i64, MailError> {
    let context =
        serde_json::to_string(context).map_err(|e| MailError::Invalid(format!("context: {e}")))?;
    wit::send(&wit::Message {
        to: message.to.to_owned(),
        subject: message.subject.to_owned(),
        template: message.template.to_owned(),
        context,
        locale: message.locale.map(str::to_owned),
    })
}
