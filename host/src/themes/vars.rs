//! Theme variables: their kinds, and the one check every value passes before it is stored or
//! used (a default in `theme.toml` or a value edited on the Themes page).
//!
//! Values are validated strictly enough to be written into CSS custom properties verbatim: no
//! kind accepts `;`, `{`, `}`, `<` or quotes that could end the declaration.

use serde::{Deserialize, Serialize};

/// What a variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `#rrggbb`.
    #[serde(alias = "color")]
    Colour,
    /// A CSS font-family list of local/system fonts, e.g. `Georgia, "Times New Roman", serif`.
    Font,
    /// One line of text shown on pages (escaped like everything else).
    Text,
    /// A local path (`/…`) or an `https://` address.
    Url,
    /// An image address: a local path only (the Content-Security-Policy allows images from this
    /// host alone, so an external logo would not show).
    Logo,
    /// A CSS length: a number with `px`, `rem`, `em`, `%`, `vh` or `vw` (or `0`).
    Length,
    /// A length used as a corner radius.
    Radius,
    /// `true` or `false`.
    Boolean,
}

impl Kind {
    /// Whether the value is also published as a CSS custom property.
    pub fn is_css(self) -> bool {
        matches!(
            self,
            Kind::Colour | Kind::Font | Kind::Length | Kind::Radius
        )
    }

    /// The input a form shows for it.
    pub fn input(self) -> &'static str {
        match self {
            Kind::Colour => "color",
            Kind::Url | Kind::Logo => "url",
            Kind::Boolean => "boolean",
            _ => "text",
        }
    }
}

/// A variable as a theme declares it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub default: toml::Value,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub description: String,
}

const LENGTH_UNITS: &[&str] = &["px", "rem", "em", "%", "vh", "vw"];

/// Checks `value` against `kind` and returns its stored form, or what is wrong with it.
pub fn check(kind: Kind, value: &str) -> Result<String, String> {
    let value = value.trim();
    match kind {
        Kind::Colour => {
            let ok = value.len() == 7
                && value.starts_with('#')
                && value[1..].chars().all(|c| c.is_ascii_hexdigit());
            if ok {
                Ok(value.to_ascii_lowercase())
            } else {
                Err("must be a colour written as #rrggbb, e.g. #1f5fbf".into())
            }
        }
        Kind::Font => {
            let ok = !value.is_empty()
                && value.len() <= 200
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || " ,-\"".contains(c))
                && value.matches('"').count().is_multiple_of(2);
            if ok {
                Ok(value.to_owned())
            } else {
                Err("must be a list of font names (letters, digits, spaces, commas, hyphens and double quotes), e.g. Georgia, serif".into())
            }
        }
        Kind::Text => {
            if value.chars().count() > 200 {
                Err("must have at most 200 characters".into())
            } else if value.chars().any(char::is_control) {
                Err("must be a single line without control characters".into())
            } else {
                Ok(value.to_owned())
            }
        }
        Kind::Url => check_url(value, true),
        Kind::Logo => check_url(value, false),
        Kind::Length | Kind::Radius => check_length(value),
        Kind::Boolean => match value {
            "true" | "on" | "yes" | "1" => Ok("true".into()),
            "false" | "off" | "no" | "0" | "" => Ok("false".into()),
            _ => Err("must be true or false".into()),
        },
    }
}

fn check_url(value: &str, allow_https: bool) -> Result<String, String> {
    let bad = || {
        if allow_https {
            "must be a local path starting with / or an https:// address, without spaces or quotes"
        } else {
            "must be a local path starting with /, e.g. /themes/default/static/logo.svg, without spaces or quotes"
        }
        .to_owned()
    };
    if value.is_empty() {
        return Ok(String::new());
    }
    if value.len() > 500
        || value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\()".contains(c))
    {
        return Err(bad());
    }
    let local = value.starts_with('/') && !value.starts_with("//");
    let https = allow_https
        && value
            .strip_prefix("https://")
            .is_some_and(|rest| rest.split('/').next().is_some_and(|host| !host.is_empty()));
    if local || https {
        Ok(value.to_owned())
    } else {
        Err(bad())
    }
}

fn check_length(value: &str) -> Result<String, String> {
    let bad = || "must be a length such as 4px, 0.5rem, 1.2em or 50% (or 0)".to_owned();
    if value == "0" {
        return Ok(value.to_owned());
    }
    let Some(unit) = LENGTH_UNITS.iter().find(|u| value.ends_with(**u)) else {
        return Err(bad());
    };
    let number = &value[..value.len() - unit.len()];
    let digits_ok = !number.is_empty()
        && number.len() <= 8
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.matches('.').count() <= 1
        && !number.starts_with('.')
        && !number.ends_with('.');
    if digits_ok {
        Ok(value.to_owned())
    } else {
        Err(bad())
    }
}

/// The default of a definition as text (TOML booleans and strings are both accepted).
pub fn default_text(def: &Definition) -> String {
    match &def.default {
        toml::Value::String(s) => s.clone(),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// A stored value as templates see it: booleans as booleans, everything else as text.
pub fn to_template_value(kind: Kind, stored: &str) -> minijinja::Value {
    match kind {
        Kind::Boolean => minijinja::Value::from(stored == "true"),
        _ => minijinja::Value::from(stored),
    }
}

/// The CSS custom property of a variable: `--theme-<name>`, `_` becoming `-`.
pub fn css_property(name: &str) -> String {
    format!("--theme-{}", name.replace('_', "-"))
}

/// True for a variable name: lower-case letters, digits and `_`, starting with a letter.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && name.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_six_hex_digits() {
        assert_eq!(check(Kind::Colour, " #1F5FBF ").unwrap(), "#1f5fbf");
        for bad in ["red", "#fff", "#12345g", "#1234567", "1f5fbf", "#1f5fbf;x"] {
            assert!(check(Kind::Colour, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lengths_need_a_unit() {
        for ok in ["4px", "0.5rem", "1.2em", "50%", "0", "100vh"] {
            assert!(check(Kind::Length, ok).is_ok(), "{ok:?}");
        }
        for bad in ["4", "px", ".5rem", "4pt", "4px;", "1.2.3em", "-4px", "4 px"] {
            assert!(check(Kind::Radius, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn urls_are_local_or_https() {
        for ok in [
            "/themes/default/static/logo.svg",
            "https://cdn.example/logo.png",
            "",
        ] {
            assert!(check(Kind::Url, ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "http://x.example/",
            "//evil.example/x",
            "javascript:alert(1)",
            "/a b",
            "/x\")",
            "https://",
            "data:image/png;base64,xx",
        ] {
            assert!(check(Kind::Url, bad).is_err(), "{bad:?}");
            assert!(check(Kind::Logo, bad).is_err(), "{bad:?}");
        }
        assert!(check(Kind::Logo, "https://cdn.example/logo.png").is_err());
    }

    #[test]
    fn fonts_cannot_break_out_of_css() {
        assert!(check(Kind::Font, "Georgia, \"Times New Roman\", serif").is_ok());
        for bad in ["a;b", "x}", "\"unbalanced", "a<b", ""] {
            assert!(check(Kind::Font, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn booleans_and_text() {
        assert_eq!(check(Kind::Boolean, "on").unwrap(), "true");
        assert_eq!(check(Kind::Boolean, "").unwrap(), "false");
        assert!(check(Kind::Boolean, "maybe").is_err());
        assert!(check(Kind::Text, "<b>fine, escaped later</b>").is_ok());
        assert!(check(Kind::Text, "two\nlines").is_err());
    }
}
