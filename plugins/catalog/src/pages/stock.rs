//! The stock page of a SKU (quantity per warehouse, never-out-of-stock) and the availability
//! list (filter by SKU prefix, low stock).

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::model::skus;
use crate::model::stock::{self, AvailabilityData, availability};
use crate::model::warehouses::{self, WarehouseData};

pub fn routes(router: Router) -> Router {
    router
        .get("stock", "edit", edit_form)
        .post("stock", "edit", update)
        .get("availability", "index", index)
}

#[derive(Debug, Serialize)]
struct WarehouseStock {
    id: String,
    #[serde(flatten)]
    warehouse: WarehouseData,
    /// `None` when the warehouse has no record for the SKU.
    quantity: Option<i64>,
}

#[derive(Debug, Serialize)]
struct StockContext {
    sku: String,
    product_id: String,
    product_name: String,
    warehouses: Vec<WarehouseStock>,
    availability: AvailabilityData,
}

fn stock_context(sku: &str) -> Result<StockContext, Failure> {
    let info = skus::require(sku)?;
    let stock: BTreeMap<String, i64> = stock::stock_of(sku)?
        .into_iter()
        .map(|s| (s.data.warehouse_id, s.data.quantity))
        .collect();
    let warehouses = warehouses::all()?
        .into_iter()
        .map(|w| WarehouseStock {
            quantity: stock.get(&w.id).copied(),
            id: w.id,
            warehouse: w.data,
        })
        .collect();
    Ok(StockContext {
        sku: info.sku,
        product_id: info.product.id,
        product_name: info.product.data.name,
        warehouses,
        availability: stock::availability_of(sku)?,
    })
}

fn edit_form(req: &Request) -> Reply {
    let ctx = stock_context(&input::required(req, "sku")?)?;
    let title = format!("Stock of {}", ctx.sku);
    Ok(view_or_json(req, "stock/edit.html", &title, &ctx))
}

/// JSON `{"sku", "quantities": {warehouse: n}, "never_out_of_stock"?}` (a warehouse by id or
/// name): warehouses not listed keep their quantity. Form: `quantity.<warehouse_id>` fields (blank: not stocked
/// there) and the `never_out_of_stock` checkbox.
fn quantities(fields: &Fields) -> Result<Vec<(String, i64)>, Failure> {
    if fields.is_form() {
        let mut out = Vec::new();
        for (warehouse, text) in fields.prefixed("quantity.") {
            let text = text.as_str().unwrap_or_default().trim();
            if !text.is_empty() {
                let n = text.parse().map_err(|_| stock::quantity_error())?;
                out.push((warehouse.to_owned(), n));
            }
        }
        return Ok(out);
    }
    match fields.value("quantities") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(warehouse, n)| {
                let n = n.as_i64().ok_or_else(stock::quantity_error)?;
                Ok((warehouse.clone(), n))
            })
            .collect(),
        Some(_) => Err(Failure::unprocessable(
            "quantities must be an object of warehouse id to quantity",
        )),
    }
}

fn update(req: &Request) -> Reply {
    let sku = input::required(req, "sku")?;
    let fields = Fields::from_request(req)?;
    skus::require(&sku)?;
    let quantities = quantities(&fields)?;
    let mut errors = Errors::new();
    let never_out_of_stock = fields.checkbox("never_out_of_stock", &mut errors);
    errors.finish()?;
    for (warehouse, quantity) in &quantities {
        stock::set_quantity(&sku, warehouse, *quantity)?;
    }
    if let Some(flag) = never_out_of_stock {
        stock::set_never_out_of_stock(&sku, flag)?;
    }
    services::audit("stock.edit", &sku, &format!("{quantities:?}"));
    Ok(if req.wants_json {
        json(&stock_context(&sku)?)
    } else {
        redirect(url::with_param("/admin/catalog/stock/edit", "sku", &sku)).flash("Stock saved")
    })
}

// ---- the availability list ----

#[derive(Debug, Serialize)]
struct IndexContext {
    availability: Vec<AvailabilityData>,
    q: Option<String>,
    low: bool,
    threshold: i64,
    limit: u32,
    next: Option<String>,
    total: Option<u64>,
}

/// Query: `q` (SKU prefix), `low` (`on`/`true`/`1`: only SKUs at or under the threshold,
/// never-out-of-stock ones excluded; sorted by available), `threshold` (default the setting),
/// `limit`, `after`.
fn index(req: &Request) -> Reply {
    let q = input::query(req, "q").map(str::to_owned);
    let low = matches!(input::query(req, "low"), Some("on" | "true" | "1"));
    let threshold = match input::query(req, "threshold") {
        None => stock::low_stock_threshold(),
        Some(text) => text
            .parse()
            .map_err(|_| Failure::bad_request("threshold must be an integer"))?,
    };
    let limit = input::limit(req)?;
    let mut query = availability().query().limit(limit).count_total();
    if low {
        query = stock::low_stock(query, threshold);
    } else {
        query = query.sort("sku");
    }
    if let Some(q) = &q {
        query = query.filter("sku", Op::Prefix, q.as_str());
    }
    if let Some(after) = input::query(req, "after") {
        query = query.after(after);
    }
    let page = query.fetch()?;
    let ctx = IndexContext {
        availability: page.records.into_iter().map(|r| r.data).collect(),
        q,
        low,
        threshold,
        limit,
        next: page.next_cursor,
        total: page.total,
    };
    Ok(view_or_json(
        req,
        "availability/index.html",
        "Availability",
        &ctx,
    ))
}
