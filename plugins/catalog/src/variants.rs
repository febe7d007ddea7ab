//! Concrete products (variants) of an abstract product: what is actually stocked and sold.
//! Each has its own unique SKU, its super-attribute values (which tell it apart from its
//! siblings), an active flag, a validity range and a discontinued state with a note.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::attributes;
use crate::input::{self, FORM_LOCALES};
use crate::products::{self, check_sku};
use crate::reads::{self, Live, Reads};

pub const NOTE_MAX: usize = 1000;

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

#[derive(Debug, Clone, Serialize)]
pub struct VariantOut {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub data: VariantData,
}

impl From<Variant> for VariantOut {
    fn from(v: Variant) -> Self {
        VariantOut {
            id: v.id,
            version: v.version,
            data: v.data,
        }
    }
}

pub fn variants() -> Collection<VariantData> {
    Collection::new("variants")
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

pub fn routes(router: Router) -> Router {
    router
        .get("variants", "create", new_form)
        .post("variants", "create", create)
        .get("variants", "edit", edit_form)
        .post("variants", "edit", update)
        .post("variants", "discontinue", discontinue)
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
    Ok(variants()
        .query()
        .eq("sku", sku)
        .limit(1)
        .fetch()?
        .records
        .into_iter()
        .next())
}

/// True when a variant is sellable on `today`: active, not discontinued, inside its validity.
pub fn is_valid_on(v: &VariantData, today: &str) -> bool {
    v.active
        && !v.discontinued
        && v.valid_from.as_deref().is_none_or(|from| from <= today)
        && v.valid_to.as_deref().is_none_or(|to| today <= to)
}

fn show_product(abstract_id: &str) -> String {
    format!(
        "/admin/catalog/products/show?id={}",
        input::encode_component(abstract_id)
    )
}

// ---- forms ----

#[derive(Debug, Serialize)]
struct FormContext {
    variant: Option<VariantOut>,
    product: products::ProductOut,
    action: &'static str,
    locales: &'static [&'static str],
    attributes: Vec<attributes::AttributeOut>,
}

fn form(req: &Request, product_id: &str, variant: Option<VariantOut>) -> Reply {
    let action = if variant.is_some() { "edit" } else { "create" };
    let ctx = FormContext {
        variant,
        product: products::load(product_id)?.into(),
        action,
        locales: FORM_LOCALES,
        attributes: attributes::for_form(true)?,
    };
    let title = if action == "edit" {
        "Edit variant"
    } else {
        "New variant"
    };
    Ok(view_or_json(req, "variants/form.html", title, &ctx))
}

fn new_form(req: &Request) -> Reply {
    let product_id = req
        .param("product_id")
        .ok_or_else(|| Failure::bad_request("product_id is required"))?;
    form(req, &product_id, None)
}

fn edit_form(req: &Request) -> Reply {
    let v = input::load(&variants(), "variant", &input::required_id(req)?)?;
    let product_id = v.data.abstract_id.clone();
    form(req, &product_id, Some(v.into()))
}

// ---- writes ----

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
    fn from_request(req: &Request) -> Result<Self, Failure> {
        match &req.body {
            Some(text) => Self::from_json(&input::json_object(text)?),
            None => Ok(VariantInput {
                sku: req.form("sku").map(str::to_owned),
                names: Some(input::form_locales(req, "names", "name")),
                active: Some(input::form_checkbox(req, "active")),
                attributes: Some(attributes::form_values(req)),
                valid_from: input::form_date(req, "valid_from")?,
                valid_to: input::form_date(req, "valid_to")?,
            }),
        }
    }

    pub fn from_json(object: &serde_json::Map<String, Value>) -> Result<Self, Failure> {
        Ok(VariantInput {
            sku: input::json_string(object, "sku")?,
            names: input::json_locales(object, "names", Some("name"))?,
            active: input::json_bool(object, "active")?,
            attributes: attributes::json_values(object)?,
            valid_from: input::json_date(object, "valid_from")?,
            valid_to: input::json_date(object, "valid_to")?,
        })
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
        check_sku(&data.sku)?;
        reads::check_not_abstract_sku(reads, &data.sku)?;
        if let Some(names) = self.names {
            data.names = input::merge_locales("name", &data.names, names, products::NAME_MAX)?;
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
        data.updated = input::now();
        Ok(())
    }
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

fn storage_error(e: StorageError, sku: &str) -> Failure {
    match e {
        StorageError::UniqueViolation(field) if field == "sku" => {
            Failure::conflict(format!("SKU {sku} already exists"))
        }
        e => e.into(),
    }
}

#[derive(Debug, Serialize)]
struct VariantContext {
    variant: VariantOut,
}

fn written(req: &Request, v: Variant, flash: &str) -> Reply {
    products::reindex(&v.data.abstract_id)?;
    if req.wants_json {
        Ok(json(&VariantContext { variant: v.into() }))
    } else {
        Ok(redirect(show_product(&v.data.abstract_id)).flash(flash))
    }
}

fn create(req: &Request) -> Reply {
    let product_id = req
        .param("product_id")
        .ok_or_else(|| Failure::bad_request("product_id is required"))?;
    let product = products::load(&product_id).map_err(|f| {
        if f.status == 404 {
            Failure::unprocessable(format!("product {product_id} does not exist"))
        } else {
            f
        }
    })?;
    let mut data = VariantData {
        abstract_id: product.id,
        abstract_sku: product.data.sku,
        active: true,
        ..VariantData::default()
    };
    let input = VariantInput::from_request(req)?;
    input.apply(None, &product.data.name, &mut data, &Live)?;
    let v = variants()
        .insert(&data)
        .map_err(|e| storage_error(e, &data.sku))?;
    services::audit("variant.create", &v.id, &v.data.sku);
    written(req, v, "Variant created")
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let input = VariantInput::from_request(req)?;
    let current = input::load(&variants(), "variant", &id)?;
    input::check_version("variant", &id, version, current.version)?;
    let product = products::load(&current.data.abstract_id)?;
    let mut data = current.data;
    input.apply(Some(&id), &product.data.name, &mut data, &Live)?;
    let v = variants()
        .replace(&id, &data, version)
        .map_err(|e| storage_error(e, &data.sku))?;
    services::audit("variant.edit", &id, &v.data.sku);
    written(req, v, "Variant saved")
}

/// Marks a variant discontinued (no longer sold, kept for orders and history) with a note.
fn discontinue(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let current = input::load(&variants(), "variant", &id)?;
    let note = req.param("note").unwrap_or_default().trim().to_owned();
    if note.chars().count() > NOTE_MAX {
        return Err(Failure::unprocessable(
            "note must be at most 1000 characters",
        ));
    }
    let mut data = current.data;
    data.discontinued = true;
    data.active = false;
    data.discontinued_note = note;
    data.updated = input::now();
    let v = variants()
        .replace(&id, &data, current.version)
        .map_err(|e| storage_error(e, &data.sku))?;
    services::audit("variant.discontinue", &id, &v.data.sku);
    written(req, v, "Variant discontinued")
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

    #[test]
    fn super_values_are_described() {
        let mut m = BTreeMap::new();
        m.insert("color".to_owned(), Value::from("red"));
        m.insert("size".to_owned(), Value::from("M"));
        assert_eq!(describe(&m), " (color=red, size=M)");
        assert_eq!(describe(&BTreeMap::new()), "");
    }
}
