//! The one error type of `mail`: why a message could not be queued.
//!
//! Must never name an HTTP status: `web::error` decides what each variant answers, and the
//! `mail` WIT interface turns the first two into its `invalid` error value.

/// Why a message was not queued.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A field of the message is wrong (address, subject, template name, context); the message
    /// names the field.
    #[error("{0}")]
    Invalid(String),
    /// A template of the message is missing or failed to render; names the template.
    #[error("mail template {template}: {message}")]
    Render { template: String, message: String },
    /// The database failed. The detail is for the log.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

pub type MailResult<T> = Result<T, MailError>;
