//! Attribute keys: what can be said about a product (colour, size, material …), with an input
//! type, per-locale labels and value translations. A *super attribute* (select only) tells the
//! variants of a product apart; the flag is fixed at creation because existing variants were
//! built on it. Also the check of attribute values a product or variant carries.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::values;

pub const INPUT_TYPES: &[&str] = &["text", "number", "select", "boolean"];
pub const KEY_MAX: usize = 64;
pub const LABEL_MAX: usize = 200;
pub const TEXT_VALUE_MAX: usize = 500;
pub const SELECT_VALUES_MAX: usize = 500;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AttributeData {
    /// `[a-z0-9_]{1,64}`, unique.
    pub key: String,
    pub input_type: String,
    /// The allowed values of a `select`.
    pub values: Vec<String>,
    pub is_super: bool,
    pub labels: BTreeMap<String, String>,
    /// value → locale → text.
    pub value_labels: BTreeMap<String, BTreeMap<String, String>>,
    pub updated: i64,
}

pub type Attribute = Record<AttributeData>;

/// Attributes; a duplicate key is a 409 naming it.
pub fn attributes() -> Resource<AttributeData> {
    Resource::new("attributes", "attribute")
        .unique("key", "attribute {key} already exists")
        .describe("{key}")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("attributes")
        .field(Field::text("key").unique())
        .field(Field::boolean("is_super").indexed())
}

/// Every attribute, by key (attribute lists are short: tens, not thousands).
pub fn all() -> Result<Vec<Attribute>, Failure> {
    Ok(attributes()
        .query()
        .sort("key")
        .limit(1000)
        .fetch()?
        .records)
}

/// The attribute `key`, if defined.
pub fn by_key(key: &str) -> Result<Option<Attribute>, Failure> {
    Ok(attributes().query().eq("key", key).first()?)
}

