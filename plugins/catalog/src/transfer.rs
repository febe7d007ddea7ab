//! CSV import and export of products with their variants, prices and stock.
//!
//! One row per sellable SKU: a product row (`concrete_sku` empty) or a variant row of the
//! product `abstract_sku`. Import reads the file record by record; each row is validated as a
//! whole with the same rules as the forms *before* anything of it is written, so a bad row is
//! reported (line + reason) and leaves nothing behind while good rows are imported. Rows are
//! matched by SKU, so importing the same file again changes nothing.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use backoffice_sdk::response::download;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::categories::categories;
use crate::csv::{self, Reader, Row};
use crate::input::{self, FORM_LOCALES};
use crate::prices::{self, PriceSpec};
use crate::products::{self, ProductData, ProductInput, products};
use crate::variants::{self, VariantData, VariantInput, variants};
use crate::{skus, stock, warehouses};

/// Rows reported as errors at most; further bad rows are only counted.
pub const MAX_REPORTED_ERRORS: usize = 1000;

pub fn routes(router: Router) -> Router {
    router
        .get("products", "import", import_form)
        .post("products", "import", import)
        .get("products", "export", export)
}

/// What one column of the file means.
#[derive(Debug, Clone, PartialEq)]
enum Column {
    AbstractSku,
    ConcreteSku,
    Name(String),
    Description(String),
    Status,
    TaxClass,
    Stores,
    Categories,
    Attribute(String),
    /// `price.<currency>.gross` / `.net` of the row's SKU.
    PriceGross(String),
    PriceNet(String),
    /// `stock.<warehouse name>`; plain `stock` is the first active warehouse by name.
    Stock(Option<String>),
}

fn column(name: &str) -> Option<Column> {
    let name = name.trim();
    Some(match name {
        "abstract_sku" => Column::AbstractSku,
        "concrete_sku" => Column::ConcreteSku,
        "status" => Column::Status,
        "tax_class" => Column::TaxClass,
        "stores" => Column::Stores,
        "categories" => Column::Categories,
        "stock" => Column::Stock(None),
        _ => {
            if let Some(locale) = name.strip_prefix("name.") {
                Column::Name(locale.to_owned())
            } else if let Some(locale) = name.strip_prefix("description.") {
                Column::Description(locale.to_owned())
            } else if let Some(warehouse) = name.strip_prefix("stock.") {
                Column::Stock(Some(warehouse.to_owned()))
            } else if let Some(key) = name.strip_prefix("attr.") {
                Column::Attribute(key.to_owned())
            } else if let Some(rest) = name.strip_prefix("price.") {
                match rest.split_once('.') {
                    Some((currency, "gross")) => Column::PriceGross(currency.to_owned()),
                    Some((currency, "net")) => Column::PriceNet(currency.to_owned()),
                    _ => return None,
                }
            } else {
                return None;
            }
        }
    })
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Serialize)]
pub struct RowError {
    pub line: usize,
    pub reason: String,
}

impl Report {
    fn fail(&mut self, line: usize, reason: String) {
        self.failed += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(RowError { line, reason });
        }
    }
}

fn import_form(req: &Request) -> Reply {
    Ok(view_or_json(
        req,
        "products/import.html",
        "Import products",
        &serde_json::json!({ "report": null }),
    ))
}

/// The CSV text: a multipart file field `file`, a form field `csv`, or JSON `{"csv": "…"}`.
fn csv_text(req: &Request) -> Result<String, Failure> {
    let text = match &req.body {
        Some(body) => input::json_string(&input::json_object(body)?, "csv")?,
        None => req
            .form("file")
            .filter(|f| !f.trim().is_empty())
            .or_else(|| req.form("csv"))
            .map(str::to_owned),
    };
    text.filter(|t| !t.trim().is_empty())
        .ok_or_else(|| Failure::bad_request("send a CSV file (field file) or text (field csv)"))
}

fn import(req: &Request) -> Reply {
    let text = csv_text(req)?;
    let report = import_csv(&text)?;
    services::audit(
        "product.import",
        "products",
        &format!(
            "{} created, {} updated, {} unchanged, {} failed",
            report.created, report.updated, report.unchanged, report.failed
        ),
    );
    Ok(view_or_json(
        req,
        "products/import.html",
        "Import products",
        &serde_json::json!({ "report": report }),
    ))
}

