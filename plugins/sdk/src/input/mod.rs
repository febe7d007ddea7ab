//! Reading what a client sends to a write action: one [`Fields`] view over a JSON object body or
//! a form, typed readers per field, and an [`Errors`] collector, plus the few request
//! parameters every section reads (ids, the edited `version`, list paging and choices).
//!
//! Why one view: every Back Office form is also an API (a script sends the same fields as
//! JSON), so a field is read once, by name, whatever the body was, with the same rules. Why
//! collect errors: a form re-shown with *every* problem at once (or a 422 naming all of them)
//! saves the user a round trip per mistake; a reader records what is wrong and returns `None`,
//! and [`Errors::finish`] decides at the end.
//!
//! Form values are text; JSON values are typed. Readers accept what each source can say: a
//! JSON integer or a form's digits, a JSON boolean or a form's `on`/`true`/`1`
//! (`false`/`0`/empty). Absent and `null` both read as "not sent" (`None`), except where a
//! browser sends nothing for a meaning: an unchecked checkbox ([`Fields::checkbox`]) and a
//! checkbox group with nothing chosen ([`Fields::selected`]).

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::request::Request;
use crate::response::Failure;

mod params;

pub use params::*;

/// The fields of a write: a JSON object, or a form's fields (a repeated form field is a list;
/// where one value is read, the last one wins, so a hidden `false` before a checkbox gives an
/// unchecked box a value).
#[derive(Debug, Clone, Default)]
pub struct Fields {
    values: Map<String, Value>,
    form: bool,
}

impl Fields {
    /// The JSON body when the client sent one (400 unless it is an object), else the form.
    pub fn from_request(req: &Request) -> Result<Fields, Failure> {
        match &req.body {
            Some(body) => Fields::parse(body),
            None => Ok(Fields::form(
                req.form.iter().map(|p| (p.name.as_str(), p.value.as_str())),
            )),
        }
    }

    /// Fields of JSON text, which must be an object (400 otherwise).
    pub fn parse(json: &str) -> Result<Fields, Failure> {
        match serde_json::from_str(json) {
            Ok(Value::Object(values)) => Ok(Fields::json(values)),
            _ => Err(Failure::bad_request(
                "invalid JSON body: an object is required",
            )),
        }
    }

    /// Fields of a JSON object (also what an import turns a row into).
    pub fn json(values: Map<String, Value>) -> Fields {
        Fields {
            values,
            form: false,
        }
    }

    /// Fields of form pairs, in the order sent.
    pub fn form<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Fields {
        let mut values = Map::new();
        for (name, value) in pairs {
            let value = Value::String(value.to_owned());
            match values.get_mut(name) {
                Some(Value::Array(items)) => items.push(value),
                Some(old) => *old = Value::Array(vec![old.take(), value]),
                None => {
                    values.insert(name.to_owned(), value);
                }
            }
        }
        Fields { values, form: true }
    }

    /// True when the fields came from a form (every value is text).
    pub fn is_form(&self) -> bool {
        self.form
    }

    /// True when the client sent `name` at all (even empty or `null`).
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The value of `name` as sent: a JSON value, or a form's text (the last one when
    /// repeated). For shapes the typed readers do not cover.
    pub fn value(&self, name: &str) -> Option<&Value> {
        match self.values.get(name)? {
            Value::Array(items) if self.form => items.last(),
            other => Some(other),
        }
    }

