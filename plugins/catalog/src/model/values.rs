//! Value rules every catalog record shares: per-locale texts, money in cents, calendar dates
//! and the clock. Readers take the SDK's [`Fields`] (a form or a JSON body alike) and record
//! what is wrong in [`Errors`]; the messages are part of the contract in README.md.

use std::collections::BTreeMap;

use backoffice_sdk::money;
use backoffice_sdk::prelude::*;
use serde_json::Value;

/// The locale whose name is copied into the indexed `name` field.
pub const DEFAULT_LOCALE: &str = "en";
/// The locales the HTML forms offer (JSON accepts any well-formed locale).
pub const FORM_LOCALES: &[&str] = &["en", "de"];

/// Per-locale texts of `field`. JSON: an object of locale to text, or a plain string for the
/// default locale; `alias` (e.g. `name` next to `names`) also sets the default locale. A
/// form: fields `<field>.<locale>` (malformed locales ignored) and `alias`; a form always
/// answers `Some`. Wrong shapes and malformed JSON locales are errors naming the field.
pub fn locales(
    fields: &Fields,
    field: &str,
    alias: &str,
    errors: &mut Errors,
) -> Option<BTreeMap<String, String>> {
    let mut out: Option<BTreeMap<String, String>> = None;
    if fields.is_form() {
        let texts = out.get_or_insert_default();
        for (locale, text) in fields.prefixed(&format!("{field}.")) {
            if let (true, Some(text)) = (is_locale(locale), text.as_str()) {
                texts.insert(locale.to_owned(), text.to_owned());
            }
        }
    } else {
        match fields.value(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                out.get_or_insert_default()
                    .insert(DEFAULT_LOCALE.into(), s.clone());
            }
            Some(Value::Object(map)) => {
                let texts = out.get_or_insert_default();
                for (locale, text) in map {
                    if !is_locale(locale) {
                        errors.add(field, format!("{field}: {locale:?} is not a locale"));
                        continue;
                    }
                    match text {
                        Value::String(s) => texts.insert(locale.clone(), s.clone()),
                        Value::Null => texts.insert(locale.clone(), String::new()),
                        _ => {
                            errors.add(field, format!("{field}.{locale} must be a string"));
                            continue;
                        }
                    };
                }
            }
            Some(_) => errors.add(
                field,
                format!("{field} must be a string or an object of locale to text"),
            ),
        }
    }
    // In JSON, a field that is its own alias was read above.
    if (fields.is_form() || alias != field)
        && let Some(text) = fields.text(alias, errors)
    {
        out.get_or_insert_default()
            .insert(DEFAULT_LOCALE.into(), text);
    }
    out
}

/// Locales look like `en`, `de`, `pt-BR`, `zh_Hans`: 2–16 ASCII letters, `-` or `_`,
/// starting with a letter.
fn is_locale(locale: &str) -> bool {
    (2..=16).contains(&locale.len())
        && locale.starts_with(|c: char| c.is_ascii_alphabetic())
        && locale
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_')
}

/// Trims every text, drops empty ones, and checks the length limit per locale.
pub fn clean_locales(
    field: &str,
    texts: BTreeMap<String, String>,
    max: usize,
) -> Result<BTreeMap<String, String>, Failure> {
    let mut out = BTreeMap::new();
    for (locale, text) in texts {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if text.chars().count() > max {
            return Err(Failure::unprocessable(format!(
                "{field} ({locale}) must be at most {max} characters"
            )));
        }
        out.insert(locale, text.to_owned());
    }
    Ok(out)
}

/// `changes` merged into `current` per locale (an empty text removes that locale), then
/// cleaned like [`clean_locales`].
pub fn merge_locales(
    field: &str,
    current: &BTreeMap<String, String>,
    changes: BTreeMap<String, String>,
    max: usize,
) -> Result<BTreeMap<String, String>, Failure> {
    let mut merged = current.clone();
    merged.extend(changes);
    clean_locales(field, merged, max)
}

