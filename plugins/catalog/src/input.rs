//! Reading what clients send, shared by products and categories: ids, versions, list
//! parameters, per-locale texts from JSON or forms. Every message here is part of the contract
//! in README.md.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde_json::{Map, Value};

/// The locale whose name is copied into the indexed `name` field.
pub const DEFAULT_LOCALE: &str = "en";
/// The locales the HTML forms offer (JSON accepts any well-formed locale).
pub const FORM_LOCALES: &[&str] = &["en", "de"];
/// Page size of lists when `limit` is not given, and the largest accepted.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// The `id` parameter (query, form or JSON body); 400 when missing or empty.
pub fn required_id(req: &Request) -> Result<String, Failure> {
    match req.param("id") {
        Some(id) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
        _ => Err(Failure::bad_request("id is required")),
    }
}

/// The `version` the client edited (query, form or JSON body): required for writes that
/// replace a record, so a stale form cannot silently overwrite someone else's change.
pub fn required_version(req: &Request) -> Result<i64, Failure> {
    match req.param("version") {
        Some(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| Failure::bad_request("version must be an integer")),
        _ => Err(Failure::bad_request("version is required")),
    }
}

/// The `version` parameter when given (activate/deactivate accept it optionally).
pub fn optional_version(req: &Request) -> Result<Option<i64>, Failure> {
    match req.param("version") {
        Some(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| Failure::bad_request("version must be an integer")),
        _ => Ok(None),
    }
}

/// The record `id` of `collection`, or 404 `<what> <id> not found`.
pub fn load<T: serde::Serialize + serde::de::DeserializeOwned>(
    collection: &Collection<T>,
    what: &str,
    id: &str,
) -> Result<Record<T>, Failure> {
    match collection.get(id) {
        Ok(r) => Ok(r),
        Err(StorageError::NotFound) => Err(Failure::not_found(format!("{what} {id} not found"))),
        Err(e) => Err(e.into()),
    }
}

/// 409 when the client edited an older version than the stored one.
pub fn check_version(what: &str, id: &str, sent: i64, stored: i64) -> Result<(), Failure> {
    if sent == stored {
        Ok(())
    } else {
        Err(Failure::conflict(format!(
            "{what} {id} was changed by someone else (you edited version {sent}, it is now version {stored}); reload and try again"
        )))
    }
}

/// A query-string value, `None` when absent or empty.
pub fn query<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query(name).map(str::trim).filter(|v| !v.is_empty())
}

/// `limit`: 1–200, default 50.
pub fn limit(req: &Request) -> Result<u32, Failure> {
    let bad = || Failure::bad_request(format!("limit must be between 1 and {MAX_LIMIT}"));
    match query(req, "limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u32 = text.parse().map_err(|_| bad())?;
            if (1..=MAX_LIMIT).contains(&n) {
                Ok(n)
            } else {
                Err(bad())
            }
        }
        Some(_) => Err(bad()),
    }
}

/// The JSON body as an object; 400 `invalid JSON body` otherwise.
pub fn json_object(text: &str) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Failure::bad_request("invalid JSON body")),
    }
}

/// A string field of a JSON object: `None` when absent or null, 422 when not a string.
pub fn json_string(object: &Map<String, Value>, field: &str) -> Result<Option<String>, Failure> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Failure::unprocessable(format!("{field} must be a string"))),
    }
}

/// A boolean field of a JSON object: `None` when absent or null, 422 when not a boolean.
pub fn json_bool(object: &Map<String, Value>, field: &str) -> Result<Option<bool>, Failure> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Failure::unprocessable(format!(
            "{field} must be true or false"
        ))),
    }
}

