//! What sales reads from the catalog section's shared collections (CONTRACT: `products`,
//! `variants`, `prices`, `availability`), decoded loosely so that fields catalog adds later do
//! not break sales. Reads only: catalog owns these records.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use backoffice_sdk::dates::{day_of, now, ymd};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct ProductRec {
    sku: String,
    name: String,
    status: String,
    /// Gross cents in the default currency.
    price: i64,
    /// The tax set (host Settings) the product is taxed as; empty: the shop's first.
    tax_class: String,
    category_ids: Vec<Value>,
    label_ids: Vec<Value>,
    attributes: BTreeMap<String, Value>,
}

/// A JSON id or attribute value as text (`"7"` and `7` alike).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What discounts may ask about a product: its category ids, label ids and attributes.
#[derive(Debug, Clone, Default)]
pub struct Traits {
    pub categories: Vec<String>,
    pub labels: Vec<String>,
    pub attributes: BTreeMap<String, String>,
}

impl Traits {
    fn of(p: &ProductRec) -> Traits {
        Traits {
            categories: p.category_ids.iter().map(text).collect(),
            labels: p.label_ids.iter().map(text).collect(),
            attributes: p
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), text(v)))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct VariantRec {
    sku: String,
    abstract_sku: String,
    active: bool,
    name: String,
    discontinued: bool,
    /// `YYYY-MM-DD`, inclusive; none: unbounded.
    valid_from: Option<String>,
    valid_to: Option<String>,
}

impl VariantRec {
    /// Catalog's rule: a variant sells while active, not discontinued and inside its validity.
    /// ISO dates compare as text.
    fn on_sale(&self, today: &str) -> bool {
        self.active
            && !self.discontinued
            && self.valid_from.as_deref().is_none_or(|from| from <= today)
            && self.valid_to.as_deref().is_none_or(|to| today <= to)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct VolumePrice {
    quantity: i64,
    gross: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct PriceRec {
    gross: i64,
    volume: Vec<VolumePrice>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct AvailabilityRec {
    quantity: i64,
    never_out_of_stock: bool,
}

/// The currency of every cart and order until stores have their own.
pub const DEFAULT_CURRENCY: &str = "EUR";

/// A sellable SKU as checkout needs it.
#[derive(Debug, Clone)]
pub struct Sellable {
    pub sku: String,
    pub name: String,
    /// Gross cents for one unit at the asked quantity (volume prices applied).
    pub unit_price: i64,
    /// Catalog's stock quantity (sum over warehouses); `None` when never out of stock.
    pub stock: Option<i64>,
    /// The tax set of the (abstract) product; empty: the shop's first.
    pub tax_set: String,
    /// Of the (abstract) product.
    pub traits: Traits,
}

fn products() -> Collection<ProductRec> {
    Collection::new("catalog/products")
}
fn variants() -> Collection<VariantRec> {
    Collection::new("catalog/variants")
}
fn prices() -> Collection<PriceRec> {
    Collection::new("catalog/prices")
}
fn availability() -> Collection<AvailabilityRec> {
    Collection::new("catalog/availability")
}

/// The grants sales asks for in its manifest.
pub const READS: &[(&str, &str)] = &[
    ("catalog", "products"),
    ("catalog", "variants"),
    ("catalog", "prices"),
    ("catalog", "availability"),
];

fn by_sku<T: serde::de::DeserializeOwned + serde::Serialize>(
    c: Collection<T>,
    sku: &str,
) -> Result<Option<Record<T>>, StorageError> {
    Ok(c.query().eq("sku", sku).limit(1).fetch()?.records.pop())
}

/// Looks up `sku` for `quantity` units in `currency`. `Ok(None)` when it is not sellable: no
/// such SKU, inactive, a variant outside its validity, an abstract product that has variants,
/// or no price in the currency.
pub fn sellable(sku: &str, quantity: i64, currency: &str) -> Result<Option<Sellable>, Failure> {
    let (name, abstract_sku, fallback_price, tax_set, traits) = match by_sku(variants(), sku)? {
        Some(v) if !v.data.on_sale(&ymd(day_of(now()))) => return Ok(None),
        Some(v) => {
            let parent = by_sku(products(), &v.data.abstract_sku)?;
            if parent.as_ref().is_some_and(|p| p.data.status != "active") {
                return Ok(None);
            }
            let name = if v.data.name.is_empty() {
                parent
                    .as_ref()
                    .map(|p| p.data.name.clone())
                    .unwrap_or_default()
            } else {
                v.data.name
            };
            let tax_set = parent
                .as_ref()
                .map(|p| p.data.tax_class.clone())
                .unwrap_or_default();
            let traits = parent
                .as_ref()
                .map(|p| Traits::of(&p.data))
                .unwrap_or_default();
            (
                name,
                v.data.abstract_sku,
                parent.map(|p| p.data.price),
                tax_set,
                traits,
            )
        }
        None => {
            let Some(p) = by_sku(products(), sku)? else {
                return Ok(None);
            };
            let has_variants = variants()
                .query()
                .eq("abstract_id", p.id.as_str())
                .count()?
                > 0;
            if p.data.status != "active" || has_variants {
                return Ok(None);
            }
            let traits = Traits::of(&p.data);
            (
                p.data.name,
                p.data.sku,
                Some(p.data.price),
                p.data.tax_class,
                traits,
            )
        }
    };
    let price = match prices().find(&format!("{sku}~{currency}"))? {
        Some(p) => Some(p.data),
        None => prices()
            .find(&format!("{abstract_sku}~{currency}"))?
            .map(|p| p.data),
    };
    let unit_price = match price {
        Some(p) => p
            .volume
            .iter()
            .filter(|v| v.quantity <= quantity && v.gross > 0)
            .max_by_key(|v| v.quantity)
            .map_or(p.gross, |v| v.gross),
        // The product's own default-currency price, when catalog keeps no price records.
        None if currency == DEFAULT_CURRENCY => match fallback_price {
            Some(p) if p > 0 => p,
            _ => return Ok(None),
        },
        None => return Ok(None),
    };
    let stock = match availability().find(sku)? {
        Some(a) if a.data.never_out_of_stock => None,
        Some(a) => Some(a.data.quantity.max(0)),
        None => Some(0),
    };
    Ok(Some(Sellable {
        sku: sku.to_owned(),
        name,
        unit_price,
        stock,
        tax_set,
        traits,
    }))
}