/// A list of words (SKUs): a JSON list, or form fields — a multi-select, or a textarea of
/// words separated by white space or commas. `None` when not sent.
pub fn words(fields: &Fields, field: &str, errors: &mut Errors) -> Option<Vec<String>> {
    let items = fields.list(field, errors)?;
    let words = items
        .iter()
        .flat_map(|item| item.split(|c: char| c.is_whitespace() || c == ','))
        .filter(|w| !w.is_empty())
        .map(str::to_owned);
    Some(words.collect())
}

/// A name (already trimmed) that must be there and at most `max` characters long.
pub fn check_name(name: &str, max: usize) -> Result<(), Failure> {
    if name.is_empty() {
        return Err(Failure::unprocessable("name is required"));
    }
    if name.chars().count() > max {
        return Err(Failure::unprocessable(format!(
            "name must be at most {max} characters"
        )));
    }
    Ok(())
}

/// The message of a bad JSON amount (see `backoffice_sdk::money::minor_units_message`).
pub fn cents_message(field: &str) -> String {
    money::minor_units_message(field)
}

/// 422 with [`cents_message`].
pub fn cents_error(field: &str) -> Failure {
    Failure::unprocessable(cents_message(field))
}

/// Minor units of `field`: a JSON non-negative integer of minor units, or a form's major units
/// with at most `digits` decimals (`19.99`, see `backoffice_sdk::money`; `digits` is the
/// currency's `money::minor_units`); `None` when absent, `null` or (in a form) empty.
pub fn cents(fields: &Fields, field: &str, digits: u8, errors: &mut Errors) -> Option<i64> {
    fields.money(field, digits, errors)
}

/// A JSON value as cents: a non-negative integer.
pub fn cents_value(value: &Value) -> Option<i64> {
    value.as_i64().filter(|v| *v >= 0)
}

/// Minor units from a form's text in major units with at most `digits` decimals: `None` when
/// absent or blank, 422 naming `field` and what is wrong otherwise (`price EUR takes at most 2
/// decimals`).
pub fn cents_text(text: Option<&str>, field: &str, digits: u8) -> Result<Option<i64>, Failure> {
    let Some(text) = text else {
        return Ok(None);
    };
    money::parse_major(text, digits).map_err(|e| Failure::unprocessable(e.message(field)))
}

