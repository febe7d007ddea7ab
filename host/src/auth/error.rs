//! The one error type of `auth`: what can go wrong with credentials, sessions and tokens besides
//! a refused sign-in (a [`super::signin::Refusal`] is an answer, not an error).
//!
//! Owns the user-facing wording of each failure. Must never name an HTTP status: `web::error`
//! decides what each variant answers.

use super::password::HashError;

/// Why an `auth` operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A customer account already has this email.
    #[error("An account with this email already exists. Sign in or reset its password.")]
    EmailTaken,
    /// The user has no active API token with this id.
    #[error("You have no active token with id {0}.")]
    NoSuchToken(i64),
    /// The agent session assists a customer already (agent assist: end it first).
    #[error("You are assisting a customer already: end that assistance first.")]
    AlreadyAssisting,
    /// The agent may not assist this customer (the message says why).
    #[error("{0}")]
    MayNotAssist(String),
    /// Checking or hashing a password failed, or the gate was full.
    #[error(transparent)]
    Password(#[from] HashError),
    /// The database failed. The detail is for the log.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

pub type AuthResult<T> = Result<T, AuthError>;
