//! Concrete products (variants) as stored: what is actually stocked and sold. Each has its own
//! unique SKU, its super-attribute values (which tell it apart from its siblings), an active
//! flag, a validity range and a discontinued state with a note. The rules of a create or edit
//! are in `variant_input`.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VariantData {
    pub sku: String,
    pub abstract_id: String,
    pub abstract_sku: String,
    /// The abstract product's default-locale name plus the super-attribute values, for lists.
    pub name: String,
    /// Per-locale names of the variant itself, when it needs its own.
    pub names: BTreeMap<String, String>,
    pub active: bool,
    pub attributes: BTreeMap<String, Value>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub discontinued: bool,
    pub discontinued_note: String,
    pub updated: i64,
}

pub type Variant = Record<VariantData>;

/// Variants; a duplicate SKU is a 409 naming it.
pub fn variants() -> Resource<VariantData> {
    Resource::new("variants", "variant")
        .unique("sku", "SKU {sku} already exists")
        .describe("{sku}")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("variants")
        .field(Field::text("sku").unique().searchable())
        .field(Field::text("abstract_id").indexed())
        .field(Field::text("abstract_sku"))
        .field(Field::boolean("active"))
        .field(Field::text("name"))
        .shared()
}

/// The variants of abstract product `abstract_id`, by SKU (a product has tens, not thousands).
pub fn of_product(abstract_id: &str) -> Result<Vec<Variant>, Failure> {
    Ok(variants()
        .query()
        .eq("abstract_id", abstract_id)
        .sort("sku")
        .limit(1000)
        .fetch()?
        .records)
}

/// The variant with `sku`, if any.
pub fn by_sku(sku: &str) -> Result<Option<Variant>, Failure> {
    Ok(variants().query().eq("sku", sku).first()?)
}

/// True when a variant is sellable on `today`: active, not discontinued, inside its validity.
pub fn is_valid_on(v: &VariantData, today: &str) -> bool {
    v.active
        && !v.discontinued
        && v.valid_from.as_deref().is_none_or(|from| from <= today)
        && v.valid_to.as_deref().is_none_or(|to| today <= to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity() {
        let mut v = VariantData {
            active: true,
            ..VariantData::default()
        };
        assert!(is_valid_on(&v, "2026-01-01"));
        v.valid_from = Some("2026-02-01".into());
        assert!(!is_valid_on(&v, "2026-01-01"));
        assert!(is_valid_on(&v, "2026-02-01"));
        v.valid_to = Some("2026-02-28".into());
        assert!(!is_valid_on(&v, "2026-03-01"));
        v.discontinued = true;
        assert!(!is_valid_on(&v, "2026-02-10"));
    }
}