/// A calendar date `YYYY-MM-DD` (proleptic Gregorian); 422 `<field> must be a date (YYYY-MM-DD)`
/// otherwise. Dates compare correctly as text once checked.
pub fn check_date(field: &str, text: &str) -> Result<(), Failure> {
    let bad = || Failure::unprocessable(format!("{field} must be a date (YYYY-MM-DD)"));
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &text[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
        return Err(bad());
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days {
        return Err(bad());
    }
    Ok(())
}

/// An optional date of `field`: `None` when not sent, `Some(None)` for `null` or an empty
/// text (clears it), an error when not a date.
pub fn date(fields: &Fields, field: &str, errors: &mut Errors) -> Option<Option<String>> {
    let text = match fields.value(field)? {
        Value::Null => return Some(None),
        Value::String(s) => s.trim(),
        _ => "not a date",
    };
    if text.is_empty() {
        return Some(None);
    }
    match check_date(field, text) {
        Ok(()) => Some(Some(text.to_owned())),
        Err(f) => {
            errors.add(field, f.message);
            None
        }
    }
}

/// Today (UTC) as `YYYY-MM-DD`, by the host's clock.
pub fn today() -> String {
    date_of(now())
}

/// The SDK's UTC clock and dates, under the names the catalog model uses.
pub use backoffice_sdk::dates::{date_of, now};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_and_derived_from_unix_seconds() {
        for ok in ["2025-01-01", "2024-02-29", "1999-12-31"] {
            assert!(check_date("valid_from", ok).is_ok(), "{ok}");
        }
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "25-01-01",
            "2025-01-00",
            "2025/01/01",
            "+025-01-01",
        ] {
            let err = check_date("valid_from", bad).unwrap_err();
            assert_eq!(
                err.message, "valid_from must be a date (YYYY-MM-DD)",
                "{bad}"
            );
        }
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(1_735_689_600), "2025-01-01");
        assert_eq!(date_of(1_709_164_800), "2024-02-29");
        assert_eq!(date_of(1_735_689_599), "2024-12-31");
        let mut errors = Errors::new();
        let f = Fields::parse(r#"{"a": null, "b": "", "c": "2025-01-01", "d": 5}"#).unwrap();
        assert_eq!(date(&f, "a", &mut errors), Some(None));
        assert_eq!(date(&f, "b", &mut errors), Some(None));
        assert_eq!(date(&f, "c", &mut errors), Some(Some("2025-01-01".into())));
        assert_eq!(date(&f, "x", &mut errors), None);
        assert_eq!(date(&f, "d", &mut errors), None);
        assert_eq!(errors.get("d"), Some("d must be a date (YYYY-MM-DD)"));
    }

    #[test]
    fn locales_from_json_and_forms() {
        let mut errors = Errors::new();
        let f = Fields::parse(r#"{"names":{"en":"Shoe","de":"Schuh"},"name":"Boot"}"#).unwrap();
        let names = locales(&f, "names", "name", &mut errors).unwrap();
        assert_eq!(names["en"], "Boot");
        assert_eq!(names["de"], "Schuh");
        let f = Fields::parse(r#"{"description":"Plain"}"#).unwrap();
        let texts = locales(&f, "description", "description", &mut errors).unwrap();
        assert_eq!(texts["en"], "Plain");
        assert!(errors.is_empty());
        let f = Fields::parse(r#"{"names":{"e n":"x"}}"#).unwrap();
        locales(&f, "names", "name", &mut errors);
        let f = Fields::parse(r#"{"description":5}"#).unwrap();
        locales(&f, "description", "description", &mut errors);
        assert_eq!(
            errors.finish().unwrap_err().message,
            "names: \"e n\" is not a locale; description must be a string or an object of locale to text"
        );
        let mut errors = Errors::new();
        let form = Fields::form([("names.de", "Schuh"), ("names.x y", "?"), ("name", "Shoe")]);
        let names = locales(&form, "names", "name", &mut errors).unwrap();
        assert_eq!(names.len(), 2);
        assert_eq!(names["en"], "Shoe");
        assert!(locales(&Fields::form([]), "texts", "text", &mut errors).is_some());
    }

    #[test]
    fn cents_are_json_integers_or_typed_major_units() {
        let mut errors = Errors::new();
        let f =
            Fields::parse(r#"{"a": 1999, "b": -1, "c": 19.99, "d": "12.5", "e": null}"#).unwrap();
        assert_eq!(cents(&f, "a", 2, &mut errors), Some(1999));
        assert_eq!(cents(&f, "e", 2, &mut errors), None);
        for field in ["b", "c", "d"] {
            assert_eq!(cents(&f, field, 2, &mut errors), None);
            assert!(errors.has(field), "{field}");
        }
        let mut errors = Errors::new();
        let form = Fields::form([("a", " 12 "), ("b", ""), ("c", "1.555"), ("d", "19.99")]);
        assert_eq!(cents(&form, "a", 2, &mut errors), Some(1200));
        assert_eq!(cents(&form, "b", 2, &mut errors), None);
        assert_eq!(cents(&form, "c", 2, &mut errors), None);
        assert_eq!(cents(&form, "d", 2, &mut errors), Some(1999));
        assert!(errors.has("c") && !errors.has("b"));
    }

    #[test]
    fn clean_locales_trims_and_limits() {
        let mut t = BTreeMap::new();
        t.insert("en".to_owned(), "  a ".to_owned());
        t.insert("de".to_owned(), "   ".to_owned());
        let out = clean_locales("name", t, 3).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out["en"], "a");
        let mut t = BTreeMap::new();
        t.insert("en".to_owned(), "abcd".to_owned());
        assert_eq!(
            clean_locales("name", t, 3).unwrap_err().message,
            "name (en) must be at most 3 characters"
        );
    }
}