    /// Every field whose name starts with `prefix`, as (rest of the name, value): form fields
    /// such as `attr.color` or `quantity.<warehouse>`.
    pub fn prefixed<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.values
            .keys()
            .filter_map(move |k| Some((k.as_str(), k.strip_prefix(prefix)?)))
            .filter_map(|(k, rest)| Some((rest, self.value(k)?)))
    }

    /// A text, trimmed: `None` when absent or `null`; an error when not text.
    pub fn text(&self, name: &str, errors: &mut Errors) -> Option<String> {
        match self.value(name)? {
            Value::Null => None,
            Value::String(s) => Some(s.trim().to_owned()),
            _ => {
                errors.add(name, format!("{name} must be a string"));
                None
            }
        }
    }

    /// A text that must be there and not blank (`<name> is required`), trimmed.
    pub fn required_text(&self, name: &str, errors: &mut Errors) -> String {
        let text = self.text(name, errors).unwrap_or_default();
        if text.is_empty() && !errors.has(name) {
            errors.add(name, format!("{name} is required"));
        }
        text
    }

    /// An integer: a JSON integer or a form's digits (an empty form field is `None`);
    /// `<name> must be an integer` otherwise.
    pub fn integer(&self, name: &str, errors: &mut Errors) -> Option<i64> {
        let parsed = match self.value(name)? {
            Value::Null => return None,
            Value::Number(n) => n.as_i64(),
            Value::String(s) if self.form => match s.trim() {
                "" => return None,
                text => text.parse().ok(),
            },
            _ => None,
        };
        if parsed.is_none() {
            errors.add(name, format!("{name} must be an integer"));
        }
        parsed
    }

    /// An amount of money in minor units (see [`crate::money`]): a form's major units with at
    /// most `digits` decimals (`19.99`; an empty field is `None`), or a JSON non-negative
    /// integer of minor units (`1999`, also as text `"1999"`). The error names the field and
    /// what is wrong.
    pub fn money(&self, name: &str, digits: u8, errors: &mut Errors) -> Option<i64> {
        let minor = || crate::money::minor_units_message(name);
        let parsed = match self.value(name)? {
            Value::Null => return None,
            Value::String(text) if self.form => {
                crate::money::parse_major(text, digits).map_err(|e| e.message(name))
            }
            Value::Number(n) => n.as_i64().filter(|v| *v >= 0).map(Some).ok_or_else(minor),
            // Scripts that sent digits as text before forms took major units keep working.
            Value::String(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|v| *v >= 0)
                .map(Some)
                .ok_or_else(minor),
            _ => Err(minor()),
        };
        parsed.unwrap_or_else(|message| {
            errors.add(name, message);
            None
        })
    }

    /// Yes or no: JSON `true`/`false`, or `true`/`on`/`1` and `false`/`0`/empty as text.
    /// `None` when absent.
    pub fn flag(&self, name: &str, errors: &mut Errors) -> Option<bool> {
        let parsed = match self.value(name)? {
            Value::Null => return None,
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.trim() {
                "true" | "on" | "1" => Some(true),
                "false" | "0" | "" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            errors.add(name, format!("{name} must be true or false"));
        }
        parsed
    }

    /// A checkbox: like [`Fields::flag`], but a form that does not send it means unchecked
    /// (`Some(false)`; browsers send nothing for an unchecked box). JSON absent stays `None`.
    pub fn checkbox(&self, name: &str, errors: &mut Errors) -> Option<bool> {
        match self.flag(name, errors) {
            None if self.form && !errors.has(name) => Some(false),
            other => other,
        }
    }

    /// A list of texts: a JSON array of strings (or one string), or a repeated form field.
    /// Items are trimmed; empty and repeated ones are dropped. `None` when absent.
    pub fn list(&self, name: &str, errors: &mut Errors) -> Option<Vec<String>> {
        let items = match self.values.get(name)? {
            Value::Null => return None,
            Value::Array(items) => items.as_slice(),
            one => std::slice::from_ref(one),
        };
        let mut out: Vec<String> = Vec::new();
        for item in items {
            let Value::String(s) = item else {
                errors.add(name, format!("{name} must be a list of strings"));
                return None;
            };
            let s = s.trim();
            if !s.is_empty() && !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        }
        Some(out)
    }

    /// A checkbox group or multi-select: like [`Fields::list`], but a form that sends none of
    /// it means nothing was chosen (`Some(empty)`).
    pub fn selected(&self, name: &str, errors: &mut Errors) -> Option<Vec<String>> {
        match self.list(name, errors) {
            None if self.form && !errors.has(name) => Some(Vec::new()),
            other => other,
        }
    }
}

/// The rules of one text field: at most `max` characters, no control characters (line breaks
/// and tabs allowed when `multiline`), and not empty when `required`.
///
/// Why a value: a section checks the same kind of field (a person's name, a note) in several
/// records and forms; naming the rules once (`const NAME: Text = Text::line(100).required();`)
/// keeps their limits and messages the same everywhere. A reader such as [`Fields::text`] takes
/// what the client sent; [`Text::check`] then judges the value the record will hold, sent or
/// kept, so an edit that leaves a required field out cannot store it empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// The most characters (not bytes) the value may have.
    pub max: usize,
    /// Empty is an error (`<field> is required`).
    pub required: bool,
    /// Line breaks and tabs are allowed (a note, a description).
    pub multiline: bool,
}

