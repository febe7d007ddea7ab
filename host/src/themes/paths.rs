//! Paths inside a theme folder. Every file a theme serves or loads is reached through
//! [`resolve`], which refuses anything that could leave the theme root: `..`, absolute paths,
//! backslashes, empty or hidden segments, and symlinks whose target lies outside (the resolved
//! path is canonicalized and must still start with the canonical root).
//!
//! This module must never join a user-supplied path any other way.

use std::path::{Component, Path, PathBuf};

/// Why a path was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    /// The path is malformed or tries to climb out (`..`, absolute, backslash, hidden segment).
    #[error("the path {0:?} is not allowed in a theme")]
    Refused(String),
    /// The path is well formed but names nothing.
    #[error("there is no file {0:?} in the theme")]
    Missing(String),
    /// The path exists but (through a symlink) points outside the theme root.
    #[error("the path {0:?} points outside the theme")]
    Outside(String),
}

/// Longest relative path accepted.
const MAX_LEN: usize = 512;

/// Checks the shape of a relative path (`a/b/c.css`) without touching the file system.
pub fn check_relative(rel: &str) -> Result<(), PathError> {
    let refused = || PathError::Refused(rel.chars().take(100).collect());
    if rel.is_empty()
        || rel.len() > MAX_LEN
        || rel.starts_with('/')
        || rel.contains('\\')
        || rel.contains(':')
        || rel.chars().any(char::is_control)
    {
        return Err(refused());
    }
    for segment in rel.split('/') {
        if segment.is_empty() || segment.starts_with('.') {
            return Err(refused());
        }
    }
    // Belt and braces: what the platform would make of it must be plain names only.
    if Path::new(rel)
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(refused());
    }
    Ok(())
}

/// The canonical path of `rel` under the canonical directory `root`, if it exists and stays
/// inside it.
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf, PathError> {
    check_relative(rel)?;
    let joined = root.join(rel);
    let canonical = match joined.canonicalize() {
        Ok(path) => path,
        Err(_) => return Err(PathError::Missing(rel.to_owned())),
    };
    if !canonical.starts_with(root) {
        return Err(PathError::Outside(rel.to_owned()));
    }
    Ok(canonical)
}

/// True for a theme or variable name: lower-case ASCII letters, digits and `-`, starting with a
/// letter, at most 40 characters.
pub fn is_theme_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && name.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn climbing_and_odd_paths_are_refused() {
        for bad in [
            "",
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a\\..\\x",
            "a//b",
            ".hidden",
            "a/./b",
            "c:/x",
            "a\nb",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_relative("css/site.css").is_ok());
    }

    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        let theme = tempfile::tempdir().unwrap();
        let root = theme.path().canonicalize().unwrap();
        std::fs::write(root.join("ok.css"), "ok").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("link.txt"))
            .unwrap();
        assert!(resolve(&root, "ok.css").is_ok());
        assert_eq!(
            resolve(&root, "missing.css"),
            Err(PathError::Missing("missing.css".into()))
        );
        #[cfg(unix)]
        assert_eq!(
            resolve(&root, "link.txt"),
            Err(PathError::Outside("link.txt".into()))
        );
    }

    #[test]
    fn theme_names_are_plain() {
        assert!(is_theme_name("midnight"));
        assert!(is_theme_name("my-theme-2"));
        for bad in ["", "Dark", "../x", "a b", "-x", "x_y"] {
            assert!(!is_theme_name(bad), "{bad:?}");
        }
    }
}

/// Fuzz target: arbitrary relative paths (climbs, encodings, separators, control characters)
/// never resolve outside the theme root, and what the shape check accepts is plain names only.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn fuzz_theme_paths_never_leave_the_root(
            rel in "(css|a|b\\.css|\\.|\\.\\.|%2e|/|\\\\|:|~|\u{0}|\n|link){0,10}"
        ) {
            let outside = tempfile::tempdir().unwrap();
            let theme = tempfile::tempdir().unwrap();
            let root = theme.path().canonicalize().unwrap();
            std::fs::create_dir(root.join("css")).unwrap();
            std::fs::write(root.join("css/b.css"), "b").unwrap();
            std::fs::write(outside.path().join("b.css"), "secret").unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();

            if let Ok(found) = resolve(&root, &rel) {
                prop_assert!(found.starts_with(&root), "{rel:?} resolved to {found:?}");
            }
            if check_relative(&rel).is_ok() {
                prop_assert!(!rel.starts_with('/'));
                prop_assert!(rel.split('/').all(|s| !s.is_empty() && !s.starts_with('.')));
            }
        }
    }
}
