//! Reading one theme folder: `theme.toml`, every file under `templates/` and a content hash of
//! every file under `static/`. A folder that cannot be read becomes a [`Problem`] naming the file
//! (and line, for TOML); files that would leave the theme root are skipped with a problem each.
//!
//! This module only reads; it never writes into a theme.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::env::StaticRoot;
use super::paths;
use super::vars::{self, Definition};

/// Largest `theme.toml` or template file read.
pub(crate) const MAX_FILE: u64 = 512 * 1024;
/// Most files read from one theme.
const MAX_FILES: usize = 2000;
/// Deepest folder nesting followed (also stops symlink loops inside the theme).
const MAX_DEPTH: usize = 8;

/// What `theme.toml` says.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// The parent theme this one overlays.
    #[serde(default)]
    pub extends: Option<String>,
    #[serde(default)]
    pub variables: Vec<Definition>,
}

/// A theme as read from disk.
#[derive(Debug, Clone)]
pub struct Folder {
    pub manifest: Manifest,
    /// Canonical path of the folder.
    pub root: PathBuf,
    /// Template name (path under `templates/`, `/`-separated) → source.
    pub templates: BTreeMap<String, String>,
    /// Path under `static/` → first 16 hex digits of its SHA-256.
    pub statics: BTreeMap<String, String>,
    /// The bytes of the static files when the theme is not on disk (a studio theme, kept in
    /// the database); `None` serves them from `root/static`.
    pub memory: Option<Arc<BTreeMap<String, Vec<u8>>>>,
}

impl Folder {
    /// Where this theme's static files are served from.
    pub fn static_root(&self) -> StaticRoot {
        match &self.memory {
            Some(files) => StaticRoot::Memory(files.clone()),
            None => StaticRoot::Dir(self.root.join("static")),
        }
    }
}

/// Something wrong with a theme file, shown on the Themes page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub theme: String,
    /// The file, relative to the themes directory.
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn new(theme: &str, file: String, line: Option<usize>, message: String) -> Problem {
        Problem {
            theme: theme.to_owned(),
            file,
            line,
            message,
        }
    }
}

/// Reads the folder `dir` (whose file name is the theme's name). Problems with single files are
/// returned alongside a usable folder; a problem with `theme.toml` makes the folder unusable.
pub fn read(dir: &Path) -> Result<(Folder, Vec<Problem>), Problem> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let fail = |file: &str, line: Option<usize>, message: String| {
        Problem::new(&name, format!("{name}/{file}"), line, message)
    };
    let root = dir
        .canonicalize()
        .map_err(|e| fail("", None, format!("cannot open the folder: {e}")))?;
    let manifest_path =
        paths::resolve(&root, "theme.toml").map_err(|e| fail("theme.toml", None, e.to_string()))?;
    let text = read_limited(&manifest_path).map_err(|e| fail("theme.toml", None, e))?;
    let manifest: Manifest = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        fail("theme.toml", line, e.message().to_owned())
    })?;
    check_manifest(&name, &manifest).map_err(|m| fail("theme.toml", None, m))?;

    let mut problems = Vec::new();
    let mut templates = BTreeMap::new();
    let mut statics = BTreeMap::new();
    let mut count = 0;
    for (sub, is_templates) in [("templates", true), ("static", false)] {
        let base = root.join(sub);
        if !base.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        walk(&root, &base, "", &mut files, &mut |rel, message| {
            problems.push(fail(&format!("{sub}/{rel}"), None, message));
        });
        for (rel, path) in files {
            count += 1;
            if count > MAX_FILES {
                problems.push(fail(sub, None, format!("more than {MAX_FILES} files")));
                break;
            }
            if is_templates {
                match read_limited(&path) {
                    Ok(source) => {
                        templates.insert(rel, source);
                    }
                    Err(e) => problems.push(fail(&format!("{sub}/{rel}"), None, e)),
                }
            } else {
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        statics.insert(rel, short_hash(&bytes));
                    }
                    Err(e) => problems.push(fail(&format!("{sub}/{rel}"), None, e.to_string())),
                }
            }
        }
    }
    Ok((
        Folder {
            manifest,
            root,
            templates,
            statics,
            memory: None,
        },
        problems,
    ))
}

/// The first 16 hex digits of the SHA-256 of `bytes`: the `v=` of asset URLs.
pub fn short_hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..8])
}

pub(crate) fn check_manifest(folder: &str, manifest: &Manifest) -> Result<(), String> {
    if manifest.name != folder {
        return Err(format!(
            "name = {:?} must equal the folder name {folder:?}",
            manifest.name
        ));
    }
    if !paths::is_theme_name(&manifest.name) {
        return Err("the name may contain only lower-case letters, digits and '-'".into());
    }
    if let Some(parent) = &manifest.extends
        && (!paths::is_theme_name(parent) || parent == &manifest.name)
    {
        return Err(format!("extends = {parent:?} is not another theme's name"));
    }
    let mut seen = std::collections::HashSet::new();
    for def in &manifest.variables {
        if !vars::is_variable_name(&def.name) {
            return Err(format!(
                "variable {:?}: a name has lower-case letters, digits and '_'",
                def.name
            ));
        }
        if !seen.insert(def.name.as_str()) {
            return Err(format!("variable {:?} is declared twice", def.name));
        }
        vars::check(def.kind, &vars::default_text(def))
            .map_err(|e| format!("variable {:?}: the default {e}", def.name))?;
        if def.label.chars().count() > 200 || def.description.chars().count() > 1000 {
            return Err(format!(
                "variable {:?}: label or description too long",
                def.name
            ));
        }
    }
    Ok(())
}

fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE {
        return Err(format!("larger than {} KiB", MAX_FILE / 1024));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_owned())
}

/// Collects `(relative path, canonical path)` of the files under `dir`, refusing names that are
/// not plain and symlinks that leave `root`.
fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, PathBuf)>,
    problem: &mut dyn FnMut(&str, String),
) {
    if prefix.split('/').count() > MAX_DEPTH {
        problem(
            prefix,
            format!("folders nested deeper than {MAX_DEPTH} levels are ignored"),
        );
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        // Editors' swap and backup files are not part of a theme.
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if let Err(e) = paths::check_relative(&rel) {
            problem(&rel, e.to_string());
            continue;
        }
        let canonical = match entry.path().canonicalize() {
            Ok(path) if path.starts_with(root) => path,
            Ok(_) => {
                problem(&rel, "points outside the theme and is ignored".into());
                continue;
            }
            Err(e) => {
                problem(&rel, e.to_string());
                continue;
            }
        };
        if canonical.is_dir() {
            walk(root, &canonical, &rel, out, problem);
        } else if canonical.is_file() {
            out.push((rel, canonical));
        }
    }
}
