//! The one error type of plugin storage, mirroring the WIT `storage-error` variant.
//!
//! Owns the mapping from database errors to that type. Must never turn an expected failure
//! (bad input, a unique value taken, a version mismatch) into `Internal`, and must never put SQL
//! or database details into a variant other than `Internal`.

/// Why a storage operation failed. Every variant except `Internal` is meant for the plugin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// No record with that id.
    #[error("no record with that id")]
    NotFound,
    /// A unique field already has this value; carries the field name.
    #[error("another record already has this value of unique field '{0}'")]
    UniqueViolation(String),
    /// The caller may not use this collection. Storage itself never decides access; the plugin
    /// runtime uses this variant when its grant check fails.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request is malformed; the message says what is wrong and names the field.
    #[error("{0}")]
    Invalid(String),
    /// `expected_version` did not match the stored version.
    #[error("{0}")]
    Conflict(String),
    /// A failure in the host or the database. The detail is for the host's log, not the plugin.
    #[error("internal storage error: {0}")]
    Internal(String),
}

impl StorageError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        StorageError::Invalid(message.into())
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        StorageError::Conflict(message.into())
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        StorageError::Internal(err.to_string())
    }
}

pub type StorageResult<T> = Result<T, StorageError>;
