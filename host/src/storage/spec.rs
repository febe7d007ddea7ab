//! What a plugin declares about its collections, and the rules those declarations must follow.
//!
//! Owns name validation for plugin ids, collections and fields: every identifier that reaches SQL
//! (inside a quoted index name or a JSON path literal) was accepted here first. Must never touch
//! the database.

use serde::{Deserialize, Serialize};

use super::error::{StorageError, StorageResult};

/// Longest plugin id.
pub const PLUGIN_ID_MAX: usize = 64;
/// Longest collection name.
pub const COLLECTION_NAME_MAX: usize = 64;
/// Longest field name: index names are `pcol_<id>_<i|u>_<field>` and PostgreSQL cuts
/// identifiers at 63 bytes.
pub const FIELD_NAME_MAX: usize = 40;
/// Most declared fields in one collection.
pub const FIELDS_MAX: usize = 64;

/// Names a filter or sort can use besides declared fields; a field may not take them.
pub const RESERVED_FIELDS: [&str; 3] = ["id", "created_at", "updated_at"];

/// The type a declared field's value must have (JSON `null` or absence is always allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A JSON string.
    Text,
    /// A JSON number without fraction or exponent that fits in 64 signed bits.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
}

impl FieldKind {
    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Integer => "integer",
            FieldKind::Number => "number",
            FieldKind::Boolean => "boolean",
        }
    }
}

/// A top-level key of the records that the host knows about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub name: String,
    pub kind: FieldKind,
    /// Filters and sorts on it can use an index.
    #[serde(default)]
    pub indexed: bool,
    /// No two records may share a value (implies indexed). Records without the field do not
    /// count as sharing.
    #[serde(default)]
    pub unique: bool,
    /// Part of full-text search; only text fields can be searchable.
    #[serde(default)]
    pub searchable: bool,
}

impl FieldSpec {
    /// Which index the field needs, if any.
    pub fn index(&self) -> Option<IndexKind> {
        if self.unique {
            Some(IndexKind::Unique)
        } else if self.indexed {
            Some(IndexKind::Plain)
        } else {
            None
        }
    }
}

/// The two kinds of expression index a field can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// On `(value, id)`: serves filters and sorts with the id tie-breaker.
    Plain,
    /// On `(value)`, unique.
    Unique,
}

/// A collection as declared in a plugin's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionSpec {
    pub name: String,
    pub fields: Vec<FieldSpec>,
    /// Other plugins may read it when the admin grants them.
    #[serde(default)]
    pub shared: bool,
}

impl CollectionSpec {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The searchable fields in declaration order.
    pub fn searchable(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|f| f.searchable)
            .map(|f| f.name.as_str())
            .collect()
    }

    /// Every problem with this spec, or nothing.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(e) = check_name("collection name", &self.name, COLLECTION_NAME_MAX, false) {
            problems.push(e);
        }
        if self.fields.len() > FIELDS_MAX {
            problems.push(format!(
                "collection '{}' declares {} fields; at most {FIELDS_MAX} are allowed",
                self.name,
                self.fields.len()
            ));
        }
        for (i, field) in self.fields.iter().enumerate() {
            let at = format!("collection '{}', field '{}'", self.name, field.name);
            if let Err(e) = check_name("field name", &field.name, FIELD_NAME_MAX, false) {
                problems.push(format!("collection '{}': {e}", self.name));
            } else if RESERVED_FIELDS.contains(&field.name.as_str()) {
                problems.push(format!(
                    "{at}: the name is reserved (id, created_at and updated_at are record \
                     properties)"
                ));
            }
            if self.fields[..i].iter().any(|f| f.name == field.name) {
                problems.push(format!("{at}: declared twice"));
            }
            if field.searchable && field.kind != FieldKind::Text {
                problems.push(format!(
                    "{at}: only text fields can be searchable, this one is {}",
                    field.kind.label()
                ));
            }
        }
        problems
    }
}

/// Checks a plugin id: 1 to 64 lower-case letters, digits, `_` or `-`.
pub fn check_plugin_id(plugin_id: &str) -> StorageResult<()> {
    check_name("plugin id", plugin_id, PLUGIN_ID_MAX, true).map_err(StorageError::Invalid)
}

/// Checks the specs a plugin declares, collecting every problem into one message.
pub fn check_specs(plugin_id: &str, specs: &[CollectionSpec]) -> StorageResult<()> {
    let mut problems = Vec::new();
    if let Err(e) = check_name("plugin id", plugin_id, PLUGIN_ID_MAX, true) {
        problems.push(e);
    }
    for (i, spec) in specs.iter().enumerate() {
        problems.extend(spec.problems());
        if specs[..i].iter().any(|s| s.name == spec.name) {
            problems.push(format!("collection '{}' is declared twice", spec.name));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Invalid(problems.join("; ")))
    }
}

/// A name of lower-case ASCII letters, digits and `_` (and `-` when `dash` is set).
pub(crate) fn check_name(what: &str, name: &str, max: usize, dash: bool) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if name.len() > max {
        return Err(format!(
            "{what} '{name}' is {} characters long; at most {max} are allowed",
            name.len()
        ));
    }
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || (dash && c == '-');
    if let Some(bad) = name.chars().find(|&c| !allowed(c)) {
        let rule = if dash {
            "lower-case letters, digits, '_' and '-'"
        } else {
            "lower-case letters, digits and '_'"
        };
        return Err(format!(
            "{what} {name:?} contains {bad:?}; only {rule} are allowed"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod unit {
    use super::*;

    fn field(name: &str, kind: FieldKind) -> FieldSpec {
        FieldSpec {
            name: name.into(),
            kind,
            indexed: false,
            unique: false,
            searchable: false,
        }
    }

    #[test]
    fn names_allow_only_lower_case_letters_digits_and_underscore() {
        assert!(check_name("x", "sku_2", 40, false).is_ok());
        assert!(check_name("x", "my-plugin", 40, true).is_ok());
        let err = check_name("field name", "Price", 40, false).unwrap_err();
        assert!(err.contains("'P'"), "{err}");
        assert!(check_name("x", "a-b", 40, false).is_err());
        assert!(check_name("x", "a\"b", 40, true).is_err());
        assert!(check_name("x", "", 40, true).is_err());
        assert!(check_name("x", &"a".repeat(41), 40, true).is_err());
    }

    #[test]
    fn spec_problems_name_the_collection_and_field() {
        let mut searchable_number = field("price", FieldKind::Number);
        searchable_number.searchable = true;
        let spec = CollectionSpec {
            name: "products".into(),
            fields: vec![
                field("id", FieldKind::Text),
                searchable_number,
                field("sku", FieldKind::Text),
                field("sku", FieldKind::Text),
            ],
            shared: false,
        };
        let err = check_specs("catalog", &[spec.clone(), spec])
            .unwrap_err()
            .to_string();
        assert!(err.contains("field 'id': the name is reserved"), "{err}");
        assert!(
            err.contains("field 'price': only text fields can be searchable"),
            "{err}"
        );
        assert!(err.contains("field 'sku': declared twice"), "{err}");
        assert!(
            err.contains("collection 'products' is declared twice"),
            "{err}"
        );
    }
}
