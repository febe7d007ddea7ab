//! The one error type of `acl`: what can go wrong with groups, roles, rules and memberships.
//!
//! Owns the user-facing wording of each failure. Must never name an HTTP status: `web::error`
//! decides what each variant answers.

use super::store::Kind;

/// Why an ACL operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AclError {
    /// The group or role asked for does not exist.
    #[error("There is no {kind} with id {id}.")]
    NotFound { kind: Kind, id: i64 },
    /// Another group (or role) already has this name.
    #[error("A {kind} named {name:?} already exists.")]
    NameTaken { kind: Kind, name: String },
    /// The role already has an identical rule.
    #[error("This role already has that rule.")]
    RuleExists,
    /// A list of members names a group or role that does not exist: the request itself is
    /// wrong, unlike [`AclError::NotFound`] of the thing being changed.
    #[error("There is no {kind} with id {id}.")]
    UnknownMember { kind: Kind, id: i64 },
    /// The change would give someone rights the acting user does not hold (a rule, a role or
    /// a group), or act on an account that holds rights the acting user does not.
    #[error("{0}")]
    Beyond(String),
    /// The database failed. The detail is for the log.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

pub type AclResult<T> = Result<T, AclError>;