/// Checks attribute values sent for a product or variant against their definitions and
/// returns them normalised (numbers as numbers, booleans as booleans). `Value::Null` or an
/// empty string removes a value. 422 names the attribute and what is wrong.
pub fn check_values(
    current: &BTreeMap<String, Value>,
    changes: BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Value>, Failure> {
    let mut out = current.clone();
    for (key, value) in changes {
        let Some(attribute) = by_key(&key)? else {
            return Err(Failure::unprocessable(format!(
                "attribute {key} does not exist"
            )));
        };
        match normalise(&attribute.data, value)? {
            Some(v) => out.insert(key, v),
            None => out.remove(&key),
        };
    }
    Ok(out)
}

fn normalise(a: &AttributeData, value: Value) -> Result<Option<Value>, Failure> {
    let key = &a.key;
    let bad = |what: &str| Failure::unprocessable(format!("attribute {key} must be {what}"));
    let value = match value {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => Value::String(s.trim().to_owned()),
        other => other,
    };
    let out = match (a.input_type.as_str(), value) {
        ("text", Value::String(s)) if s.chars().count() <= TEXT_VALUE_MAX => Value::String(s),
        ("text", _) => return Err(bad("a text of at most 500 characters")),
        ("number", Value::Number(n)) => Value::Number(n),
        ("number", Value::String(s)) => match s.parse::<f64>() {
            Ok(f) if f.is_finite() => serde_json::Number::from_f64(f)
                .map(|n| match s.parse::<i64>() {
                    Ok(i) => Value::from(i),
                    Err(_) => Value::Number(n),
                })
                .ok_or_else(|| bad("a number"))?,
            _ => return Err(bad("a number")),
        },
        ("number", _) => return Err(bad("a number")),
        ("boolean", Value::Bool(b)) => Value::Bool(b),
        ("boolean", Value::String(s)) => match s.as_str() {
            "true" | "on" | "1" | "yes" => Value::Bool(true),
            "false" | "off" | "0" | "no" => Value::Bool(false),
            _ => return Err(bad("true or false")),
        },
        ("boolean", _) => return Err(bad("true or false")),
        ("select", Value::String(s)) if a.values.contains(&s) => Value::String(s),
        ("select", _) => {
            return Err(bad(&format!("one of: {}", a.values.join(", "))));
        }
        (other, _) => {
            return Err(Failure::internal(format!(
                "attribute {key} has an unknown input type {other}"
            )));
        }
    };
    Ok(Some(out))
}

/// The attribute values a product or variant input sends: a JSON object of key to value, or
/// a form's `attr.<key>` fields (a form always answers `Some`).
pub fn sent_values(fields: &Fields, errors: &mut Errors) -> Option<BTreeMap<String, Value>> {
    if fields.is_form() {
        let sent = fields.prefixed("attr.");
        return Some(sent.map(|(key, v)| (key.to_owned(), v.clone())).collect());
    }
    match fields.value("attributes")? {
        Value::Null => None,
        Value::Object(map) => Some(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        _ => {
            errors.add(
                "attributes",
                "attributes must be an object of attribute key to value",
            );
            None
        }
    }
}

/// What a create or edit sends; `None` keeps the stored value.
#[derive(Debug, Default)]
pub struct AttributeInput {
    pub key: Option<String>,
    pub input_type: Option<String>,
    pub values: Option<Vec<String>>,
    pub is_super: Option<bool>,
    pub labels: Option<BTreeMap<String, String>>,
    pub value_labels: Option<BTreeMap<String, BTreeMap<String, String>>>,
}

impl AttributeInput {
    /// Applies onto `data`; `creating` allows the key and the super flag to be set.
    pub fn apply(self, data: &mut AttributeData, creating: bool) -> Result<(), Failure> {
        if let Some(key) = self.key {
            let key = key.trim().to_owned();
            if !creating && key != data.key {
                return Err(Failure::unprocessable(
                    "the key of an attribute cannot be changed",
                ));
            }
            data.key = key;
        }
        check_key(&data.key)?;
        if let Some(t) = self.input_type {
            data.input_type = t.trim().to_owned();
        }
        if !INPUT_TYPES.contains(&data.input_type.as_str()) {
            return Err(Failure::unprocessable(
                "input_type must be one of text, number, select, boolean",
            ));
        }
        if let Some(is_super) = self.is_super
            && is_super != data.is_super
        {
            if !creating {
                return Err(Failure::unprocessable(
                    "the super-attribute flag can only be set when the attribute is created",
                ));
            }
            data.is_super = is_super;
        }
        if let Some(values) = self.values {
            let mut unique: Vec<String> = Vec::new();
            for v in values.into_iter().map(|v| v.trim().to_owned()) {
                if v.is_empty() || v.chars().count() > LABEL_MAX {
                    return Err(Failure::unprocessable(
                        "each value must be 1 to 200 characters",
                    ));
                }
                if !unique.contains(&v) {
                    unique.push(v);
                }
            }
            data.values = unique;
        }
        if data.input_type == "select" {
            if data.values.is_empty() {
                return Err(Failure::unprocessable(
                    "a select attribute needs at least one value",
                ));
            }
            if data.values.len() > SELECT_VALUES_MAX {
                return Err(Failure::unprocessable(
                    "a select attribute has at most 500 values",
                ));
            }
        } else {
            data.values.clear();
        }
        if data.is_super && data.input_type != "select" {
            return Err(Failure::unprocessable(
                "a super attribute must be of input type select",
            ));
        }
        if let Some(labels) = self.labels {
            data.labels = values::merge_locales("label", &data.labels, labels, LABEL_MAX)?;
        }
        if let Some(value_labels) = self.value_labels {
            for (value, texts) in value_labels {
                if !data.values.contains(&value) {
                    return Err(Failure::unprocessable(format!(
                        "value_labels: {value} is not one of the values"
                    )));
                }
                let current = data.value_labels.remove(&value).unwrap_or_default();
                let merged = values::merge_locales("value label", &current, texts, LABEL_MAX)?;
                if !merged.is_empty() {
                    data.value_labels.insert(value, merged);
                }
            }
        }
        data.value_labels.retain(|v, _| data.values.contains(v));
        data.updated = values::now();
        Ok(())
    }
}

fn check_key(key: &str) -> Result<(), Failure> {
    let ok = !key.is_empty()
        && key.len() <= KEY_MAX
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Failure::unprocessable(
            "key must be 1 to 64 characters: lower-case letters, digits or '_'",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(input_type: &str, values: &[&str]) -> AttributeData {
        AttributeData {
            key: "k".into(),
            input_type: input_type.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            ..AttributeData::default()
        }
    }

    #[test]
    fn values_are_normalised_per_type() {
        let n = attr("number", &[]);
        assert_eq!(
            normalise(&n, Value::from("42")).unwrap(),
            Some(Value::from(42))
        );
        assert_eq!(
            normalise(&n, Value::from("1.5")).unwrap(),
            Some(Value::from(1.5))
        );
        assert!(normalise(&n, Value::from("many")).is_err());
        let b = attr("boolean", &[]);
        assert_eq!(
            normalise(&b, Value::from("on")).unwrap(),
            Some(Value::Bool(true))
        );
        let s = attr("select", &["red", "blue"]);
        assert_eq!(
            normalise(&s, Value::from("red")).unwrap(),
            Some(Value::from("red"))
        );
        let err = normalise(&s, Value::from("green")).unwrap_err();
        assert_eq!(err.message, "attribute k must be one of: red, blue");
        assert_eq!(normalise(&s, Value::from("  ")).unwrap(), None);
    }

    #[test]
    fn keys() {
        assert!(check_key("color_2").is_ok());
        assert!(check_key("Color").is_err());
        assert!(check_key("").is_err());
    }
}
