//! CSV import of products with their variants, prices and stock.
//!
//! One row per sellable SKU: a product row (`concrete_sku` empty) or a variant row of the
//! product `abstract_sku`. Each row is validated as a whole with the same rules as the forms
//! *before* anything of it is written, so a bad row is reported (line + reason) and leaves
//! nothing behind while good rows are imported. Rows are matched by SKU, so importing the same
//! file again changes nothing, and an exported file (whose texts the export guarded against
//! spreadsheet formulas, see `backoffice_sdk::csv`) imports back as it was.
//!
//! Why it works in chunks: a row needs a dozen records (product, variant, prices, stock,
//! availability, their siblings), and asking storage for each one per row made an import of
//! 100,000 rows take tens of minutes. A [`Chunk`] of up to [`CHUNK_ROWS`] rows loads all the
//! records its rows touch with one query per collection, applies the rows in file order to
//! those records in memory (a later row sees what an earlier one did), and writes the changed
//! records back with one batch write per collection.

mod cells;
mod chunk;

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::Serialize;

use backoffice_sdk::csv::{Reader, Row};

use super::categories::categories;
use super::prices;
use super::warehouses::{self, Warehouse};
use cells::Cells;
use chunk::Chunk;

/// Rows reported as errors at most; further bad rows are only counted.
pub const MAX_REPORTED_ERRORS: usize = 1000;
/// Rows loaded, applied and written together.
pub const CHUNK_ROWS: usize = 500;
/// Values per `in_list` query (the host's page limit bounds what one answer holds).
const KEYS_PER_QUERY: usize = 200;

/// What one column of the file means.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
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
    let columns = header_columns(&header)?;
    let setup = Setup::load()?;
    let mut report = Report::default();
    let mut broken = false;
    while !broken {
        let mut cells = Vec::with_capacity(CHUNK_ROWS);
        for row in rows.by_ref() {
            match row {
                Err(e) => {
                    report.fail(e.line, e.reason);
                    broken = true;
                    break;
                }
                Ok(row) => {
                    let line = row.line;
                    match Cells::parse(&columns, row, &setup) {
                        Ok(c) => cells.push(c),
                        Err(f) => report.fail(line, f.message),
                    }
                }
            }
            if cells.len() == CHUNK_ROWS {
                break;
            }
        }
        if cells.is_empty() {
            break;
        }
        let mut chunk = Chunk::load(&cells, &setup)?;
        for row in cells {
            let line = row.line;
            match chunk.apply(row) {
                Ok(Outcome::Created) => report.created += 1,
                Ok(Outcome::Updated) => report.updated += 1,
                Ok(Outcome::Unchanged) => report.unchanged += 1,
                Err(f) => report.fail(line, f.message),
            }
        }
        chunk.write()?;
    }
    // Rows that failed on their own cells were reported before those of their chunk that
    // failed against other records: report them in file order.
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

fn header_columns(header: &Row) -> Result<Vec<Column>, Failure> {
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
    Ok(columns)
}

pub(super) enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// What an import reads once: categories and warehouses.
pub struct Setup {
    /// Category slug → id.
    pub category_ids: BTreeMap<String, String>,
    /// Every warehouse, by name.
    pub warehouses: Vec<Warehouse>,
}

impl Setup {
    pub fn load() -> Result<Setup, Failure> {
        let category_ids = categories()
            .query()
            .fetch_all()?
            .into_iter()
            .map(|c| (c.data.slug, c.id))
            .collect();
        Ok(Setup {
            category_ids,
            warehouses: warehouses::all()?,
        })
    }

    /// The warehouse a stock column names (by name or id), or for plain `stock` the first
    /// active one by name.
    pub(super) fn warehouse(&self, name: Option<&str>) -> Result<&Warehouse, Failure> {
        match name {
            Some(key) => self
                .warehouses
                .iter()
                .find(|w| w.id == key)
                .or_else(|| self.warehouses.iter().find(|w| w.data.name == key))
                .ok_or_else(|| Failure::unprocessable(format!("warehouse {key} does not exist"))),
            None => self
                .warehouses
                .iter()
                .find(|w| w.data.active)
                .ok_or_else(|| Failure::unprocessable("stock needs a warehouse: create one first")),
        }
    }
}
