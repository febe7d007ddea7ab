//! One CSV row's cells, read and checked on their own: the columns it fills, SKUs, prices as
//! cents, stock quantities and the warehouses and categories they name. A cell the export's
//! formula guard prefixed with `'` is read without it.

use std::collections::BTreeMap;

use backoffice_sdk::csv::{self, Row};
use backoffice_sdk::prelude::*;
use serde_json::{Map, Value};

use super::{Column, Setup};
use crate::model::products::DEFAULT_CURRENCY;

/// currency → (gross, net) cells of a row.
pub type PriceCells = BTreeMap<String, (String, String)>;

/// One row's cells, read and checked on their own (no other record needed).
pub struct Cells {
    pub line: usize,
    pub abstract_sku: String,
    pub concrete_sku: String,
    /// Product fields other than texts, in `ProductInput`'s JSON shape.
    pub product: Map<String, Value>,
    pub names: Map<String, Value>,
    pub descriptions: Map<String, Value>,
    pub attributes: Map<String, Value>,
    pub prices: PriceCells,
    /// warehouse id → quantity.
    pub stock: Vec<(String, i64)>,
}

impl Cells {
    pub fn parse(columns: &[Column], row: Row, setup: &Setup) -> Result<Cells, Failure> {
        if row.fields.len() != columns.len() {
            return Err(Failure::unprocessable(format!(
                "{} fields where the header has {}",
                row.fields.len(),
                columns.len()
            )));
        }
        let mut cells = Cells {
            line: row.line,
            abstract_sku: String::new(),
            concrete_sku: String::new(),
            product: Map::new(),
            names: Map::new(),
            descriptions: Map::new(),
            attributes: Map::new(),
            prices: BTreeMap::new(),
            stock: Vec::new(),
        };
        for (c, value) in columns.iter().zip(row.fields) {
            let value = csv::unguard(&value).trim().to_owned();
            match c {
                Column::AbstractSku => cells.abstract_sku = value,
                Column::ConcreteSku => cells.concrete_sku = value,
                Column::Name(l) => {
                    cells.names.insert(l.clone(), Value::String(value));
                }
                Column::Description(l) => {
                    cells.descriptions.insert(l.clone(), Value::String(value));
                }
                Column::Status => set(&mut cells.product, "status", value),
                Column::TaxClass => set(&mut cells.product, "tax_class", value),
                Column::Stores => {
                    cells.product.insert("stores".into(), list(&value));
                }
                Column::Categories => {
                    let mut ids = Vec::new();
                    for slug in list(&value).as_array().into_iter().flatten() {
                        let slug = slug.as_str().unwrap_or_default();
                        let id = setup.category_ids.get(slug).ok_or_else(|| {
                            Failure::unprocessable(format!("category {slug} does not exist"))
                        })?;
                        ids.push(Value::String(id.clone()));
                    }
                    cells
                        .product
                        .insert("category_ids".into(), Value::Array(ids));
                }
                Column::Attribute(key) => {
                    cells.attributes.insert(key.clone(), Value::String(value));
                }
                Column::PriceGross(currency) => {
                    cells.prices.entry(currency.clone()).or_default().0 = value;
                }
                Column::PriceNet(currency) => {
                    cells.prices.entry(currency.clone()).or_default().1 = value;
                }
                Column::Stock(warehouse) => {
                    if value.is_empty() {
                        continue;
                    }
                    let column = match warehouse {
                        Some(name) => format!("stock.{name}"),
                        None => "stock".to_owned(),
                    };
                    let quantity: i64 =
                        value.parse().ok().filter(|q| *q >= 0).ok_or_else(|| {
                            Failure::unprocessable(format!(
                                "{column} must be a whole number of at least 0"
                            ))
                        })?;
                    let id = setup.warehouse(warehouse.as_deref())?.id.clone();
                    cells.stock.push((id, quantity));
                }
            }
        }
        if cells.abstract_sku.is_empty() {
            return Err(Failure::unprocessable("abstract_sku is required"));
        }
        Ok(cells)
    }

    /// A row's cells as the JSON inputs of the product and variant rules, and the price cells
    /// left for the row's own SKU. Texts of a variant row describe the abstract product only when
    /// it is new; its EUR price then becomes the product's as well.
    pub fn inputs(&self, new_product: bool) -> Result<Inputs, Failure> {
        let mut product = self.product.clone();
        let mut price_cells = self.prices.clone();
        let is_variant_row = self.is_variant_row();
        if !is_variant_row || new_product {
            if !self.names.is_empty() {
                product.insert("names".into(), Value::Object(self.names.clone()));
            }
            if !self.descriptions.is_empty() {
                product.insert(
                    "description".into(),
                    Value::Object(self.descriptions.clone()),
                );
            }
            // A variant row keeps its EUR cells for the variant's own price too, so that the same
            // row imported again finds that price unchanged.
            let default_price = if is_variant_row {
                price_cells.get(DEFAULT_CURRENCY).cloned()
            } else {
                price_cells.remove(DEFAULT_CURRENCY)
            };
            if let Some((g, n)) = default_price {
                if !g.is_empty() {
                    product.insert("price".into(), cents("price.EUR.gross", &g)?.into());
                }
                let net = if n.is_empty() {
                    Value::Null
                } else {
                    cents("price.EUR.net", &n)?.into()
                };
                product.insert("price_net".into(), net);
            }
        }
        let attributes = Value::Object(self.attributes.clone());
        let mut variant = Map::new();
        if is_variant_row {
            variant.insert("sku".into(), Value::String(self.concrete_sku.clone()));
            variant.insert("attributes".into(), attributes);
        } else {
            product.insert("attributes".into(), attributes);
        }
        product.insert("sku".into(), Value::String(self.abstract_sku.clone()));
        Ok(Inputs {
            product,
            variant,
            price_cells,
        })
    }

    pub fn is_variant_row(&self) -> bool {
        !self.concrete_sku.is_empty()
    }

    /// The SKU the row's prices and stock belong to.
    pub fn sku(&self) -> &str {
        if self.is_variant_row() {
            &self.concrete_sku
        } else {
            &self.abstract_sku
        }
    }
}

fn set(object: &mut Map<String, Value>, key: &str, value: String) {
    if !value.is_empty() {
        object.insert(key.into(), Value::String(value));
    }
}

/// `a;b;c` as a JSON list (empty items dropped).
fn list(value: &str) -> Value {
    Value::Array(
        value
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect(),
    )
}

pub fn cents(column: &str, text: &str) -> Result<i64, Failure> {
    text.parse::<u32>().map(i64::from).map_err(|_| {
        Failure::unprocessable(format!(
            "{column} must be a non-negative integer of minor units (cents)"
        ))
    })
}

/// What [`Cells::inputs`] makes of a row.
pub struct Inputs {
    /// `ProductInput`'s JSON.
    pub product: Map<String, Value>,
    /// `VariantInput`'s JSON (empty for a product row).
    pub variant: Map<String, Value>,
    /// The price cells of the row's own SKU.
    pub price_cells: PriceCells,
}
