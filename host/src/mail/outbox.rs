//! The mail outbox table (`mail_outbox`): messages are rows written in the caller's
//! transaction, already rendered; the sender claims due rows, sends them and records the
//! server's answer. Nothing here talks SMTP.
//!
//! A row is `queued` until it is sent (`sent`) or given up (`failed`: refused for good, or
//! [`MAX_ATTEMPTS`] attempts). Before sending, a host *claims* a row by moving its next attempt
//! [`LEASE`] seconds ahead in one conditional statement, so hosts sharing a database never send
//! the same message twice, and a host that dies mid-send leaves the row due again later.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::db::Db;

/// A message gives up after this many failed attempts (about two hours of retrying with
/// [`backoff`]).
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed row is kept from other senders while it is being sent.
const LEASE: i64 = 300;

/// Seconds to wait before the attempt after `attempts` failures: 1 min, 2 min, 4 min, … capped
/// at 2 h. Minutes, not seconds: an SMTP server that is down is rarely back in a second.
pub fn backoff(attempts: i64) -> i64 {
    (60i64 << (attempts - 1).clamp(0, 10)).min(2 * 3600)
}

/// A rendered message, as queued.
#[derive(Debug, Clone, Copy)]
pub struct NewMail<'a> {
    /// The queuing plugin's id, or `host`.
    pub source: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub template: &'a str,
    pub locale: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub now: i64,
}

/// Writes a message on the caller's (transactional) connection; it is due at once.
pub async fn insert(conn: &mut AnyConnection, mail: &NewMail<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO mail_outbox (source, recipient, subject, template, locale, text_body, html_body, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(mail.source)
    .bind(mail.recipient)
    .bind(mail.subject)
    .bind(mail.template)
    .bind(mail.locale)
    .bind(mail.text)
    .bind(mail.html)
    .bind(mail.now)
    .fetch_one(conn)
    .await
}

/// A message as the Outgoing mail page shows it (the list leaves the bodies empty).
#[derive(Debug, Clone, Serialize)]
pub struct Mail {
    pub id: i64,
    pub source: String,
    pub recipient: String,
    pub subject: String,
    pub template: String,
    pub locale: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_answer: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

fn from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<Mail> {
    Ok(Mail {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        template: row.try_get("template")?,
        locale: row.try_get("locale")?,
        text_body: row.try_get("text_body")?,
        html_body: row.try_get("html_body")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_answer: row.try_get("last_answer")?,
        created_at: row.try_get("created_at")?,
        sent_at: row.try_get("sent_at")?,
    })
}

const SUMMARY: &str = "id, source, recipient, subject, template, locale, '' AS text_body, \
     '' AS html_body, status, attempts, next_attempt_at, last_answer, created_at, sent_at";

/// The statuses a message can have, for filters.
pub const STATUSES: &[&str] = &["queued", "sent", "failed"];

/// Newest first; `status` filters when set. Answers the page and the total.
pub async fn list(
    db: &Db,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Mail>, i64)> {
    let filter = "($1 = '' OR status = $1)";
    let status = status.unwrap_or("");
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY} FROM mail_outbox WHERE {filter} ORDER BY id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM mail_outbox WHERE {filter}"))
            .bind(status)
            .fetch_one(db.pool())
            .await?;
    let mails = rows.iter().map(from_row).collect::<sqlx::Result<_>>()?;
    Ok((mails, total))
}

/// One message with its bodies.
pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<Mail>> {
    let row = sqlx::query("SELECT * FROM mail_outbox WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Claims up to `limit` due messages for sending (see the module doc); answers those claimed.
pub async fn claim_due(db: &Db, now: i64, limit: i64) -> sqlx::Result<Vec<Mail>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let done = sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $1 \
             WHERE id = $2 AND status = 'queued' AND next_attempt_at <= $3",
        )
        .bind(now + LEASE)
        .bind(id)
        .bind(now)
        .execute(db.pool())
        .await?;
        if done.rows_affected() == 1
            && let Some(mail) = get(db, id).await?
        {
            claimed.push(mail);
        }
    }
    Ok(claimed)
}

/// Records that the server accepted the message, with its answer.
pub async fn mark_sent(db: &Db, id: i64, answer: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_answer = $2 \
         WHERE id = $3",
    )
    .bind(now)
    .bind(clip(answer))
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Records a failed attempt with the server's answer: the message is retried after
/// [`backoff`], or `failed` when the refusal is `permanent` or it was the last attempt.
/// Answers the new status.
pub async fn mark_failed(
    db: &Db,
    mail: &Mail,
    answer: &str,
    permanent: bool,
    now: i64,
) -> sqlx::Result<&'static str> {
    let attempts = mail.attempts + 1;
    let status = if permanent || attempts >= MAX_ATTEMPTS {
        "failed"
    } else {
        "queued"
    };
    sqlx::query(
        "UPDATE mail_outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_answer = $4 \
         WHERE id = $5",
    )
    .bind(status)
    .bind(attempts)
    .bind(now + backoff(attempts))
    .bind(clip(answer))
    .bind(mail.id)
    .execute(db.pool())
    .await?;
    Ok(status)
}

/// Puts a `failed` message back in the queue with a fresh set of attempts, due now (an admin
/// fixed the server or the address). False when the message is not `failed`.
pub async fn retry(db: &Db, id: i64, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = $1 \
         WHERE id = $2 AND status = 'failed'",
    )
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts per status, for the page's filter links.
pub async fn counts(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
        .collect()
}

/// A server's answer as stored: bounded, so a chatty server cannot fill the table.
fn clip(answer: &str) -> String {
    answer.chars().take(1000).collect()
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_from_a_minute_up_to_two_hours() {
        assert_eq!(backoff(1), 60);
        assert_eq!(backoff(2), 120);
        assert_eq!(backoff(3), 240);
        assert_eq!(backoff(8), 2 * 3600);
        assert_eq!(backoff(40), 2 * 3600);
    }
}
