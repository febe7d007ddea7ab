//! The theme studio: themes made in the Back Office rather than on the server's disk.
//!
//! A studio theme lives in the database (so every host on it serves the same files): a draft
//! that admins edit and numbered published versions, each with its author, time and a diff
//! against the version before. The published version is built as the theme `<name>`; the draft
//! as `<name>@draft`, an environment only a preview renders with (the suffix is not a valid
//! theme name, so it can never be activated or collide with a folder).
//!
//! `files` turns a set of files into a checked [`Folder`](super::folder::Folder) (the one place
//! that decides which files a theme may hold), `store` keeps drafts and versions, `archive`
//! reads and writes `.zip` exports, `diff` compares two versions, and `sync` loads the studio
//! themes into the templates when the database says they changed. Every template a studio
//! theme holds compiled before it was stored; autoescape and fuel are the same as for any theme
//! (`env`).

pub mod archive;
pub mod diff;
pub mod files;
pub mod store;
pub mod sync;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

/// A theme's files: path inside the theme (`theme.toml`, `templates/…`, `static/…`) → bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// The environment name of a studio theme's draft.
pub const DRAFT_SUFFIX: &str = "@draft";

/// The themes shipped with the host: never edited in place, only duplicated.
pub const SHIPPED: [&str; 2] = ["default", "midnight"];

/// `<name>@draft`.
pub fn draft_name(theme: &str) -> String {
    format!("{theme}{DRAFT_SUFFIX}")
}

/// The theme an environment name belongs to (`my-shop@draft` → `my-shop`).
pub fn published_name(env_name: &str) -> &str {
    env_name.strip_suffix(DRAFT_SUFFIX).unwrap_or(env_name)
}

/// Why the studio refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    #[error("There is no theme named {0:?} in the theme studio.")]
    NotFound(String),
    #[error(
        "The theme {0:?} is not edited in the Back Office (it is shipped or on the server's disk): duplicate it and edit the copy."
    )]
    ReadOnly(String),
    #[error("A theme named {0:?} already exists.")]
    Exists(String),
    #[error("{0}")]
    Invalid(String),
    /// Files that may not be stored; nothing was written. One line per problem.
    #[error("Nothing was changed: {}", .0.join("; "))]
    Refused(Vec<String>),
    #[error(
        "The draft of {0:?} is the same as its published version: there is nothing to publish."
    )]
    NothingToPublish(String),
    #[error("The theme {theme:?} has no version {version}.")]
    NoVersion { theme: String, version: i64 },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}
