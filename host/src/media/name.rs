//! File names of uploads. A name is only ever a label (shown on the media page, the last
//! segment of a URL, the alt text's fallback): files are found by id and hash, so no name
//! reaches a path. A name that is not a plain file name is refused all the same, since it
//! can only come from a crafted request (browsers send the base name).

use super::error::MediaError;

/// Longest name kept, in characters.
pub const NAME_MAX: usize = 200;

/// The display name of an upload named `raw`: trimmed, refused when it is a path (`/`, `\`),
/// hidden or relative (`.`, `..`, a leading dot), or has control characters; cut to
/// [`NAME_MAX`] characters. An empty name becomes `image`.
pub fn display(raw: &str) -> Result<String, MediaError> {
    let name = raw.trim();
    let refused =
        name.contains(['/', '\\']) || name.starts_with('.') || name.chars().any(|c| c.is_control());
    if refused {
        return Err(MediaError::BadName(raw.to_owned()));
    }
    if name.is_empty() {
        return Ok("image".to_owned());
    }
    Ok(name.chars().take(NAME_MAX).collect())
}

/// The name as a URL segment: ASCII letters, digits, `-`, `_` and `.`, every other run of
/// characters one `-`; never empty, never starting with a dot. Only for people reading the
/// URL and saving the file: the server ignores it.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_start_matches(['.', '-']).trim_end_matches('-');
    if out.is_empty() {
        "image".to_owned()
    } else {
        out.chars().take(80).collect()
    }
}

/// The slug without its extension, for variants (which get their own).
pub fn stem(name: &str) -> String {
    let slug = slug(name);
    match slug.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
        _ => slug,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_hidden_names_are_refused() {
        for bad in [
            "../../x.png",
            "a/b.png",
            "C:\\x\\y.png",
            ".htaccess",
            "..",
            "a\nb.png",
        ] {
            assert!(display(bad).is_err(), "{bad:?}");
        }
        assert_eq!(display("  Red shoe.jpg ").unwrap(), "Red shoe.jpg");
        assert_eq!(display("").unwrap(), "image");
    }

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Red shoe (1).jpg"), "Red-shoe-1-.jpg");
        assert_eq!(slug("Ärger.png"), "rger.png");
        assert_eq!(slug("..."), "image");
        assert_eq!(stem("Red shoe.jpg"), "Red-shoe");
    }
}
