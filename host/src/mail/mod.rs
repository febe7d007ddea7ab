//! Outgoing mail, a host service (`../shared/DESIGN.md` rule 10): a message is rendered by the
//! active theme and queued in the caller's transaction, and sent after commit.
//!
//! `queue` (here) validates and renders a message and writes it with `outbox` on the caller's
//! connection, so a rolled-back request or plugin call leaves nothing to send; `render` turns a
//! template pair into the text and HTML parts; `delivery` is the background sender (SMTP with
//! `lettre`), woken after every commit that queued mail; `outbox` is the table. Without an SMTP
//! server configured nothing is sent: messages stay `queued` and readable on the Outgoing mail
//! page (`web::mail`), so a fresh install works end to end.

pub mod delivery;
mod error;
pub mod outbox;
pub mod render;

use std::sync::Arc;

use sqlx::AnyConnection;
use tokio::sync::Notify;

pub use error::{MailError, MailResult};

use crate::db::Db;
use crate::templates::Templates;
use crate::themes::store::Surface;

/// The locale of mail when nothing names one (no store, an event handler with no request).
pub const HOST_LOCALE: &str = "en";

/// How mail leaves the host.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://[user:password@]host[:port]`; `None` keeps every message queued.
    pub smtp_url: Option<String>,
    /// The `From` of every message.
    pub from: String,
    /// The shop's public address, for links in messages (never taken from a request's `Host`
    /// header, which a client chooses: a reset link must not point at someone else's site).
    pub public_url: String,
}

impl Default for MailSettings {
    fn default() -> MailSettings {
        MailSettings {
            smtp_url: None,
            from: "Backoffice <backoffice@localhost>".into(),
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// A message to queue, before rendering.
#[derive(Debug, Clone)]
pub struct Letter<'a> {
    /// The queuing plugin's id, or `host`.
    pub source: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    /// The template pair's base name, e.g. `mail/customer-welcome` (host) or
    /// `sales/mail/order-confirmation` (a plugin's bundled templates).
    pub template: &'a str,
    /// A JSON object; `locale`, `subject` and `shop_url` are added.
    pub context: serde_json::Value,
    pub locale: &'a str,
    /// Whose theme renders it: the storefront's for customers, the Back Office's for users.
    pub surface: Surface,
}

/// Queues mail and wakes the sender; shared by the web layer and the plugin runtime.
pub struct Mailer {
    db: Db,
    templates: Arc<Templates>,
    settings: MailSettings,
    wake: Notify,
}

impl Mailer {
    pub fn new(db: Db, templates: Arc<Templates>, settings: MailSettings) -> Mailer {
        Mailer {
            db,
            templates,
            settings,
            wake: Notify::new(),
        }
    }

    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    /// The absolute address of a local path, for links in messages.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url.trim_end_matches('/'))
    }

    /// Validates and renders `letter` and writes it on `conn`, the caller's transaction; call
    /// [`Mailer::queued`] after that transaction commits. Answers the message's id.
    pub async fn queue(
        &self,
        conn: &mut AnyConnection,
        letter: Letter<'_>,
        now: i64,
    ) -> MailResult<i64> {
        let to = crate::validate::email(letter.to)
            .map_err(|e| MailError::Invalid(format!("to: {}", e.message)))?;
        let subject = letter.subject.trim();
        if subject.is_empty() || subject.chars().count() > 200 || subject.contains(['\r', '\n']) {
            return Err(MailError::Invalid(
                "subject: 1 to 200 characters on one line".into(),
            ));
        }
        if !render::is_template_name(letter.template) {
            return Err(MailError::Invalid(format!(
                "template: {:?} is not a template name like order-confirmation",
                letter.template
            )));
        }
        if !render::is_locale(letter.locale) {
            return Err(MailError::Invalid(format!(
                "locale: {:?} is not a locale like de_DE",
                letter.locale
            )));
        }
        let serde_json::Value::Object(mut context) = letter.context else {
            return Err(MailError::Invalid("context: must be a JSON object".into()));
        };
        context.insert("locale".into(), letter.locale.into());
        context.insert("subject".into(), subject.into());
        context.insert("shop_url".into(), self.link("").into());
        let settings = self.templates.settings().get(&self.db).await?;
        let theme = settings.active(letter.surface);
        let parts = render::render(
            &self.templates,
            theme,
            letter.template,
            letter.locale,
            &serde_json::Value::Object(context),
        )?;
        let mail = outbox::NewMail {
            source: letter.source,
            recipient: &to,
            subject,
            template: letter.template,
            locale: letter.locale,
            text: &parts.text,
            html: &parts.html,
            now,
        };
        Ok(outbox::insert(conn, &mail).await?)
    }

    /// Wakes the sender: a transaction that queued mail committed.
    pub fn queued(&self) {
        self.wake.notify_one();
    }
}
