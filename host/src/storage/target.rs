//! What a filter or sort names: `id`, `created_at`, `updated_at` or a declared field, resolved
//! to its SQL expression and comparison type.
//!
//! Owns the list of usable names and their typing. Must never resolve a name that is not one of
//! those (an unknown field is `Invalid`, naming the field and the known ones).

use super::dialect;
use super::error::{StorageError, StorageResult};
use super::registry::Collection;
use super::spec::FieldKind;
use super::sql::ValueType;

/// What a filter or sort refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Id,
    CreatedAt,
    UpdatedAt,
    Field,
}

/// A resolved field: its canonical name, SQL expression and comparison type.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub name: String,
    pub expr: String,
    pub ty: ValueType,
    pub source: Source,
}

/// Resolves a field name of a filter or sort.
pub(crate) fn resolve(collection: &Collection, field: &str) -> StorageResult<Target> {
    let column = |name: &str, ty| Target {
        name: name.to_owned(),
        expr: name.to_owned(),
        ty,
        source: match name {
            "id" => Source::Id,
            "created_at" => Source::CreatedAt,
            _ => Source::UpdatedAt,
        },
    };
    match field {
        "id" => Ok(column("id", ValueType::Text)),
        "created_at" | "created-at" => Ok(column("created_at", ValueType::BigInt)),
        "updated_at" | "updated-at" => Ok(column("updated_at", ValueType::BigInt)),
        _ => match collection.spec.field(field) {
            Some(f) => Ok(Target {
                name: f.name.clone(),
                expr: dialect::field_expr(collection.engine, &f.name, f.kind),
                ty: match f.kind {
                    FieldKind::Text => ValueType::Text,
                    FieldKind::Integer | FieldKind::Number => ValueType::Numeric,
                    FieldKind::Boolean => ValueType::Bool,
                },
                source: Source::Field,
            }),
            None => {
                let declared: Vec<&str> = collection
                    .spec
                    .fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect();
                let mut known = vec!["id", "created_at", "updated_at"];
                known.extend(declared);
                Err(StorageError::invalid(format!(
                    "collection '{}' has no field '{field}' to filter or sort on (known: {})",
                    collection.name(),
                    known.join(", ")
                )))
            }
        },
    }
}

pub(crate) fn type_label(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Text => "a text",
        ValueType::BigInt => "an integer",
        ValueType::Numeric => "a number",
        ValueType::Bool => "a boolean",
    }
}