/// A list of strings of a JSON object: `None` when absent or null, 422 `<field> must be a list
/// of <what>` on another shape.
pub fn json_strings(
    object: &Map<String, Value>,
    field: &str,
    what: &str,
) -> Result<Option<Vec<String>>, Failure> {
    let bad = || Failure::unprocessable(format!("{field} must be a list of {what}"));
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

/// A checkbox of a form: `on`, `true` or `1` is checked, anything else (or absent) is not.
pub fn form_checkbox(req: &Request, field: &str) -> bool {
    matches!(req.form(field), Some("on" | "true" | "1"))
}

/// Per-locale texts: the JSON object `field` (`{"en": "…", "de": "…"}`) or, when `field` is a
/// plain string, the default locale's text; `alias` (e.g. `name` next to `names`) also sets
/// the default locale. 422 naming the field on a wrong shape or a malformed locale.
pub fn json_locales(
    object: &Map<String, Value>,
    field: &str,
    alias: Option<&str>,
) -> Result<Option<BTreeMap<String, String>>, Failure> {
    let mut out: Option<BTreeMap<String, String>> = None;
    match object.get(field) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            out.get_or_insert_default()
                .insert(DEFAULT_LOCALE.into(), s.clone());
        }
        Some(Value::Object(map)) => {
            let texts = out.get_or_insert_default();
            for (locale, text) in map {
                check_locale(field, locale)?;
                match text {
                    Value::String(s) => {
                        texts.insert(locale.clone(), s.clone());
                    }
                    Value::Null => {
                        texts.insert(locale.clone(), String::new());
                    }
                    _ => {
                        return Err(Failure::unprocessable(format!(
                            "{field}.{locale} must be a string"
                        )));
                    }
                }
            }
        }
        Some(_) => {
            return Err(Failure::unprocessable(format!(
                "{field} must be a string or an object of locale to text"
            )));
        }
    }
    if let Some(alias) = alias
        && let Some(text) = json_string(object, alias)?
    {
        out.get_or_insert_default()
            .insert(DEFAULT_LOCALE.into(), text);
    }
    Ok(out)
}

/// Per-locale texts from form fields `<field>.<locale>` and `alias` (the default locale).
pub fn form_locales(req: &Request, field: &str, alias: &str) -> BTreeMap<String, String> {
    let prefix = format!("{field}.");
    let mut out = BTreeMap::new();
    for pair in &req.form {
        if let Some(locale) = pair.name.strip_prefix(&prefix)
            && check_locale(field, locale).is_ok()
        {
            out.insert(locale.to_owned(), pair.value.clone());
        }
    }
    if let Some(text) = req.form(alias) {
        out.insert(DEFAULT_LOCALE.into(), text.to_owned());
    }
    out
}

/// Locales look like `en`, `de`, `pt-BR`, `zh_Hans`: 2–16 ASCII letters, `-` or `_`,
/// starting with a letter.
fn check_locale(field: &str, locale: &str) -> Result<(), Failure> {
    let ok = (2..=16).contains(&locale.len())
        && locale.starts_with(|c: char| c.is_ascii_alphabetic())
        && locale
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Failure::unprocessable(format!(
            "{field}: {locale:?} is not a locale"
        )))
    }
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

/// 422 `<field> must be a non-negative integer number of cents`.
pub fn cents_error(field: &str) -> Failure {
    Failure::unprocessable(format!(
        "{field} must be a non-negative integer number of cents"
    ))
}

/// Cents in a JSON object: `None` when absent or null, 422 unless a non-negative integer.
pub fn json_cents(object: &Map<String, Value>, field: &str) -> Result<Option<i64>, Failure> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => cents_value(value)
            .map(Some)
            .ok_or_else(|| cents_error(field)),
    }
}

/// A JSON value as cents: a non-negative integer.
pub fn cents_value(value: &Value) -> Option<i64> {
    value.as_i64().filter(|v| *v >= 0)
}

/// Cents in a form field: `None` when absent or empty, 422 unless digits only.
pub fn form_cents(req: &Request, field: &str) -> Result<Option<i64>, Failure> {
    cents_text(req.form(field), field)
}

/// Cents from form text: `None` when absent or blank, 422 unless digits only.
pub fn cents_text(text: Option<&str>, field: &str) -> Result<Option<i64>, Failure> {
    match text.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse().map(Some).map_err(|_| cents_error(field))
        }
        Some(_) => Err(cents_error(field)),
    }
}

/// Where a write's fields come from: a JSON body, or an urlencoded form. A form sends every
/// field it shows (an unchecked checkbox is absent, so it reads as `false`); JSON sends what it
/// means to change (absent reads as "not given").
#[derive(Debug)]
pub enum Fields<'a> {
    Json(Map<String, Value>),
    Form(&'a Request),
}

impl<'a> Fields<'a> {
    /// The JSON body when there is one (400 `invalid JSON body` unless an object), else the form.
    pub fn of(req: &'a Request) -> Result<Self, Failure> {
        match &req.body {
            Some(text) => json_object(text).map(Fields::Json),
            None => Ok(Fields::Form(req)),
        }
    }

    /// A text field (a form's empty field is `Some("")`).
    pub fn text(&self, field: &str) -> Result<Option<String>, Failure> {
        match self {
            Fields::Json(object) => json_string(object, field),
            Fields::Form(req) => Ok(req.form(field).map(str::to_owned)),
        }
    }

