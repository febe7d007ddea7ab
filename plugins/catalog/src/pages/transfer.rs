//! The product transfer pages: the CSV import (form and action; the rows are imported by
//! `model::import`) and the CSV export, whose file the import reads back unchanged.
//!
//! The export writes every text a user typed (SKUs, names, descriptions, category slugs, text
//! attribute values) as a text cell, which the SDK's CSV writer guards against spreadsheet
//! formulas (`=HYPERLINK(…)` in a name becomes `'=HYPERLINK(…)`, which the import reads back
//! without the `'`); prices, stock quantities and number attribute values are numbers the
//! catalog holds as numbers, written as they are.

use std::collections::BTreeMap;

use backoffice_sdk::csv::{Cell, Writer};
use backoffice_sdk::prelude::*;
use serde_json::Value;

use crate::model::attributes;
use crate::model::import::{self, Setup};
use crate::model::prices;
use crate::model::products::products;
use crate::model::shop;
use crate::model::stock;
use crate::model::values::FORM_LOCALES;
use crate::model::variants;
use crate::model::warehouses::Warehouse;

pub fn routes(router: Router) -> Router {
    router
        .get("products", "import", import_form)
        .post("products", "import", import)
        .get("products", "export", export)
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
        Some(_) => match Fields::from_request(req)?.value("csv") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => return Err(Failure::unprocessable("csv must be a string")),
        },
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
    let report = import::import_csv(&text)?;
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

/// Every product as CSV, one row per sellable SKU, in the columns the import reads (so an
/// exported file imports back unchanged). Read in pages of 500 products.
fn export(_req: &Request) -> Reply {
    let attribute_keys: Vec<String> = attributes::all()?.into_iter().map(|a| a.data.key).collect();
    let setup = Setup::load()?;
    let slugs: BTreeMap<String, String> = setup
        .category_ids
        .into_iter()
        .map(|(slug, id)| (id, slug))
        .collect();
    let mut header: Vec<String> = vec!["abstract_sku".into(), "concrete_sku".into()];
    header.extend(FORM_LOCALES.iter().map(|l| format!("name.{l}")));
    header.extend(FORM_LOCALES.iter().map(|l| format!("description.{l}")));
    header.extend(["status", "tax_class", "stores", "categories"].map(String::from));
    for currency in shop::currencies() {
        header.push(format!("price.{currency}.gross"));
        header.push(format!("price.{currency}.net"));
    }
    let all_warehouses = setup.warehouses;
    header.extend(
        all_warehouses
            .iter()
            .map(|w| format!("stock.{}", w.data.name)),
    );
    header.extend(attribute_keys.iter().map(|k| format!("attr.{k}")));
    let mut out = Writer::new();
    out.row(header);
    let mut after: Option<String> = None;
    loop {
        let mut query = products().query().sort("sku").limit(500);
        if let Some(cursor) = &after {
            query = query.after(cursor.as_str());
        }
        let page = query.fetch()?;
        for p in &page.records {
            let d = &p.data;
            let mut base: Vec<Cell> = vec![Cell::from(&d.sku), Cell::from("")];
            base.extend(FORM_LOCALES.iter().map(|l| Cell::from(d.names.get(*l))));
            base.extend(
                FORM_LOCALES
                    .iter()
                    .map(|l| Cell::from(d.description.get(*l))),
            );
            let categories: Vec<&str> = d
                .category_ids
                .iter()
                .filter_map(|id| slugs.get(id).map(String::as_str))
                .collect();
            base.extend([
                Cell::from(&d.status),
                Cell::from(&d.tax_class),
                Cell::from(d.stores.join(";")),
                Cell::from(categories.join(";")),
            ]);
            let mut row = base.clone();
            row.extend(sku_cells(&d.sku, &all_warehouses)?);
            row.extend(
                attribute_keys
                    .iter()
                    .map(|k| attribute_cell(d.attributes.get(k))),
            );
            out.row(row);
            for v in variants::of_product(&p.id)? {
                let mut row = base.clone();
                row[1] = Cell::from(&v.data.sku);
                row.extend(sku_cells(&v.data.sku, &all_warehouses)?);
                row.extend(
                    attribute_keys
                        .iter()
                        .map(|k| attribute_cell(v.data.attributes.get(k))),
                );
                out.row(row);
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
fn sku_cells(sku: &str, all_warehouses: &[Warehouse]) -> Result<Vec<Cell>, Failure> {
    let mut cells = Vec::new();
    for currency in shop::currencies() {
        let spec = prices::get(sku, currency)?.map(|r| r.data.spec);
        cells.push(Cell::from(spec.as_ref().map(|s| s.gross)));
        cells.push(Cell::from(spec.and_then(|s| s.net)));
    }
    for w in all_warehouses {
        cells.push(Cell::from(stock::quantity_in(sku, &w.id)?));
    }
    Ok(cells)
}

/// An attribute value: a number attribute's value is a number cell; anything else is text.
fn attribute_cell(value: Option<&Value>) -> Cell {
    match value {
        Some(Value::Number(n)) => Cell::Number(n.clone()),
        Some(Value::String(s)) => Cell::from(s),
        Some(Value::Null) | None => Cell::from(""),
        Some(other) => Cell::from(other.to_string()),
    }
}
