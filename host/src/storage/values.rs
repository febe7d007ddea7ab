//! Checks on what plugins write: record ids, record data against the declared field kinds, and
//! host-generated ids.
//!
//! Owns the rules a stored record always satisfies (a JSON object within the size limit, no NUL
//! character in any string, declared fields of their declared kind or null). Must never touch the
//! database.

use serde_json::{Map, Value};

use super::error::{StorageError, StorageResult};
use super::spec::{CollectionSpec, FieldKind};

/// Longest record id, in bytes.
pub const ID_MAX: usize = 255;
/// Largest record, as compact JSON.
pub const RECORD_MAX_BYTES: usize = 1024 * 1024;

/// Checks a plugin-chosen record id: 1 to 255 bytes, no control characters.
pub(crate) fn check_id(id: &str) -> StorageResult<()> {
    if id.is_empty() {
        return Err(StorageError::invalid("record id is empty"));
    }
    if id.len() > ID_MAX {
        return Err(StorageError::invalid(format!(
            "record id is {} bytes long; at most {ID_MAX} are allowed",
            id.len()
        )));
    }
    if id.chars().any(char::is_control) {
        return Err(StorageError::invalid(
            "record id contains control characters",
        ));
    }
    Ok(())
}

/// A new id: the creation second as 10 hex digits, then 88 random bits as 22 hex digits. Ids
/// generated later sort after earlier ones (to the second), so sorting by id is roughly
/// sorting by creation.
pub(crate) fn generate_id(now: i64) -> String {
    let random: [u8; 11] = rand::random();
    format!(
        "{:010x}{}",
        now.clamp(0, 0xff_ffff_ffff),
        hex::encode(random)
    )
}

/// Checks record data and returns it with its compact JSON text.
pub(crate) fn check_record(
    spec: &CollectionSpec,
    data: Value,
) -> StorageResult<(Map<String, Value>, String)> {
    let Value::Object(map) = data else {
        return Err(StorageError::invalid(format!(
            "record data must be a JSON object, not {}",
            json_type(&data)
        )));
    };
    for field in &spec.fields {
        let value = map.get(&field.name).unwrap_or(&Value::Null);
        if !value.is_null() && !has_kind(value, field.kind) {
            return Err(StorageError::invalid(format!(
                "field '{}' must be {} (or null), not {}",
                field.name,
                article(field.kind),
                describe(value)
            )));
        }
    }
    if let Some(path) = nul_path(&map) {
        return Err(StorageError::invalid(format!(
            "{path} contains a NUL character, which cannot be stored"
        )));
    }
    let text = serde_json::to_string(&map)
        .map_err(|e| StorageError::Internal(format!("encoding a record: {e}")))?;
    if text.len() > RECORD_MAX_BYTES {
        return Err(StorageError::invalid(format!(
            "record is {} bytes as JSON; at most {RECORD_MAX_BYTES} are allowed",
            text.len()
        )));
    }
    Ok((map, text))
}

fn has_kind(value: &Value, kind: FieldKind) -> bool {
    match kind {
        FieldKind::Text => value.is_string(),
        FieldKind::Integer => value.is_i64(),
        FieldKind::Number => value.is_number(),
        FieldKind::Boolean => value.is_boolean(),
    }
}

fn article(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "a text",
        FieldKind::Integer => "an integer",
        FieldKind::Number => "a number",
        FieldKind::Boolean => "a boolean",
    }
}

/// The JSON type of a value, for messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value for messages: its type and, when short, the value itself.
pub(crate) fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 40 {
        format!("{} ({text})", json_type(value))
    } else {
        json_type(value).to_owned()
    }
}

/// Where the first string or key with a NUL character is, if any (PostgreSQL cannot store it).
fn nul_path(map: &Map<String, Value>) -> Option<String> {
    let mut path = String::from("record");
    nul_in_map(map, &mut path).then_some(path)
}

fn nul_in_map(map: &Map<String, Value>, path: &mut String) -> bool {
    map.iter().any(|(key, item)| {
        let len = path.len();
        path.push('.');
        path.push_str(key);
        let found = key.contains('\0') || nul_in(item, path);
        if !found {
            path.truncate(len);
        }
        found
    })
}

fn nul_in(value: &Value, path: &mut String) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = nul_in(item, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        Value::Object(map) => nul_in_map(map, path),
        _ => false,
    }
}

#[cfg(test)]
mod unit {
    use serde_json::json;

    use super::*;
    use crate::storage::spec::FieldSpec;

    fn spec() -> CollectionSpec {
        let field = |name: &str, kind| FieldSpec {
            name: name.into(),
            kind,
            indexed: false,
            unique: false,
            searchable: false,
        };
        CollectionSpec {
            name: "things".into(),
            fields: vec![
                field("qty", FieldKind::Integer),
                field("on", FieldKind::Boolean),
            ],
            shared: false,
        }
    }

    #[test]
    fn wrong_kind_names_the_field_and_the_value() {
        let err = check_record(&spec(), json!({"qty": "abc"})).unwrap_err();
        assert_eq!(
            err,
            StorageError::Invalid(
                "field 'qty' must be an integer (or null), not a text (\"abc\")".into()
            )
        );
        assert!(check_record(&spec(), json!({"qty": 1.5})).is_err());
        assert!(check_record(&spec(), json!({"qty": null, "on": true, "x": [1]})).is_ok());
    }

    #[test]
    fn non_objects_and_nul_characters_are_refused() {
        let err = check_record(&spec(), json!([1, 2])).unwrap_err();
        assert!(
            err.to_string()
                .contains("must be a JSON object, not an array")
        );
        let err = check_record(&spec(), json!({"a": {"b": ["x", "y\u{0}"]}})).unwrap_err();
        assert!(
            err.to_string().contains("record.a.b[1] contains a NUL"),
            "{err}"
        );
    }

    #[test]
    fn generated_ids_sort_by_creation_second() {
        let a = generate_id(1_700_000_000);
        let b = generate_id(1_700_000_001);
        assert_eq!(a.len(), 32);
        assert!(a < b);
        assert_ne!(generate_id(5), generate_id(5));
    }
}
