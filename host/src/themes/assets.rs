//! What a theme serves besides templates: its static files (looked up through the theme chain,
//! always through `paths::resolve`) and the stylesheet of its variables (`--theme-<name>`
//! custom properties, from values that `vars::check` already made safe for CSS).

use super::env::{StaticRoot, ThemeEnv};
use super::folder::short_hash;
use super::paths::{self, PathError};
use super::vars::{self, Definition};

/// A static file found for a request.
#[derive(Debug)]
pub struct StaticFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub hash: String,
}

/// Reads `rel` from the nearest theme of the chain that has it. A path refused in one root is
/// refused everywhere (it never falls through to a parent).
pub fn find(env: &ThemeEnv, rel: &str) -> Result<StaticFile, PathError> {
    paths::check_relative(rel)?;
    for root in &env.static_roots {
        let root = match root {
            StaticRoot::Dir(dir) => dir,
            StaticRoot::Memory(files) => match files.get(rel) {
                Some(bytes) => {
                    return Ok(StaticFile {
                        hash: short_hash(bytes),
                        content_type: content_type(rel),
                        bytes: bytes.clone(),
                    });
                }
                None => continue,
            },
        };
        let Ok(root) = root.canonicalize() else {
            continue;
        };
        match paths::resolve(&root, rel) {
            Ok(path) if path.is_file() => {
                let bytes = std::fs::read(&path).map_err(|_| PathError::Missing(rel.to_owned()))?;
                return Ok(StaticFile {
                    hash: short_hash(&bytes),
                    content_type: content_type(rel),
                    bytes,
                });
            }
            Ok(_) | Err(PathError::Missing(_)) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(PathError::Missing(rel.to_owned()))
}

/// The `Content-Type` for a file name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// The stylesheet of a theme's variables and its version hash.
pub fn vars_css(values: &[(Definition, String)]) -> (String, String) {
    let mut css = String::from(":root {\n");
    for (def, value) in values {
        if def.kind.is_css() && vars::check(def.kind, value).is_ok() {
            css.push_str(&format!("  {}: {value};\n", vars::css_property(&def.name)));
        }
    }
    css.push_str("}\n");
    let hash = short_hash(css.as_bytes());
    (css, hash)
}