impl Text {
    /// An optional one-line text of at most `max` characters.
    pub const fn line(max: usize) -> Text {
        Text {
            max,
            required: false,
            multiline: false,
        }
    }

    /// An optional text of at most `max` characters that may span lines.
    pub const fn lines(max: usize) -> Text {
        Text {
            max,
            required: false,
            multiline: true,
        }
    }

    /// The same rules, with empty an error.
    pub const fn required(self) -> Text {
        Text {
            required: true,
            ..self
        }
    }

    /// Records the first rule `value` breaks under `field`: `<field> is required`, `<field>
    /// must be at most <max> characters` or `<field> must not contain control characters`.
    pub fn check(&self, field: &str, value: &str, errors: &mut Errors) {
        if self.required && value.is_empty() {
            errors.add(field, format!("{field} is required"));
        } else if value.chars().count() > self.max {
            let max = self.max;
            errors.add(field, format!("{field} must be at most {max} characters"));
        } else if value
            .chars()
            .any(|c| c.is_control() && !(self.multiline && matches!(c, '\n' | '\r' | '\t')))
        {
            errors.add(
                field,
                format!("{field} must not contain control characters"),
            );
        }
    }
}

/// The problems of one input, by field, in the order found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Errors {
    list: Vec<(String, String)>,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` is wrong; `message` is the whole sentence shown to the user
    /// (`"zip is required"`), so messages can be joined into one answer.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.list.push((field.to_owned(), message.into()));
    }

    /// True when nothing was wrong.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// True when `field` was found wrong.
    pub fn has(&self, field: &str) -> bool {
        self.list.iter().any(|(f, _)| f == field)
    }

    /// The first message about `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// `Ok` when nothing was wrong; else 422 with every message, `; `-separated.
    pub fn finish(self) -> Result<(), Failure> {
        if self.list.is_empty() {
            Ok(())
        } else {
            let messages: Vec<String> = self.list.into_iter().map(|(_, m)| m).collect();
            Err(Failure::unprocessable(messages.join("; ")))
        }
    }
}

