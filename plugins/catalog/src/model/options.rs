//! Product options ("gift wrap", "warranty"): option groups (unique name, per-locale names, a
//! tax class, active) holding option values (unique SKU, name, a price per currency in cents),
//! offered with abstract products through `links` (`option_group_ids` on the product).

use std::collections::BTreeMap;

use backoffice_sdk::money;
use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::prices;
use super::products;
use super::shop;
use super::values::{self, DEFAULT_LOCALE};

pub const NAME_MAX: usize = 200;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupData {
    /// Indexed copy of `names[DEFAULT_LOCALE]`.
    pub name: String,
    pub names: BTreeMap<String, String>,
    /// `[a-z0-9_-]{1,32}`, e.g. `standard`, `reduced`.
    pub tax_class: String,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ValueData {
    pub group_id: String,
    pub sku: String,
    pub name: String,
    /// Cents by currency (one of the shop's currencies).
    pub prices: BTreeMap<String, i64>,
}

/// Option groups; a duplicate name is a 409 naming it.
pub fn option_groups() -> Resource<GroupData> {
    Resource::new("option_groups", "option group")
        .unique("name", "option group {name} already exists")
        .describe("{name}")
}

/// Option values; a duplicate SKU is a 409 naming it.
pub fn option_values() -> Resource<ValueData> {
    Resource::new("option_values", "option value")
        .unique("sku", "option value SKU {sku} already exists")
        .describe("{sku}")
}

pub fn collections() -> [CollectionDef; 2] {
    [
        CollectionDef::new("option_groups")
            .field(Field::text("name").unique().searchable())
            .field(Field::boolean("active").indexed())
            // Filterable, not indexed: only `host.usage` looks groups up by tax set.
            .field(Field::text("tax_class"))
            .shared(),
        CollectionDef::new("option_values")
            .field(Field::text("sku").unique())
            .field(Field::text("group_id").indexed())
            .shared(),
    ]
}

/// The values of group `id`, by name.
pub fn values_of(group_id: &str) -> Result<Vec<Record<ValueData>>, Failure> {
    let mut page = option_values()
        .query()
        .eq("group_id", group_id)
        .limit(1000)
        .fetch()?;
    page.records.sort_by(|a, b| a.data.name.cmp(&b.data.name));
    Ok(page.records)
}

/// Applies a group's fields (kept when not sent) and returns the SKUs to assign, if sent.
pub fn apply_group(
    fields: &Fields,
    data: &mut GroupData,
    creating: bool,
) -> Result<Option<Vec<String>>, Failure> {
    let mut errors = Errors::new();
    let names = values::locales(fields, "names", "name", &mut errors);
    let tax_class = fields.text("tax_class", &mut errors);
    let active = fields.checkbox("active", &mut errors);
    let skus = values::words(fields, "skus", &mut errors);
    errors.finish()?;
    if let Some(names) = names {
        data.names = values::merge_locales("name", &data.names, names, NAME_MAX)?;
    }
    data.name = data.names.get(DEFAULT_LOCALE).cloned().unwrap_or_default();
    if data.name.is_empty() {
        return Err(Failure::unprocessable("name is required"));
    }
    if let Some(tax_class) = tax_class {
        data.tax_class = tax_class;
    }
    data.tax_class = shop::tax_set_or_default(&data.tax_class)?;
    match active {
        Some(active) => data.active = active,
        None if creating => data.active = true,
        None => {}
    }
    Ok(skus)
}

/// Prices: JSON `{"prices": {"EUR": 500}}` (an entry set to null removes it), or form fields
/// `price.<currency>` (blank removes it).
fn value_prices(fields: &Fields) -> Result<Option<BTreeMap<String, Option<i64>>>, Failure> {
    let mut out = BTreeMap::new();
    if fields.is_form() {
        for currency in shop::currencies() {
            let text = fields
                .value(&format!("price.{currency}"))
                .and_then(Value::as_str);
            let digits = money::minor_units(currency);
            let cents = values::cents_text(text, &format!("price {currency}"), digits)?;
            out.insert(currency.clone(), cents);
        }
        return Ok(Some(out));
    }
    match fields.value("prices") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => {
            for (currency, cents) in map {
                prices::check_currency(currency)?;
                let cents = match cents {
                    Value::Null => None,
                    v => Some(
                        values::cents_value(v)
                            .ok_or_else(|| values::cents_error(&format!("price {currency}")))?,
                    ),
                };
                out.insert(currency.clone(), cents);
            }
        }
        Some(_) => {
            return Err(Failure::unprocessable(
                "prices must be an object of currency to cents",
            ));
        }
    }
    Ok(Some(out))
}

/// Applies an option value's fields (kept when not sent) and checks them.
pub fn apply_value(fields: &Fields, data: &mut ValueData) -> Result<(), Failure> {
    let mut errors = Errors::new();
    let sku = fields.text("sku", &mut errors);
    let name = fields.text("name", &mut errors);
    errors.finish()?;
    if let Some(sku) = sku {
        data.sku = sku;
    }
    products::check_sku(&data.sku)?;
    if let Some(name) = name {
        data.name = name;
    }
    values::check_name(&data.name, NAME_MAX)?;
    if let Some(changes) = value_prices(fields)? {
        for (currency, cents) in changes {
            match cents {
                Some(c) => data.prices.insert(currency, c),
                None => data.prices.remove(&currency),
            };
        }
    }
    Ok(())
}