/// Imports every good row of `text`; a file-level problem (no header, unknown column) is a
/// 422 before any row is looked at.
pub fn import_csv(text: &str) -> Result<Report, Failure> {
    let mut rows = Reader::new(text);
    let header = match rows.next() {
        Some(Ok(row)) => row,
        Some(Err(e)) => {
            return Err(Failure::unprocessable(format!(
                "line {}: {}",
                e.line, e.reason
            )));
        }
        None => return Err(Failure::unprocessable("the file is empty")),
    };
    let mut columns = Vec::new();
    for name in &header.fields {
        let c = column(name).ok_or_else(|| {
            Failure::unprocessable(format!("unknown column {:?} in the header", name.trim()))
        })?;
        if let Column::PriceGross(currency) | Column::PriceNet(currency) = &c {
            prices::check_currency(currency)?;
        }
        if columns.contains(&c) {
            return Err(Failure::unprocessable(format!(
                "column {:?} appears twice",
                name.trim()
            )));
        }
        columns.push(c);
    }
    if !columns.contains(&Column::AbstractSku) {
        return Err(Failure::unprocessable(
            "the header needs an abstract_sku column",
        ));
    }
    let mut importer = Importer::new()?;
    let mut report = Report::default();
    for row in rows {
        match row {
            Err(e) => {
                report.fail(e.line, e.reason);
                break;
            }
            Ok(row) => {
                let line = row.line;
                match importer.row(&columns, row) {
                    Ok(outcome) => match outcome {
                        Outcome::Created => report.created += 1,
                        Outcome::Updated => report.updated += 1,
                        Outcome::Unchanged => report.unchanged += 1,
                    },
                    Err(f) => report.fail(line, f.message),
                }
            }
        }
    }
    Ok(report)
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// Lookups an import repeats for every row, made once.
struct Importer {
    category_ids: BTreeMap<String, String>,
}

impl Importer {
    fn new() -> Result<Self, Failure> {
        let mut category_ids = BTreeMap::new();
        let mut after: Option<String> = None;
        loop {
            let mut query = categories().query().limit(1000);
            if let Some(cursor) = &after {
                query = query.after(cursor.as_str());
            }
            let page = query.fetch()?;
            for c in page.records {
                category_ids.insert(c.data.slug, c.id);
            }
            match page.next_cursor {
                Some(next) => after = Some(next),
                None => return Ok(Importer { category_ids }),
            }
        }
    }

    /// Validates the whole row, then writes it.
    fn row(&mut self, columns: &[Column], row: Row) -> Result<Outcome, Failure> {
        if row.fields.len() != columns.len() {
            return Err(Failure::unprocessable(format!(
                "{} fields where the header has {}",
                row.fields.len(),
                columns.len()
            )));
        }
        let mut product = Map::new();
        let mut variant = Map::new();
        let mut abstract_sku = String::new();
        let mut concrete_sku = String::new();
        let mut names = Map::new();
        let mut descriptions = Map::new();
        let mut attrs = Map::new();
        // currency → (gross, net) texts; warehouse (None: the default one) → quantity text.
        let mut price_cells: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut stock_cells: Vec<(Option<String>, String)> = Vec::new();
        for (c, value) in columns.iter().zip(row.fields) {
            let value = value.trim().to_owned();
            match c {
                Column::AbstractSku => abstract_sku = value,
                Column::ConcreteSku => concrete_sku = value,
                Column::Name(l) => {
                    names.insert(l.clone(), Value::String(value));
                }
                Column::Description(l) => {
                    descriptions.insert(l.clone(), Value::String(value));
                }
                Column::Status => set(&mut product, "status", value),
                Column::TaxClass => set(&mut product, "tax_class", value),
                Column::Stores => {
                    product.insert("stores".into(), list(&value));
                }
                Column::Categories => {
                    let mut ids = Vec::new();
                    for slug in list(&value).as_array().into_iter().flatten() {
                        let slug = slug.as_str().unwrap_or_default();
                        let id = self.category_ids.get(slug).ok_or_else(|| {
                            Failure::unprocessable(format!("category {slug} does not exist"))
                        })?;
                        ids.push(Value::String(id.clone()));
                    }
                    product.insert("category_ids".into(), Value::Array(ids));
                }
                Column::Attribute(key) => {
                    attrs.insert(key.clone(), Value::String(value));
                }
                Column::PriceGross(currency) => {
                    price_cells.entry(currency.clone()).or_default().0 = value;
                }
                Column::PriceNet(currency) => {
                    price_cells.entry(currency.clone()).or_default().1 = value;
                }
                Column::Stock(warehouse) => stock_cells.push((warehouse.clone(), value)),
            }
        }
        if abstract_sku.is_empty() {
            return Err(Failure::unprocessable("abstract_sku is required"));
        }
        let existing = products::by_sku(&abstract_sku)?;
        let is_variant_row = !concrete_sku.is_empty();
        // Texts of a variant row describe the abstract product only when it is new; its EUR
        // price then becomes the product's as well. Other prices belong to the row's own SKU.
        if !is_variant_row || existing.is_none() {
            if !names.is_empty() {
                product.insert("names".into(), Value::Object(names));
            }
            if !descriptions.is_empty() {
                product.insert("description".into(), Value::Object(descriptions));
            }
            // A variant row keeps its EUR cells for the variant's own price too, so that the
            // same row imported again finds that price unchanged.
            let default_price = if is_variant_row {
                price_cells.get(products::DEFAULT_CURRENCY).cloned()
            } else {
                price_cells.remove(products::DEFAULT_CURRENCY)
            };
            if let Some((g, n)) = default_price {
                if !g.is_empty() {
                    product.insert("price".into(), cents("price.EUR.gross", &g)?);
                }
                let net = if n.is_empty() {
                    Value::Null
                } else {
                    cents("price.EUR.net", &n)?
                };
                product.insert("price_net".into(), net);
            }
        }
        if is_variant_row {
            variant.insert("sku".into(), Value::String(concrete_sku.clone()));
            variant.insert("attributes".into(), Value::Object(attrs));
        } else {
            product.insert("attributes".into(), Value::Object(attrs));
        }
        product.insert("sku".into(), Value::String(abstract_sku.clone()));

        // Validate the product (and the variant) completely before writing either.
        let (id, mut data, version) = match &existing {
            Some(p) => (p.id.clone(), p.data.clone(), Some(p.version)),
            None => (new_id(&abstract_sku), ProductData::default(), None),
        };
        let before = data.clone();
        let input = ProductInput::from_object(&product)?;
        input.apply(version.map(|_| id.as_str()), &mut data)?;
        products::check_slug_free(&data.slug, &id)?;
        let product_changed = version.is_none() || !same(&before, &data);

        let mut variant_write: Option<(String, VariantData, Option<i64>)> = None;
        if is_variant_row {
            let current = variants::by_sku(&concrete_sku)?;
            if let Some(v) = &current
                && v.data.abstract_sku != abstract_sku
            {
                return Err(Failure::unprocessable(format!(
                    "variant {concrete_sku} belongs to product {}",
                    v.data.abstract_sku
                )));
            }
            let (vid, mut vdata, vversion) = match current {
                Some(v) => (v.id, v.data, Some(v.version)),
                None => (
                    new_id(&concrete_sku),
                    VariantData {
                        abstract_id: id.clone(),
                        abstract_sku: abstract_sku.clone(),
                        active: true,
                        ..VariantData::default()
                    },
                    None,
                ),
            };
            let vbefore = vdata.clone();
            VariantInput::from_json(&variant)?.apply(
                vversion.map(|_| vid.as_str()),
                &data.name,
                &mut vdata,
            )?;
            if vversion.is_none() || !same(&vbefore, &vdata) {
                variant_write = Some((vid, vdata, vversion));
            }
        }

        let row_sku = if is_variant_row {
            &concrete_sku
        } else {
            &abstract_sku
        };
        let price_writes = price_changes(row_sku, price_cells)?;
        let stock_writes = stock_changes(row_sku, stock_cells)?;

        // Write: the checks above leave only internal failures, which fail the whole import.
        if product_changed {
            match version {
                Some(v) => products().replace(&id, &data, v)?,
                None => products().put(&id, &data)?,
            };
            // Like the product form: the default price goes into `prices` too.
            skus::product_written(Some(&abstract_sku), &data)?;
        }
        let variant_changed = variant_write.is_some();
        if let Some((vid, vdata, vversion)) = variant_write {
            match vversion {
                Some(v) => variants().replace(&vid, &vdata, v)?,
                None => variants().put(&vid, &vdata)?,
            };
            products::reindex(&id)?;
        }
        let extra_changed = !price_writes.is_empty() || !stock_writes.is_empty();
        for (currency, spec) in price_writes {
            prices::set(row_sku, &currency, spec)?;
        }
        for (warehouse_id, quantity) in stock_writes {
            stock::set_quantity(row_sku, &warehouse_id, quantity)?;
        }
        let changed = product_changed || variant_changed || extra_changed;
        Ok(match (existing.is_none(), changed) {
            (true, _) => Outcome::Created,
            (false, true) => Outcome::Updated,
            (false, false) => Outcome::Unchanged,
        })
    }
}

/// The price records a row changes: per currency with a gross (or net) cell, the stored spec
/// (original price and volume tiers kept) with the new gross and net; unchanged ones left out.
fn price_changes(
    sku: &str,
    cells: BTreeMap<String, (String, String)>,
) -> Result<Vec<(String, PriceSpec)>, Failure> {
    let mut out = Vec::new();
    for (currency, (gross, net)) in cells {
        if gross.is_empty() && net.is_empty() {
            continue;
        }
        if gross.is_empty() {
            return Err(Failure::unprocessable(format!(
                "price.{currency}.gross is required with price.{currency}.net"
            )));
        }
        let stored = prices::get(sku, &currency)?.map(|r| r.data.spec);
        let mut spec = stored.clone().unwrap_or_default();
        spec.gross = cents_i64(&format!("price.{currency}.gross"), &gross)?;
        spec.net = if net.is_empty() {
            None
        } else {
            Some(cents_i64(&format!("price.{currency}.net"), &net)?)
        };
        spec.check()?;
        if stored.as_ref() != Some(&spec) {
            out.push((currency, spec));
        }
    }
    Ok(out)
}

/// The stock quantities a row changes: (warehouse id, quantity); empty cells are left alone.
fn stock_changes(
    sku: &str,
    cells: Vec<(Option<String>, String)>,
) -> Result<Vec<(String, i64)>, Failure> {
    let mut out = Vec::new();
    for (warehouse, text) in cells {
        if text.is_empty() {
            continue;
        }
        let column = match &warehouse {
            Some(name) => format!("stock.{name}"),
            None => "stock".to_owned(),
        };
        let quantity: i64 = text.parse().ok().filter(|q| *q >= 0).ok_or_else(|| {
            Failure::unprocessable(format!("{column} must be a whole number of at least 0"))
        })?;
        let warehouse = match warehouse {
            Some(name) => warehouses::resolve(&name)?,
            None => warehouses::all()?
                .into_iter()
                .find(|w| w.data.active)
                .ok_or_else(|| {
                    Failure::unprocessable("stock needs a warehouse: create one first")
                })?,
        };
        if stock::quantity_in(sku, &warehouse.id)? != Some(quantity) {
            out.push((warehouse.id, quantity));
        }
    }
    Ok(out)
}

/// A record id for an imported SKU: readable, and stable for the SKU (SKUs are unique).
fn new_id(sku: &str) -> String {
    format!("sku-{sku}")
}

/// True when two records differ at most in their `updated` time and derived search text.
fn same<T: Serialize>(a: &T, b: &T) -> bool {
    let strip = |v: &T| {
        let mut value = serde_json::to_value(v).unwrap_or(Value::Null);
        if let Some(o) = value.as_object_mut() {
            o.remove("updated");
        }
        value
    };
    strip(a) == strip(b)
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

fn cents(column: &str, text: &str) -> Result<Value, Failure> {
    cents_i64(column, text).map(Value::from)
}

fn cents_i64(column: &str, text: &str) -> Result<i64, Failure> {
    text.parse::<u32>().map(i64::from).map_err(|_| {
        Failure::unprocessable(format!(
            "{column} must be a non-negative integer number of cents"
        ))
    })
}

// ---- export ----

/// Every product as CSV, one row per sellable SKU, in the columns the import reads (so an
/// exported file imports back unchanged). Read in pages of 500 products.
fn export(_req: &Request) -> Reply {
    let attribute_keys: Vec<String> = crate::attributes::all()?
        .into_iter()
        .map(|a| a.data.key)
        .collect();
    let slugs: BTreeMap<String, String> = Importer::new()?
        .category_ids
        .into_iter()
        .map(|(slug, id)| (id, slug))
        .collect();
    let mut header: Vec<String> = vec!["abstract_sku".into(), "concrete_sku".into()];
    header.extend(FORM_LOCALES.iter().map(|l| format!("name.{l}")));
    header.extend(FORM_LOCALES.iter().map(|l| format!("description.{l}")));
    header.extend(["status", "tax_class", "stores", "categories"].map(String::from));
    for currency in prices::CURRENCIES {
        header.push(format!("price.{currency}.gross"));
        header.push(format!("price.{currency}.net"));
    }
    let all_warehouses = warehouses::all()?;
    header.extend(
        all_warehouses
            .iter()
            .map(|w| format!("stock.{}", w.data.name)),
    );
    header.extend(attribute_keys.iter().map(|k| format!("attr.{k}")));
    let mut out = String::new();
    csv::write_row(&mut out, &header);
    let mut after: Option<String> = None;
    loop {
        let mut query = products().query().sort("sku").limit(500);
        if let Some(cursor) = &after {
            query = query.after(cursor.as_str());
        }
        let page = query.fetch()?;
        for p in &page.records {
            let d = &p.data;
            let mut base: Vec<String> = vec![d.sku.clone(), String::new()];
            base.extend(
                FORM_LOCALES
                    .iter()
                    .map(|l| d.names.get(*l).cloned().unwrap_or_default()),
            );
            base.extend(
                FORM_LOCALES
                    .iter()
                    .map(|l| d.description.get(*l).cloned().unwrap_or_default()),
            );
            base.extend([
                d.status.clone(),
                d.tax_class.clone(),
                d.stores.join(";"),
                d.category_ids
                    .iter()
                    .filter_map(|id| slugs.get(id).cloned())
                    .collect::<Vec<_>>()
                    .join(";"),
            ]);
            let mut row = base.clone();
            row.extend(sku_cells(&d.sku, &all_warehouses)?);
            row.extend(
                attribute_keys
                    .iter()
                    .map(|k| attribute_text(d.attributes.get(k))),
            );
            csv::write_row(&mut out, &row);
            for v in variants::of_product(&p.id)? {
                let mut row = base.clone();
                row[1] = v.data.sku.clone();
                row.extend(sku_cells(&v.data.sku, &all_warehouses)?);
                row.extend(
                    attribute_keys
                        .iter()
                        .map(|k| attribute_text(v.data.attributes.get(k))),
                );
                csv::write_row(&mut out, &row);
            }
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(download(
        "products.csv",
        "text/csv; charset=utf-8",
        out.into_bytes(),
    ))
}

/// The price cells (every currency, gross then net) and stock cells (every warehouse) of `sku`.
fn sku_cells(sku: &str, all_warehouses: &[warehouses::Warehouse]) -> Result<Vec<String>, Failure> {
    let mut cells = Vec::new();
    for currency in prices::CURRENCIES {
        let spec = prices::get(sku, currency)?.map(|r| r.data.spec);
        cells.push(
            spec.as_ref()
                .map(|s| s.gross.to_string())
                .unwrap_or_default(),
        );
        cells.push(
            spec.and_then(|s| s.net)
                .map(|n| n.to_string())
                .unwrap_or_default(),
        );
    }
    for w in all_warehouses {
        let quantity = stock::quantity_in(sku, &w.id)?;
        cells.push(quantity.map(|q| q.to_string()).unwrap_or_default());
    }
    Ok(cells)
}

fn attribute_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}