/// An object of field → its first message, for a form template (`{{ errors.name }}`).
impl Serialize for Errors {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut first: BTreeMap<&str, &str> = BTreeMap::new();
        for (field, message) in &self.list {
            first.entry(field).or_insert(message);
        }
        let mut map = serializer.serialize_map(Some(first.len()))?;
        for (field, message) in first {
            map.serialize_entry(field, message)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::backoffice::plugin::types::{Method, Pair};
    use crate::request::tests::request;

    fn json(text: &str) -> Fields {
        Fields::parse(text).unwrap()
    }

    #[test]
    fn texts_are_trimmed_and_shape_errors_collected_by_field() {
        let f = json(r#"{"name": "  Ann ", "age": "x", "nick": 5, "gone": null}"#);
        let mut errors = Errors::new();
        assert_eq!(f.text("name", &mut errors).as_deref(), Some("Ann"));
        assert_eq!(f.text("gone", &mut errors), None);
        assert_eq!(f.text("nick", &mut errors), None);
        assert_eq!(f.integer("age", &mut errors), None);
        assert_eq!(f.required_text("city", &mut errors), "");
        assert_eq!(errors.get("nick"), Some("nick must be a string"));
        assert_eq!(
            serde_json::to_value(&errors).unwrap(),
            serde_json::json!({
                "age": "age must be an integer",
                "city": "city is required",
                "nick": "nick must be a string"
            })
        );
        let failure = errors.finish().unwrap_err();
        assert_eq!(failure.status, 422);
        assert_eq!(
            failure.message,
            "nick must be a string; age must be an integer; city is required"
        );
    }

    #[test]
    fn json_is_typed_and_forms_are_text() {
        let mut errors = Errors::new();
        let f = json(r#"{"n": 7, "s": "7", "b": true, "t": "on"}"#);
        assert_eq!(f.integer("n", &mut errors), Some(7));
        assert_eq!(f.flag("b", &mut errors), Some(true));
        assert_eq!(f.flag("t", &mut errors), Some(true));
        assert!(errors.is_empty());
        assert_eq!(f.integer("s", &mut errors), None);
        assert!(errors.has("s"));

        let mut errors = Errors::new();
        let f = Fields::form([("n", " 7 "), ("blank", ""), ("box", "false"), ("box", "on")]);
        assert_eq!(f.integer("n", &mut errors), Some(7));
        assert_eq!(f.integer("blank", &mut errors), None);
        assert_eq!(
            f.flag("box", &mut errors),
            Some(true),
            "the last value wins"
        );
        assert_eq!(f.flag("missing", &mut errors), None);
        assert!(errors.is_empty());
    }

    #[test]
    fn unchecked_boxes_and_empty_groups_mean_no_on_forms_only() {
        let mut errors = Errors::new();
        let form = Fields::form([("other", "x")]);
        assert_eq!(form.checkbox("active", &mut errors), Some(false));
        assert_eq!(form.selected("stores", &mut errors), Some(vec![]));
        let body = json("{}");
        assert_eq!(body.checkbox("active", &mut errors), None);
        assert_eq!(body.selected("stores", &mut errors), None);
        let bad = Fields::form([("active", "maybe")]);
        assert_eq!(bad.checkbox("active", &mut errors), None);
        assert_eq!(errors.get("active"), Some("active must be true or false"));
    }

    #[test]
    fn text_rules_name_the_first_broken_one() {
        let name = Text::line(5).required();
        let mut errors = Errors::new();
        name.check("first_name", "Ann", &mut errors);
        name.check("last_name", "", &mut errors);
        name.check("city", "Berlin", &mut errors);
        name.check("street", "a\tb", &mut errors);
        Text::line(5).check("company", "", &mut errors);
        Text::lines(9).check("notes", "one\r\ntwo", &mut errors);
        Text::lines(9).check("notes2", "bell\u{7}", &mut errors);
        assert_eq!(
            errors.finish().unwrap_err().message,
            "last_name is required; city must be at most 5 characters; \
             street must not contain control characters; notes2 must not contain control characters"
        );
        let mut errors = Errors::new();
        Text::line(3).check("code", "äöü", &mut errors);
        assert!(errors.is_empty(), "characters, not bytes, are counted");
    }

    #[test]
    fn lists_drop_blank_and_repeated_items() {
        let mut errors = Errors::new();
        let f = json(r#"{"ids": [" a", "", "b", "a"], "one": "x", "bad": [5]}"#);
        assert_eq!(f.list("ids", &mut errors).unwrap(), ["a", "b"]);
        assert_eq!(f.list("one", &mut errors).unwrap(), ["x"]);
        assert_eq!(f.list("bad", &mut errors), None);
        assert_eq!(errors.get("bad"), Some("bad must be a list of strings"));
        let form = Fields::form([("tag", "x"), ("attr.color", "red"), ("tag", "y")]);
        assert_eq!(form.list("tag", &mut errors).unwrap(), ["x", "y"]);
        let attrs: Vec<(&str, &Value)> = form.prefixed("attr.").collect();
        assert_eq!(attrs, [("color", &Value::from("red"))]);
    }

    #[test]
    fn a_body_that_is_not_an_object_is_a_400() {
        let mut req = request(Method::Post, "notes", "create");
        req.body = Some("[1]".into());
        let err = Fields::from_request(&req).unwrap_err();
        assert_eq!(err.status, 400);
        req.body = None;
        req.form = vec![Pair {
            name: "title".into(),
            value: "t".into(),
        }];
        assert!(Fields::from_request(&req).unwrap().is_form());
    }

    #[test]
    fn versions_and_list_parameters() {
        let mut req = request(Method::Get, "notes", "index");
        assert_eq!(version(&req).unwrap(), None);
        assert_eq!(
            required_version(&req).unwrap_err().message,
            "version is required"
        );
        assert_eq!(limit(&req).unwrap(), 50);
        assert_eq!(choice(&req, "sort", &["a", "b"]).unwrap(), None);
        let pair = |name: &str, value: &str| Pair {
            name: name.into(),
            value: value.into(),
        };
        req.query = vec![pair("version", "x"), pair("limit", "+5"), pair("sort", "c")];
        assert_eq!(version(&req).unwrap_err().status, 400);
        assert_eq!(
            limit(&req).unwrap_err().message,
            "limit must be between 1 and 200"
        );
        assert_eq!(
            choice(&req, "sort", &["a", "b"]).unwrap_err().message,
            "sort must be one of a, b"
        );
        assert!(check_version("the note", Some(2), 2).is_ok());
        assert!(check_version("the note", None, 2).is_ok());
        let stale = check_version("the note", Some(1), 2).unwrap_err();
        assert_eq!(stale.status, 409);
        assert!(
            stale
                .message
                .starts_with("the note was changed by someone else")
        );
    }
}
