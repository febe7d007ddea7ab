//! Theme archives: a `.zip` holding `theme.toml`, `templates/` and `static/` (or one folder
//! holding them), read for an import and written for an export.
//!
//! An import is checked whole before anything is stored, and every problem is listed: entries
//! that are symbolic links, executable, encrypted, named with an absolute path, `..` or anything
//! but plain segments (zip-slip), repeated, or larger than the caps — the size each entry
//! declares is checked before a byte of it is inflated, and reading stops one byte past the cap
//! whatever the header said — then the files themselves (`files::check_all`). Nothing here
//! touches the file system.

use std::io::{Cursor, Read, Write};

use super::Files;
use super::files::{self, MAX_BINARY, MAX_FILES, MAX_TOTAL};

/// Largest archive accepted for an import.
pub const MAX_ARCHIVE: usize = MAX_TOTAL;

/// Unix file-type bits of a symbolic link in an entry's mode.
const S_IFLNK: u32 = 0o120000;
const S_IFMT: u32 = 0o170000;

/// A theme read from an archive and checked: its name (from `theme.toml`) and files.
#[derive(Debug)]
pub struct Imported {
    pub name: String,
    pub files: Files,
}

/// Reads and checks an archive; `is_theme` says which parents exist. `Err` lists every problem.
pub fn read(bytes: &[u8], is_theme: &dyn Fn(&str) -> bool) -> Result<Imported, Vec<String>> {
    if bytes.len() > MAX_ARCHIVE {
        return Err(vec![format!(
            "the archive is larger than {} MiB",
            MAX_ARCHIVE >> 20
        )]);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| vec![format!("the file is not a readable .zip archive: {e}")])?;
    if archive.len() > 2 * MAX_FILES {
        return Err(vec![format!(
            "the archive has {} entries; a theme has at most {MAX_FILES} files",
            archive.len()
        )]);
    }
    let mut problems = Vec::new();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(format!("entry {}: cannot be read: {e}", index + 1));
                continue;
            }
        };
        let name = match std::str::from_utf8(entry.name_raw()) {
            Ok(name) => name.to_owned(),
            Err(_) => {
                problems.push(format!("entry {}: its name is not UTF-8", index + 1));
                continue;
            }
        };
        let shown: String = name.chars().take(120).collect();
        let mode = entry.unix_mode().unwrap_or(0);
        if entry.is_symlink() || mode & S_IFMT == S_IFLNK {
            problems.push(format!(
                "{shown}: symbolic links are not allowed in a theme"
            ));
            continue;
        }
        let plain = name.trim_end_matches('/');
        if let Err(e) = crate::themes::paths::check_relative(plain) {
            problems.push(format!(
                "{shown}: {e} (absolute paths, '..' and hidden names are refused)"
            ));
            continue;
        }
        if entry.is_dir() {
            continue;
        }
        if mode & 0o111 != 0 {
            problems.push(format!(
                "{shown}: executable files are not allowed in a theme"
            ));
            continue;
        }
        if entry.encrypted() {
            problems.push(format!("{shown}: encrypted entries are not accepted"));
            continue;
        }
        let declared = entry.size();
        declared_total = declared_total.saturating_add(declared);
        if declared > MAX_BINARY as u64 {
            problems.push(format!(
                "{shown}: {} MiB uncompressed, more than the {} MiB a theme file may have",
                declared >> 20,
                MAX_BINARY >> 20
            ));
            continue;
        }
        let mut body = Vec::new();
        match (&mut entry)
            .take(MAX_BINARY as u64 + 1)
            .read_to_end(&mut body)
        {
            Ok(_) if body.len() > MAX_BINARY => {
                problems.push(format!(
                    "{shown}: larger than the {} MiB a theme file may have",
                    MAX_BINARY >> 20
                ));
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                problems.push(format!("{shown}: cannot be read: {e}"));
                continue;
            }
        }
        entries.push((plain.to_owned(), body));
    }
    if declared_total > MAX_TOTAL as u64 {
        problems.push(format!(
            "the archive unpacks to more than the {} MiB a theme may have",
            MAX_TOTAL >> 20
        ));
    }
    let root = common_root(&entries);
    let mut files = Files::new();
    for (path, body) in entries {
        let path = match &root {
            Some(root) => path[root.len() + 1..].to_owned(),
            None => path,
        };
        if files.insert(path.clone(), body).is_some() {
            problems.push(format!("{path}: appears twice in the archive"));
        }
    }
    let name = files
        .get("theme.toml")
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .and_then(|text| toml::from_str::<toml::Table>(text).ok())
        .and_then(|table| table.get("name")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    if name.is_empty() && files.contains_key("theme.toml") {
        problems.push("theme.toml: it must say the theme's name (name = \"…\")".into());
    }
    problems.extend(files::check_all(&name, &files, is_theme));
    if problems.is_empty() {
        Ok(Imported { name, files })
    } else {
        problems.dedup();
        Err(problems)
    }
}

/// The one folder every entry is in, when `theme.toml` is in it rather than at the top.
fn common_root(entries: &[(String, Vec<u8>)]) -> Option<String> {
    if entries.iter().any(|(p, _)| p == "theme.toml") {
        return None;
    }
    let (first, _) = entries.first()?;
    let root = first.split('/').next()?.to_owned();
    let inside = entries.iter().all(|(p, _)| {
        p.strip_prefix(&root)
            .is_some_and(|rest| rest.starts_with('/'))
    });
    let has_manifest = entries
        .iter()
        .any(|(p, _)| *p == format!("{root}/theme.toml"));
    (inside && has_manifest).then_some(root)
}

/// Writes `files` as a `.zip` (deflated, plain read-write files).
pub fn write(files: &Files) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (path, body) in files {
        zip.start_file(path.as_str(), options)?;
        zip.write_all(body)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_reads_back() {
        let files: Files = [
            ("theme.toml", "name = \"shop\"\nextends = \"default\"\n"),
            (
                "templates/storefront/header.html",
                "<header>{{ x }}</header>",
            ),
            ("static/css/a.css", "body{}"),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_owned(), t.as_bytes().to_vec()))
        .collect();
        let bytes = write(&files).unwrap();
        let imported = read(&bytes, &|t| t == "default").unwrap();
        assert_eq!(imported.name, "shop");
        assert_eq!(imported.files, files);
        let problems = read(&bytes, &|_| false).unwrap_err();
        assert!(problems[0].contains("extends \"default\""), "{problems:?}");
        assert!(read(b"not a zip", &|_| true).is_err());
    }
}