    /// Cents (see [`json_cents`] and [`form_cents`]).
    pub fn cents(&self, field: &str) -> Result<Option<i64>, Failure> {
        match self {
            Fields::Json(object) => json_cents(object, field),
            Fields::Form(req) => form_cents(req, field),
        }
    }

    /// Whether the client sent `field` at all (JSON key present, or a form field).
    pub fn has(&self, field: &str) -> bool {
        match self {
            Fields::Json(object) => object.contains_key(field),
            Fields::Form(req) => req.form(field).is_some(),
        }
    }

    /// An integer: 422 `message` unless one (a form's empty field is `None`).
    pub fn integer(&self, field: &str, message: &str) -> Result<Option<i64>, Failure> {
        let bad = || Failure::unprocessable(message);
        match self {
            Fields::Json(object) => match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or_else(bad),
            },
            Fields::Form(req) => match req.form(field).map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(text) => text.parse().map(Some).map_err(|_| bad()),
            },
        }
    }

    /// A flag: JSON `true`/`false`, or a form checkbox (always `Some`: absent is unchecked).
    pub fn flag(&self, field: &str) -> Result<Option<bool>, Failure> {
        match self {
            Fields::Json(object) => json_bool(object, field),
            Fields::Form(req) => Ok(Some(form_checkbox(req, field))),
        }
    }

    /// Per-locale texts (see [`json_locales`] and [`form_locales`]).
    pub fn locales(
        &self,
        field: &str,
        alias: &str,
    ) -> Result<Option<BTreeMap<String, String>>, Failure> {
        match self {
            Fields::Json(object) => json_locales(object, field, Some(alias)),
            Fields::Form(req) => Ok(Some(form_locales(req, field, alias))),
        }
    }

    /// A list of words: a JSON array of strings, or form fields (a multi-select, or a textarea
    /// of words separated by white space or commas). Blank words are dropped.
    pub fn words(&self, field: &str) -> Result<Option<Vec<String>>, Failure> {
        let bad = || Failure::unprocessable(format!("{field} must be a list of strings"));
        match self {
            Fields::Json(object) => match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| v.as_str().map(|s| s.trim().to_owned()))
                    .filter(|s| s.as_deref() != Some(""))
                    .collect::<Option<Vec<_>>>()
                    .map(Some)
                    .ok_or_else(bad),
                Some(_) => Err(bad()),
            },
            Fields::Form(req) => Ok(Some(
                req.form_all(field)
                    .flat_map(|v| v.split(|c: char| c.is_whitespace() || c == ','))
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
            )),
        }
    }
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

/// An optional date of a JSON object: `None` when absent, `Some(None)` for `null` or `""`
/// (clears it), 422 when not a date.
pub fn json_date(
    object: &Map<String, Value>,
    field: &str,
) -> Result<Option<Option<String>>, Failure> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => date_text(field, s),
        Some(_) => Err(Failure::unprocessable(format!(
            "{field} must be a date (YYYY-MM-DD)"
        ))),
    }
}

/// An optional date of a form: `None` when the field is absent, `Some(None)` when empty.
pub fn form_date(req: &Request, field: &str) -> Result<Option<Option<String>>, Failure> {
    match req.form(field) {
        None => Ok(None),
        Some(s) => date_text(field, s),
    }
}

fn date_text(field: &str, text: &str) -> Result<Option<Option<String>>, Failure> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Some(None));
    }
    check_date(field, text)?;
    Ok(Some(Some(text.to_owned())))
}

/// The UTC date of unix seconds `at`, as `YYYY-MM-DD` (Howard Hinnant's civil-from-days).
pub fn date_of(at: i64) -> String {
    let z = at.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Today (UTC) as `YYYY-MM-DD`, by the host's clock.
pub fn today() -> String {
    date_of(now())
}

/// Percent-encodes a query value like JavaScript's `encodeURIComponent`.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Now, in UTC unix seconds (WASI wall clock).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

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
    }

    #[test]
    fn locales_from_json() {
        let obj = json_object(r#"{"names":{"en":"Shoe","de":"Schuh"},"name":"Boot"}"#).unwrap();
        let names = json_locales(&obj, "names", Some("name")).unwrap().unwrap();
        assert_eq!(names["en"], "Boot");
        assert_eq!(names["de"], "Schuh");
        let obj = json_object(r#"{"names":{"e n":"x"}}"#).unwrap();
        assert_eq!(json_locales(&obj, "names", None).unwrap_err().status, 422);
        let obj = json_object(r#"{"description":5}"#).unwrap();
        let err = json_locales(&obj, "description", None).unwrap_err();
        assert!(err.message.starts_with("description must be"));
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
