//! Which files a studio theme may hold, and turning them into a [`Folder`] the registry builds.
//!
//! Every way into the studio (the editor's save, a duplicate, an archive import) checks files
//! here, so the rules are written once: a path that stays inside the theme (`paths`), only
//! `theme.toml`, templates (`templates/**.html|.txt`), stylesheets, fonts and images
//! (`static/**`) whose bytes are what their name says (nothing executable, no SVG: it can carry
//! script), size caps, every template compiled (with its line on failure) and a manifest whose
//! variables are typed.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Files;
use crate::themes::env;
use crate::themes::folder::{self, Folder, Manifest, Problem, short_hash};
use crate::themes::paths;

/// Largest template, stylesheet or `theme.toml`.
pub const MAX_TEXT: usize = folder::MAX_FILE as usize;
/// Largest font or image.
pub const MAX_BINARY: usize = 2 * 1024 * 1024;
/// Most files in one theme.
pub const MAX_FILES: usize = 500;
/// Most bytes in one theme, all files together.
pub const MAX_TOTAL: usize = 16 * 1024 * 1024;

/// What a file is, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Manifest,
    Template,
    Stylesheet,
    Font,
    Image,
}

impl Kind {
    /// Whether the editor shows and edits it as text.
    pub fn is_text(self) -> bool {
        matches!(self, Kind::Manifest | Kind::Template | Kind::Stylesheet)
    }

    fn limit(self) -> usize {
        if self.is_text() { MAX_TEXT } else { MAX_BINARY }
    }
}

/// The kind of the file at `path`, or why no theme may hold it.
pub fn kind(path: &str) -> Result<Kind, String> {
    paths::check_relative(path).map_err(|e| e.to_string())?;
    if path == "theme.toml" {
        return Ok(Kind::Manifest);
    }
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(name) = path.strip_prefix("templates/") {
        return match ext.as_str() {
            "html" | "txt" if !name.is_empty() => Ok(Kind::Template),
            _ => Err(format!(
                "{path}: a template is an .html or .txt file under templates/"
            )),
        };
    }
    if path.starts_with("static/") {
        return match ext.as_str() {
            "css" => Ok(Kind::Stylesheet),
            "woff" | "woff2" | "ttf" | "otf" => Ok(Kind::Font),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "ico" => Ok(Kind::Image),
            _ => Err(format!(
                "{path}: only stylesheets (.css), fonts (.woff, .woff2, .ttf, .otf) and images (.png, .jpg, .gif, .webp, .ico) may be static files"
            )),
        };
    }
    Err(format!(
        "{path}: a theme holds theme.toml, templates/ and static/ only"
    ))
}

/// Checks one file: its path, kind, size and content (a template must compile). The message
/// names the file (and the line, for a template).
pub fn check_file(path: &str, bytes: &[u8]) -> Result<Kind, String> {
    let kind = kind(path)?;
    if bytes.len() > kind.limit() {
        return Err(format!("{path}: larger than {} KiB", kind.limit() / 1024));
    }
    if looks_executable(bytes) {
        return Err(format!(
            "{path}: an executable file is not allowed in a theme"
        ));
    }
    if kind.is_text() {
        let text =
            std::str::from_utf8(bytes).map_err(|_| format!("{path}: not valid UTF-8 text"))?;
        if text.contains('\0') {
            return Err(format!("{path}: text files may not contain NUL bytes"));
        }
        if kind == Kind::Template {
            let name = path.strip_prefix("templates/").unwrap_or(path);
            env::check(name, text).map_err(|(line, message)| match line {
                Some(line) => format!("{path}, line {line}: {message}"),
                None => format!("{path}: {message}"),
            })?;
        }
    } else if !magic_matches(kind, path, bytes) {
        return Err(format!(
            "{path}: the content is not the {} its name says",
            if kind == Kind::Font { "font" } else { "image" }
        ));
    }
    Ok(kind)
}

/// Native executables and scripts by their first bytes.
fn looks_executable(bytes: &[u8]) -> bool {
    [
        &b"\x7fELF"[..],
        b"MZ",
        b"#!",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"\0asm",
    ]
    .iter()
    .any(|magic| bytes.starts_with(magic))
}

fn magic_matches(kind: Kind, path: &str, bytes: &[u8]) -> bool {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let starts = |m: &[u8]| bytes.starts_with(m);
    match (kind, ext.as_str()) {
        (Kind::Image, "png") => starts(b"\x89PNG\r\n\x1a\n"),
        (Kind::Image, "jpg" | "jpeg") => starts(b"\xff\xd8\xff"),
        (Kind::Image, "gif") => starts(b"GIF87a") || starts(b"GIF89a"),
        (Kind::Image, "webp") => starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"),
        (Kind::Image, "ico") => starts(b"\0\0\x01\0"),
        (Kind::Font, "woff") => starts(b"wOFF"),
        (Kind::Font, "woff2") => starts(b"wOF2"),
        (Kind::Font, "ttf" | "otf") => starts(b"\0\x01\0\0") || starts(b"OTTO") || starts(b"true"),
        _ => false,
    }
}

