//! The sender: a background task that delivers queued mail over SMTP (`lettre`) after commit.
//!
//! It wakes when a transaction that queued mail commits ([`super::Mailer::queued`]) and once a
//! second for retries, claims the due messages (`outbox::claim_due`, so several hosts never send
//! one twice) and sends each: an accepted message is `sent` with the server's answer; a refusal
//! for good (5xx) is `failed` at once; anything else (server down, 4xx) is retried with
//! `outbox::backoff` until `outbox::MAX_ATTEMPTS`, then `failed` with the last answer. It runs
//! only when an SMTP server is configured; without one, mail stays queued and readable.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Mailer;
use super::outbox::{self, Mail};
use crate::clock::Clock;

/// Messages claimed per round.
const BATCH: i64 = 20;
/// Retry check interval when nothing wakes the sender.
const POLL: Duration = Duration::from_secs(1);
/// How long one SMTP exchange may take before it counts as a failed attempt.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the sender cannot start: the settings are wrong (reported at startup, not per message).
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("the SMTP URL is not usable (expected smtp://[user:password@]host[:port]): {0}")]
    Url(String),
    #[error("the sender address {0:?} is not an address like Shop <shop@example.com>")]
    From(String),
}

/// An SMTP server as `--smtp-url` names it.
#[derive(Debug, PartialEq, Eq)]
struct Server {
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

impl Server {
    /// Reads `smtp://[user:password@]host[:port]` (port 25 when absent). Plain SMTP only: this
    /// build links no TLS library (`lettre` reads `smtps://` only with one), so a URL asking
    /// for TLS is refused at startup rather than silently sent in clear.
    fn parse(url: &str) -> Result<Server, SetupError> {
        let bad = |why: &str| SetupError::Url(format!("{why} in {:?}", redact(url)));
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| bad("only smtp:// is supported"))?;
        if rest.contains(['?', '/']) {
            return Err(bad("no path or parameters (such as ?tls=) are supported"));
        }
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((user_info, address)) => {
                let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
                (Some((user.to_owned(), password.to_owned())), address)
            }
            None => (None, rest),
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse().map_err(|_| bad("the port is not a number"))?,
            ),
            None => (address, 25),
        };
        if host.is_empty() {
            return Err(bad("the host is missing"));
        }
        Ok(Server {
            host: host.to_owned(),
            port,
            credentials,
        })
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}…@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// A message not sent: the server's answer (or the connection error), and whether it is
/// refused for good (a 5xx, or a message that cannot be built) rather than for now.
struct Refused {
    answer: String,
    permanent: bool,
}

/// What sends: the transport and the `From` of every message.
struct Sender {
    mailer: Arc<Mailer>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Starts the sender when `mailer` has an SMTP server; `None` when it has none (mail stays
/// queued). The task runs until the process ends.
pub fn start(
    mailer: Arc<Mailer>,
    clock: Arc<dyn Clock>,
) -> Result<Option<tokio::task::JoinHandle<()>>, SetupError> {
    let Some(url) = mailer.settings.smtp_url.clone() else {
        return Ok(None);
    };
    let server = Server::parse(&url)?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host)
        .port(server.port)
        .timeout(Some(SMTP_TIMEOUT));
    if let Some((user, password)) = server.credentials {
        builder = builder.credentials(Credentials::new(user, password));
    }
    let transport = builder.build();
    let from = mailer
        .settings
        .from
        .parse()
        .map_err(|_| SetupError::From(mailer.settings.from.clone()))?;
    let sender = Sender {
        mailer,
        transport,
        from,
    };
    Ok(Some(tokio::spawn(sender.run(clock))))
}

impl Sender {
    async fn run(self, clock: Arc<dyn Clock>) {
        loop {
            match self.send_due(clock.now()).await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(err) => tracing::error!(error = %err, "sending mail failed"),
            }
            let _ = tokio::time::timeout(POLL, self.mailer.wake.notified()).await;
        }
    }

    /// Sends every message due at `now`; answers how many were attempted.
    async fn send_due(&self, now: i64) -> sqlx::Result<usize> {
        let db = &self.mailer.db;
        let due = outbox::claim_due(db, now, BATCH).await?;
        for mail in &due {
            match self.send(mail).await {
                Ok(answer) => outbox::mark_sent(db, mail.id, &answer, now).await?,
                Err(Refused { answer, permanent }) => {
                    let status = outbox::mark_failed(db, mail, &answer, permanent, now).await?;
                    tracing::warn!(mail = mail.id, %status, answer = %answer, "mail not sent");
                }
            }
        }
        Ok(due.len())
    }

    /// Sends one message: the server's answer, or why not.
    async fn send(&self, mail: &Mail) -> Result<String, Refused> {
        let message = self.message(mail).map_err(|answer| Refused {
            answer,
            permanent: true,
        })?;
        match self.transport.send(message).await {
            Ok(response) => Ok(format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )),
            Err(err) => Err(Refused {
                answer: err.to_string(),
                permanent: err.is_permanent(),
            }),
        }
    }

    /// The MIME message: `multipart/alternative` with the text part first (what a client
    /// without HTML shows) and the HTML part.
    fn message(&self, mail: &Mail) -> Result<Message, String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("the recipient cannot be addressed: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(
                mail.text_body.clone(),
                mail.html_body.clone(),
            ))
            .map_err(|e| format!("the message cannot be built: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::{Server, redact};

    #[test]
    fn smtp_urls_name_host_port_and_credentials() {
        let plain = Server::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (plain.host.as_str(), plain.port, plain.credentials),
            ("127.0.0.1", 2525, None)
        );
        let default_port = Server::parse("smtp://mail.example.com").unwrap();
        assert_eq!(default_port.port, 25);
        let with_user = Server::parse("smtp://shop:s3cret@mail.example.com:587").unwrap();
        assert_eq!(
            with_user.credentials,
            Some(("shop".to_owned(), "s3cret".to_owned()))
        );
        for refused in [
            "smtps://mail.example.com",
            "smtp://mail.example.com?tls=required",
            "smtp://:25",
            "smtp://host:x",
        ] {
            assert!(Server::parse(refused).is_err(), "{refused}");
        }
        let err = Server::parse("smtps://shop:s3cret@mail.example.com").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert_eq!(redact("smtp://a:b@host"), "smtp://…@host");
    }
}
