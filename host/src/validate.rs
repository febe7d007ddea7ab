//! Field validation shared by every form, JSON endpoint and the command line. Each check returns
//! the cleaned value or an [`Invalid`] whose message names the field, so users learn what to fix.
//!
//! Knows nothing of HTTP: what an [`Invalid`] answers is decided in `web::error`.

/// A field that failed its check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// The field's label, as the message names it.
    pub field: String,
    /// What is wrong, as a sentence for the user.
    pub message: String,
}

impl Invalid {
    pub fn new(field: &str, message: impl Into<String>) -> Invalid {
        Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Longest email address accepted (RFC 5321 path limit).
pub const EMAIL_MAX: usize = 254;

/// A required single-line text field: trimmed, not empty, at most `max` characters, no control
/// characters.
pub fn text(label: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::new(label, format!("{label} is required.")));
    }
    optional_text(label, value, max)
}

/// An optional text field (may be empty) with the same limits as [`text`]; newlines are allowed.
pub fn optional_text(label: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Invalid::new(
            label,
            format!("{label} must have at most {max} characters."),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(
            label,
            format!("{label} contains control characters."),
        ));
    }
    Ok(value.to_owned())
}

/// An email address, lower-cased. Deliberately loose (one `@`, something on both sides, no
/// spaces): the only real check of an address is mail reaching it.
pub fn email(value: &str) -> Result<String, Invalid> {
    let value = text("Email", value, EMAIL_MAX)?.to_lowercase();
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(value)
    } else {
        Err(Invalid::new(
            "Email",
            format!("Email {value:?} is not a valid email address."),
        ))
    }
}

/// An identifier segment for ACL rules and similar: `*` or lower-case letters, digits, `-`, `_`.
pub fn ident(label: &str, value: &str) -> Result<String, Invalid> {
    let value = text(label, value, 64)?.to_lowercase();
    let ok = value == "*"
        || value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(value)
    } else {
        Err(Invalid::new(
            label,
            format!("{label} may contain only letters, digits, '-' and '_' (or be '*')."),
        ))
    }
}

/// A locale code such as `en` or `de_DE`.
pub fn locale(value: &str) -> Result<String, Invalid> {
    let value = text("Locale", value, 10)?;
    if value
        .chars()
        .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-')
    {
        Ok(value)
    } else {
        Err(Invalid::new(
            "Locale",
            format!("Locale {value:?} is not a locale code such as en or de_DE."),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(email("  Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in ["", "ann", "@x", "ann@", "a b@x.y", "a@b@c"] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
        assert!(email(&format!("{}@x.y", "a".repeat(260))).is_err());
    }

    #[test]
    fn text_limits_are_in_characters() {
        assert!(text("Name", "é".repeat(10).as_str(), 10).is_ok());
        assert!(text("Name", "é".repeat(11).as_str(), 10).is_err());
        let empty = text("Name", "   ", 10).unwrap_err();
        assert_eq!(empty.field, "Name");
        assert!(empty.to_string().contains("Name is required"));
        assert!(text("Name", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn idents_allow_wildcard() {
        assert_eq!(ident("Section", "*").unwrap(), "*");
        assert_eq!(ident("Section", "Catalog").unwrap(), "catalog");
        assert!(ident("Section", "cat/../x").is_err());
    }
}
