//! Themes: folders of templates and static files that decide how the Back Office and the
//! storefront look. A theme may extend another; lookup goes theme → parents → the plugin's
//! bundled template → the host's built-in template. The host's templates are the default look's
//! templates; `themes/default` adds its variables and stylesheet, which `builtin` also compiles
//! in for a host without theme folders.
//!
//! `builtin` is the look without any theme folder, `folder` reads a theme from disk (through
//! `paths`, which keeps every path inside the theme), `vars` checks typed variables, `env`
//! builds one minijinja environment per theme with the `helpers` every template gets, `registry` builds all of them into one swappable snapshot,
//! `store` keeps the active theme per surface and edited variables in the database, `assets`
//! serves static files and variable stylesheets, and `watcher` reloads on change. The facade
//! the rest of the host uses is `crate::templates::Templates`; `studio` keeps the themes made in
//! the Back Office (drafts, versions, archives) in the database; the HTTP side is `web::themes`
//! (the Themes page) and `web::view` (the one place that builds a render's context).
//!
//! Nothing here renders with data a handler did not pass, and nothing here reads a file outside
//! a theme folder.

pub mod assets;
pub mod builtin;
pub mod charts;
pub mod env;
pub mod folder;
pub mod helpers;
pub mod paths;
pub mod registry;
pub mod store;
pub mod studio;
pub mod vars;
pub mod watcher;

use std::path::PathBuf;

pub use store::Surface;

/// Where themes come from.
#[derive(Debug, Clone, Default)]
pub struct ThemeSettings {
    /// The directory holding one folder per theme; `None` serves the built-in templates only.
    pub dir: Option<PathBuf>,
    /// Re-read themes when their files change.
    pub watch: bool,
}
