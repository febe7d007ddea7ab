//! The product transfer pages: the CSV import (form and action; the rows are imported by
//! [`crate::import`]) and the CSV export, whose file the import reads back unchanged.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use backoffice_sdk::response::download;
use serde_json::Value;

use crate::csv;
use crate::import::{self, Setup};
use crate::input::{self, FORM_LOCALES};
use crate::prices;
use crate::products::products;
use crate::variants;
use crate::{stock, warehouses};

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

// ---- export ----

/// Every product as CSV, one row per sellable SKU, in the columns the import reads (so an
/// exported file imports back unchanged). Read in pages of 500 products.
fn export(_req: &Request) -> Reply {
    let attribute_keys: Vec<String> = crate::attributes::all()?
        .into_iter()
        .map(|a| a.data.key)
        .collect();
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
    for currency in prices::CURRENCIES {
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