/// Checks a whole theme named `name`: every file, the caps, and `theme.toml` (its name, a
/// parent that `is_theme` knows, typed variables). Every problem is listed, not just the first.
pub fn check_all(name: &str, files: &Files, is_theme: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut problems = Vec::new();
    if files.len() > MAX_FILES {
        problems.push(format!("more than {MAX_FILES} files"));
    }
    let total: usize = files.values().map(Vec::len).sum();
    if total > MAX_TOTAL {
        problems.push(format!(
            "larger than {} MiB in all",
            MAX_TOTAL / (1024 * 1024)
        ));
    }
    for (path, bytes) in files {
        if let Err(problem) = check_file(path, bytes) {
            problems.push(problem);
        }
    }
    match files.get("theme.toml") {
        None => problems.push("theme.toml: missing".into()),
        Some(bytes) => match manifest(name, bytes) {
            Err(problem) => problems.push(problem),
            Ok(manifest) => {
                if let Some(parent) = &manifest.extends
                    && !is_theme(parent)
                {
                    problems.push(format!(
                        "theme.toml: extends {parent:?}, which is not an installed theme"
                    ));
                }
            }
        },
    }
    problems
}

/// Reads and checks `theme.toml` of the theme `name`.
pub fn manifest(name: &str, bytes: &[u8]) -> Result<Manifest, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "theme.toml: not UTF-8".to_owned())?;
    let manifest: Manifest = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        match line {
            Some(line) => format!("theme.toml, line {line}: {}", e.message()),
            None => format!("theme.toml: {}", e.message()),
        }
    })?;
    folder::check_manifest(name, &manifest).map_err(|m| format!("theme.toml: {m}"))?;
    Ok(manifest)
}

/// The `theme.toml` of a new theme that extends `parent` and overrides nothing yet.
pub fn manifest_of_copy(name: &str, parent: &str) -> String {
    format!(
        "# Made in the Back Office's theme studio: everything not overridden here comes from {parent:?}.\n\
         name = {name:?}\n\
         version = \"1.0.0\"\n\
         description = \"A copy of {parent} made in the theme studio.\"\n\
         extends = {parent:?}\n"
    )
}

/// The theme `name` as the registry builds it (its published version or its draft). Files are not re-checked: they were when they were stored; a
/// file that no longer reads is a problem of the theme, not a failure.
pub fn to_folder(name: &str, files: &Files) -> Result<(Folder, Vec<Problem>), Problem> {
    let manifest = files
        .get("theme.toml")
        .ok_or_else(|| "theme.toml: missing".to_owned())
        .and_then(|bytes| manifest(name, bytes))
        .map_err(|m| Problem::new(name, format!("{name}/theme.toml"), None, m))?;
    let mut problems = Vec::new();
    let mut templates = BTreeMap::new();
    let mut statics = BTreeMap::new();
    let mut memory = BTreeMap::new();
    for (path, bytes) in files {
        if let Some(rel) = path.strip_prefix("templates/") {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    templates.insert(rel.to_owned(), text.to_owned());
                }
                Err(_) => problems.push(Problem::new(
                    name,
                    format!("{name}/{path}"),
                    None,
                    "not valid UTF-8".into(),
                )),
            }
        } else if let Some(rel) = path.strip_prefix("static/") {
            statics.insert(rel.to_owned(), short_hash(bytes));
            memory.insert(rel.to_owned(), bytes.clone());
        }
    }
    Ok((
        Folder {
            manifest,
            root: std::path::PathBuf::new(),
            templates,
            statics,
            memory: Some(Arc::new(memory)),
        },
        problems,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_theme_files_pass() {
        assert_eq!(kind("templates/storefront/header.html"), Ok(Kind::Template));
        assert_eq!(kind("static/css/a.css"), Ok(Kind::Stylesheet));
        assert!(kind("static/x.svg").is_err());
        assert!(kind("run.sh").is_err());
        assert!(kind("../x.html").is_err());
        assert!(kind("/etc/passwd").is_err());
        assert!(kind("templates/../../x.html").is_err());
        assert!(check_file("static/a.png", b"#!/bin/sh\n").is_err());
        assert!(check_file("static/a.png", b"not a png").is_err());
        assert!(check_file("static/a.png", b"\x89PNG\r\n\x1a\n....").is_ok());
        let err = check_file("templates/a.html", b"ok\n{% if %}").unwrap_err();
        assert!(err.starts_with("templates/a.html, line 2:"), "{err}");
    }
}
