//! The rules of a variant create or edit, shared by the variant form (and its JSON API) and the
//! CSV import: a SKU unique among abstract and concrete SKUs, attribute values, a
//! super-attribute combination no sibling has, and a validity range.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde_json::Value;

use super::attributes;
use super::products::{self, NAME_MAX};
use super::reads::{self, Reads};
use super::values;
use super::variants::VariantData;

pub const NOTE_MAX: usize = 1000;

/// What a create or edit sends; `None` keeps the stored value.
#[derive(Debug, Default)]
pub struct VariantInput {
    sku: Option<String>,
    names: Option<BTreeMap<String, String>>,
    active: Option<bool>,
    attributes: Option<BTreeMap<String, Value>>,
    valid_from: Option<Option<String>>,
    valid_to: Option<Option<String>>,
}

impl VariantInput {
    /// Reads the input; every field of a wrong shape is named in one 422.
    pub fn from_fields(fields: &Fields) -> Result<Self, Failure> {
        let mut errors = Errors::new();
        let input = VariantInput {
            sku: fields.text("sku", &mut errors),
            names: values::locales(fields, "names", "name", &mut errors),
            active: fields.checkbox("active", &mut errors),
            attributes: attributes::sent_values(fields, &mut errors),
            valid_from: values::date(fields, "valid_from", &mut errors),
            valid_to: values::date(fields, "valid_to", &mut errors),
        };
        errors.finish()?;
        Ok(input)
    }

    /// Applies onto `data` of variant `id` (`None` when new) of the product named
    /// `product_name` and validates: SKU (unique among abstract and concrete SKUs), attributes,
    /// the super-attribute combination among the siblings, the validity range.
    pub fn apply(
        self,
        id: Option<&str>,
        product_name: &str,
        data: &mut VariantData,
        reads: &dyn Reads,
    ) -> Result<(), Failure> {
        if let Some(sku) = self.sku {
            data.sku = sku.trim().to_owned();
        }
        products::check_sku(&data.sku)?;
        reads::check_not_abstract_sku(reads, &data.sku)?;
        if let Some(names) = self.names {
            data.names = values::merge_locales("name", &data.names, names, NAME_MAX)?;
        }
        if let Some(active) = self.active {
            data.active = active;
        }
        if let Some(changes) = self.attributes {
            data.attributes = attributes::check_values(&data.attributes, changes)?;
        }
        if let Some(from) = self.valid_from {
            data.valid_from = from;
        }
        if let Some(to) = self.valid_to {
            data.valid_to = to;
        }
        if let (Some(from), Some(to)) = (&data.valid_from, &data.valid_to)
            && from > to
        {
            return Err(Failure::unprocessable(
                "valid_from must not be after valid_to",
            ));
        }
        let supers = super_values(&data.attributes)?;
        for sibling in reads.variants_of(&data.abstract_id)? {
            if Some(sibling.id.as_str()) != id && super_values(&sibling.data.attributes)? == supers
            {
                return Err(Failure::unprocessable(format!(
                    "variant {} already has the same super-attribute values{}",
                    sibling.data.sku,
                    describe(&supers)
                )));
            }
        }
        data.name = format!("{product_name}{}", describe(&supers));
        data.updated = values::now();
        Ok(())
    }
}

/// Marks a variant discontinued (no longer sold, kept for orders and history) with a note of
/// at most [`NOTE_MAX`] characters.
pub fn discontinue(data: &mut VariantData, note: &str) -> Result<(), Failure> {
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(Failure::unprocessable(
            "note must be at most 1000 characters",
        ));
    }
    data.discontinued = true;
    data.active = false;
    data.discontinued_note = note.to_owned();
    data.updated = values::now();
    Ok(())
}

/// The super-attribute values of `attributes` (what tells variants apart).
fn super_values(attributes: &BTreeMap<String, Value>) -> Result<BTreeMap<String, Value>, Failure> {
    let mut out = BTreeMap::new();
    for (key, value) in attributes {
        if attributes::by_key(key)?.is_some_and(|a| a.data.is_super) {
            out.insert(key.clone(), value.clone());
        }
    }
    Ok(out)
}

fn describe(values: &BTreeMap<String, Value>) -> String {
    if values.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = values
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    format!(" ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn super_values_are_described() {
        let mut m = BTreeMap::new();
        m.insert("color".to_owned(), Value::from("red"));
        m.insert("size".to_owned(), Value::from("M"));
        assert_eq!(describe(&m), " (color=red, size=M)");
        assert_eq!(describe(&BTreeMap::new()), "");
    }

    #[test]
    fn a_discontinued_variant_is_inactive_with_its_note() {
        let mut v = VariantData {
            active: true,
            ..VariantData::default()
        };
        discontinue(&mut v, " sold out ").unwrap();
        assert!(v.discontinued && !v.active);
        assert_eq!(v.discontinued_note, "sold out");
        assert_eq!(
            discontinue(&mut v, &"x".repeat(1001)).unwrap_err().status,
            422
        );
    }
}
