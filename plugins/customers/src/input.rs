//! Reading what clients send: one [`Fields`] view over a JSON object body or an urlencoded
//! form, so every write action serves both the HTML forms and scripts with the same rules, and
//! an [`Errors`] collector so a refused input names every field that is wrong at once. Every
//! message here is part of the contract in README.md.

use backoffice_sdk::prelude::*;
use serde_json::{Map, Value};

/// Page size of lists when `limit` is not given, and the largest accepted.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// The input of a write: a JSON object, or the form's fields (a repeated form field becomes a
/// list, and for single values the last one wins, so a hidden `false` before a checkbox gives
/// an unchecked box a value).
#[derive(Debug, Default)]
pub struct Fields {
    map: Map<String, Value>,
}

impl Fields {
    pub fn from_request(req: &Request) -> Result<Fields, Failure> {
        if let Some(body) = &req.body {
            return match serde_json::from_str(body) {
                Ok(Value::Object(map)) => Ok(Fields { map }),
                _ => Err(Failure::bad_request(
                    "invalid JSON body: an object is required",
                )),
            };
        }
        let mut map = Map::new();
        for pair in &req.form {
            let value = Value::String(pair.value.clone());
            match map.get_mut(&pair.name) {
                Some(Value::Array(items)) => items.push(value),
                Some(old) => *old = Value::Array(vec![old.take(), value]),
                None => {
                    map.insert(pair.name.clone(), value);
                }
            }
        }
        Ok(Fields { map })
    }

    /// True when the client sent `name` at all.
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    fn last(&self, name: &str) -> Option<&Value> {
        match self.map.get(name)? {
            Value::Array(items) if items.iter().all(Value::is_string) => items.last(),
            other => Some(other),
        }
    }

    /// A text field, trimmed: `None` when absent or null; an error when not a string.
    pub fn text(&self, name: &str, errors: &mut Errors) -> Option<String> {
        match self.last(name)? {
            Value::Null => None,
            Value::String(s) => Some(s.trim().to_owned()),
            _ => {
                errors.add(format!("{name} must be a string"));
                None
            }
        }
    }

    /// A yes/no field: JSON `true`/`false`, or a form's `true`/`on`/`1` and `false`/`0`/``.
    pub fn flag(&self, name: &str, errors: &mut Errors) -> Option<bool> {
        match self.last(name)? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.as_str() {
                "true" | "on" | "1" => Some(true),
                "false" | "0" | "" => Some(false),
                _ => {
                    errors.add(format!("{name} must be true or false"));
                    None
                }
            },
            _ => {
                errors.add(format!("{name} must be true or false"));
                None
            }
        }
    }

    /// A list of ids: a JSON array of strings, or repeated form fields (empty values dropped).
    pub fn list(&self, name: &str, errors: &mut Errors) -> Option<Vec<String>> {
        let items = match self.map.get(name)? {
            Value::Null => return None,
            Value::String(s) => vec![Value::String(s.clone())],
            Value::Array(items) => items.clone(),
            _ => {
                errors.add(format!("{name} must be a list of ids"));
                return None;
            }
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Value::String(s) if s.trim().is_empty() => {}
                Value::String(s) if !out.contains(&s.trim().to_owned()) => {
                    out.push(s.trim().to_owned())
                }
                Value::String(_) => {}
                _ => {
                    errors.add(format!("{name} must be a list of ids"));
                    return None;
                }
            }
        }
        Some(out)
    }
}

/// Every problem of one input, reported together as one 422.
#[derive(Debug, Default)]
pub struct Errors(Vec<String>);

impl Errors {
    pub fn add(&mut self, message: impl Into<String>) {
        self.0.push(message.into());
    }

    /// `Ok` when nothing was wrong; else 422 with every message, `; `-separated.
    pub fn finish(self) -> Result<(), Failure> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Failure::unprocessable(self.0.join("; ")))
        }
    }
}

/// A required parameter (query, form or JSON body), trimmed; 400 naming it when missing.
pub fn required(req: &Request, name: &str) -> Result<String, Failure> {
    match req.param(name) {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(Failure::bad_request(format!("{name} is required"))),
    }
}

/// The `id` parameter.
pub fn required_id(req: &Request) -> Result<String, Failure> {
    required(req, "id")
}

/// The `version` the client edited, when it sent one (then a stale edit is a 409).
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

/// 409 when the client edited an older version than the stored one.
pub fn check_version(what: &str, sent: Option<i64>, stored: i64) -> Result<(), Failure> {
    match sent {
        Some(sent) if sent != stored => Err(Failure::conflict(format!(
            "{what} was changed by someone else (you edited version {sent}, it is now version {stored}); reload and try again"
        ))),
        _ => Ok(()),
    }
}

/// A query-string value, `None` when absent or empty.
pub fn query<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query(name).map(str::trim).filter(|v| !v.is_empty())
}

/// One of `allowed` (the first is the default); 400 listing them otherwise.
pub fn choice(
    req: &Request,
    name: &str,
    allowed: &[&'static str],
) -> Result<&'static str, Failure> {
    match query(req, name) {
        None => Ok(allowed[0]),
        Some(v) => allowed.iter().find(|a| **a == v).copied().ok_or_else(|| {
            Failure::bad_request(format!("{name} must be one of {}", allowed.join(", ")))
        }),
    }
}

/// `limit`: 1–200, default 50.
pub fn limit(req: &Request) -> Result<u32, Failure> {
    match query(req, "limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(Failure::bad_request(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            ))),
        },
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(json: &str) -> Fields {
        match serde_json::from_str(json).unwrap() {
            Value::Object(map) => Fields { map },
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_accept_json_and_form_spellings() {
        let f = fields(r#"{"a": true, "b": "on", "c": ["false", "true"], "d": "maybe"}"#);
        let mut errors = Errors::default();
        assert_eq!(f.flag("a", &mut errors), Some(true));
        assert_eq!(f.flag("b", &mut errors), Some(true));
        assert_eq!(
            f.flag("c", &mut errors),
            Some(true),
            "the last form value wins"
        );
        assert_eq!(f.flag("missing", &mut errors), None);
        assert_eq!(f.flag("d", &mut errors), None);
        assert_eq!(
            errors.finish().unwrap_err().message,
            "d must be true or false"
        );
    }

    #[test]
    fn lists_drop_empty_and_repeated_ids() {
        let f = fields(r#"{"ids": ["a", "", "b", "a"], "one": "x", "bad": 5}"#);
        let mut errors = Errors::default();
        assert_eq!(f.list("ids", &mut errors).unwrap(), ["a", "b"]);
        assert_eq!(f.list("one", &mut errors).unwrap(), ["x"]);
        assert!(f.list("bad", &mut errors).is_none());
        assert_eq!(errors.finish().unwrap_err().status, 422);
    }
}
