//! The one error type of `users`: what can go wrong with back-office accounts.
//!
//! Owns the user-facing wording of each failure. Must never name an HTTP status: `web::error`
//! decides what each variant answers.

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// Another account (a deleted one included) has this email.
    #[error("A user with the email {0} already exists.")]
    EmailTaken(String),
    /// There is no account with this id, or it is deleted.
    #[error("There is no user with id {0}.")]
    NotFound(i64),
    /// The database failed. The detail is for the log.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

pub type UserResult<T> = Result<T, UserError>;
