//! What can go wrong when the shop's context is read or changed. Knows nothing of HTTP: the
//! statuses are decided in `web::error`.

use super::records::Kind;
use crate::validate::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    /// A field of the form failed its check (the message names the field).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("There is no {} {code}.", kind.label())]
    NotFound { kind: Kind, code: String },
    /// A new record's code is another's: a field error like any other (the code field).
    #[error("Code: a {} with the code {code} already exists.", kind.label())]
    Taken { kind: Kind, code: String },
    /// Deleting a record something still uses.
    #[error("The {} {code} is still used by {}; change those first.", kind.label(), uses.join(", "))]
    InUse {
        kind: Kind,
        code: String,
        uses: Vec<String>,
    },
    /// A stored record could not be read back (edited by hand in the database).
    #[error("the stored {kind} {code} is not valid: {source}")]
    Corrupt {
        kind: String,
        code: String,
        source: serde_json::Error,
    },
    #[error("encoding a setting: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
