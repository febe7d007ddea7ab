//! Stock per SKU and warehouse (`stock`), and each SKU's availability (shared `availability`,
//! see the cross-section contract): quantity summed over active warehouses, minus what open
//! orders reserved (see `reservations`), never below 0; plus the never-out-of-stock flag, which
//! lives on the availability record. Every stock write and reservation change goes through
//! [`update_availability`], in the caller's transaction.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::input::{self, Fields};
use crate::skus;
use crate::warehouses::{self, WarehouseData};

/// The name of the low-stock dashboard widget.
pub const LOW_STOCK_WIDGET: &str = "low-stock";

/// The low-stock threshold when the plugin setting `low_stock_threshold` is not set.
pub const DEFAULT_LOW_STOCK: i64 = 5;
/// Rows the low-stock widget shows.
const WIDGET_ROWS: u32 = 10;

/// A record of `stock`: id `<sku>~<warehouse_id>`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StockData {
    pub sku: String,
    pub warehouse_id: String,
    pub quantity: i64,
}

/// A record of `availability`: id = the sellable SKU.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AvailabilityData {
    pub sku: String,
    /// Sum over active warehouses.
    pub quantity: i64,
    /// Reserved by open order items.
    pub reserved: i64,
    /// `max(quantity - reserved, 0)`.
    pub available: i64,
    pub never_out_of_stock: bool,
}

pub fn stock() -> Collection<StockData> {
    Collection::new("stock")
}

pub fn availability() -> Collection<AvailabilityData> {
    Collection::new("availability")
}

pub fn collections() -> [CollectionDef; 2] {
    [
        CollectionDef::new("stock")
            .field(Field::text("sku").indexed())
            .field(Field::text("warehouse_id").indexed())
            .field(Field::integer("quantity")),
        CollectionDef::new("availability")
            .field(Field::text("sku").unique())
            .field(Field::integer("available").indexed())
            .field(Field::boolean("never_out_of_stock"))
            .shared(),
    ]
}

pub fn routes(router: Router) -> Router {
    router
        .get("stock", "edit", edit_form)
        .post("stock", "edit", update)
        .get("availability", "index", index)
}

pub fn stock_id(sku: &str, warehouse_id: &str) -> String {
    format!("{sku}~{warehouse_id}")
}

fn quantity_error() -> Failure {
    Failure::unprocessable("quantity must be a non-negative integer")
}

// ---- the pub API ----

/// Sets the quantity of `sku` in `warehouse` (its id or its name) and recomputes the SKU's
/// availability. 422 for a negative quantity or an unknown warehouse, 404 for an unknown SKU.
pub fn set_quantity(
    sku: &str,
    warehouse: &str,
    quantity: i64,
) -> Result<AvailabilityData, Failure> {
    skus::require(sku)?;
    if quantity < 0 {
        return Err(quantity_error());
    }
    let warehouse_id = warehouses::resolve(warehouse)?.id;
    let data = StockData {
        sku: sku.to_owned(),
        warehouse_id: warehouse_id.clone(),
        quantity,
    };
    stock().put(&stock_id(sku, &warehouse_id), &data)?;
    update_availability(sku, |_| {})
}

/// Sets whether `sku` is never out of stock (sold regardless of quantity).
pub fn set_never_out_of_stock(sku: &str, flag: bool) -> Result<AvailabilityData, Failure> {
    skus::require(sku)?;
    update_availability(sku, |a| a.never_out_of_stock = flag)
}

/// The availability of a sellable SKU: a zero record when it was never stocked.
pub fn availability_of(sku: &str) -> Result<AvailabilityData, Failure> {
    Ok(availability()
        .find(sku)?
        .map(|r| r.data)
        .unwrap_or_else(|| AvailabilityData {
            sku: sku.to_owned(),
            ..AvailabilityData::default()
        }))
}

/// True when `sku` has an availability record (stock, reservations or the flag were set).
pub fn is_stocked(sku: &str) -> Result<bool, Failure> {
    Ok(availability().find(sku)?.is_some())
}

/// Applies `change` to `sku`'s availability record (the flag, the reserved count), recomputes
/// quantity and available from the stock of active warehouses, and writes the record if it
/// changed (with its version, so a concurrent writer makes this call fail rather than be lost).
pub fn update_availability(
    sku: &str,
    change: impl FnOnce(&mut AvailabilityData),
) -> Result<AvailabilityData, Failure> {
    let current = availability().find(sku)?;
    let mut data = current
        .as_ref()
        .map(|r| r.data.clone())
        .unwrap_or_else(|| AvailabilityData {
            sku: sku.to_owned(),
            ..AvailabilityData::default()
        });
    change(&mut data);
    let data = recompute(&data, stocked_quantity(sku)?);
    match current {
        Some(record) if record.data == data => {}
        Some(record) => {
            availability().replace(sku, &data, record.version)?;
        }
        None => {
            availability().put(sku, &data)?;
        }
    }
    Ok(data)
}

/// `current` with the stocked `quantity` (summed over active warehouses) and what follows from
/// it: available = quantity − reserved, neither below 0.
pub fn recompute(current: &AvailabilityData, quantity: i64) -> AvailabilityData {
    let reserved = current.reserved.max(0);
    AvailabilityData {
        quantity,
        reserved,
        available: (quantity - reserved).max(0),
        ..current.clone()
    }
}

/// Recomputes every SKU stocked in warehouse `id` (after it was (de)activated), first deleting
/// its stock records when `delete_stock` (the warehouse is gone). Returns how many SKUs.
pub fn refresh_warehouse(id: &str, delete_stock: bool) -> Result<u64, Failure> {
    let mut skus = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut query = stock().query().eq("warehouse_id", id).limit(1000);
        if let Some(cursor) = &after {
            query = query.after(cursor.as_str());
        }
        let page = query.fetch()?;
        for record in page.records {
            skus.push(record.data.sku);
            if delete_stock {
                stock().delete(&record.id)?;
            }
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    for sku in &skus {
        update_availability(sku, |_| {})?;
    }
    Ok(skus.len() as u64)
}

/// The quantity of `sku` recorded in warehouse `warehouse_id`, if any.
pub fn quantity_in(sku: &str, warehouse_id: &str) -> Result<Option<i64>, Failure> {
    Ok(stock()
        .find(&stock_id(sku, warehouse_id))?
        .map(|r| r.data.quantity))
}

/// `sku`'s stock records (one per warehouse that ever stocked it).
fn stock_of(sku: &str) -> Result<Vec<Record<StockData>>, Failure> {
    Ok(stock().query().eq("sku", sku).limit(1000).fetch()?.records)
}

/// The quantity of `sku` over active warehouses.
fn stocked_quantity(sku: &str) -> Result<i64, Failure> {
    let active: Vec<String> = warehouses::warehouses()
        .query()
        .eq("active", true)
        .limit(1000)
        .fetch()?
        .records
        .into_iter()
        .map(|w| w.id)
        .collect();
    Ok(stock_of(sku)?
        .iter()
        .filter(|s| active.contains(&s.data.warehouse_id))
        .map(|s| s.data.quantity)
        .sum())
}

/// The low-stock threshold: the plugin setting `low_stock_threshold`, else 5.
pub fn low_stock_threshold() -> i64 {
    services::setting::<i64>("low_stock_threshold")
        .ok()
        .flatten()
        .unwrap_or(DEFAULT_LOW_STOCK)
}

// ---- the stock page of a SKU ----

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
    let stock: BTreeMap<String, i64> = stock_of(sku)?
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
        availability: availability_of(sku)?,
    })
}

fn edit_form(req: &Request) -> Reply {
    let ctx = stock_context(&skus::param(req)?)?;
    let title = format!("Stock of {}", ctx.sku);
    Ok(view_or_json(req, "stock/edit.html", &title, &ctx))
}

/// JSON `{"sku", "quantities": {warehouse: n}, "never_out_of_stock"?}` (a warehouse by id or
/// name): warehouses not listed keep their quantity. Form: `quantity.<warehouse_id>` fields (blank: not stocked
/// there) and the `never_out_of_stock` checkbox.
fn quantities(fields: &Fields) -> Result<Vec<(String, i64)>, Failure> {
    match fields {
        Fields::Json(object) => match object.get("quantities") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(warehouse, n)| {
                    let n = n.as_i64().ok_or_else(quantity_error)?;
                    Ok((warehouse.clone(), n))
                })
                .collect(),
            Some(_) => Err(Failure::unprocessable(
                "quantities must be an object of warehouse id to quantity",
            )),
        },
        Fields::Form(req) => {
            let mut out = Vec::new();
            for pair in &req.form {
                let Some(warehouse) = pair.name.strip_prefix("quantity.") else {
                    continue;
                };
                let text = pair.value.trim();
                if text.is_empty() {
                    continue;
                }
                let n = text.parse().map_err(|_| quantity_error())?;
                out.push((warehouse.to_owned(), n));
            }
            Ok(out)
        }
    }
}

fn update(req: &Request) -> Reply {
    let sku = skus::param(req)?;
    let fields = Fields::of(req)?;
    skus::require(&sku)?;
    let quantities = quantities(&fields)?;
    for (warehouse, quantity) in &quantities {
        set_quantity(&sku, warehouse, *quantity)?;
    }
    if let Some(flag) = fields.flag("never_out_of_stock")? {
        set_never_out_of_stock(&sku, flag)?;
    }
    services::audit("stock.edit", &sku, &format!("{quantities:?}"));
    Ok(if req.wants_json {
        json(&stock_context(&sku)?)
    } else {
        redirect(format!(
            "/admin/catalog/stock/edit?sku={}",
            input::encode_component(&sku)
        ))
        .flash("Stock saved")
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
        None => low_stock_threshold(),
        Some(text) => text
            .parse()
            .map_err(|_| Failure::bad_request("threshold must be an integer"))?,
    };
    let limit = input::limit(req)?;
    let mut query = availability().query().limit(limit).count_total();
    if low {
        query = low_stock(query, threshold);
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

fn low_stock(
    query: backoffice_sdk::storage::Query<AvailabilityData>,
    threshold: i64,
) -> backoffice_sdk::storage::Query<AvailabilityData> {
    query
        .filter("available", Op::Lte, threshold)
        .eq("never_out_of_stock", false)
        .sort("available")
        .sort("sku")
}

#[derive(Debug, Serialize)]
struct WidgetContext {
    items: Vec<AvailabilityData>,
    threshold: i64,
    total: Option<u64>,
}

/// The dashboard widget `low-stock`: the SKUs with the least available at or under the
/// threshold.
pub fn low_stock_widget() -> Result<View, String> {
    let threshold = low_stock_threshold();
    let page = low_stock(availability().query(), threshold)
        .limit(WIDGET_ROWS)
        .count_total()
        .fetch()
        .map_err(|e| format!("{e:?}"))?;
    let ctx = WidgetContext {
        items: page.records.into_iter().map(|r| r.data).collect(),
        threshold,
        total: page.total,
    };
    Ok(View {
        template: "widgets/low_stock.html".into(),
        title: "Low stock".into(),
        context: serde_json::to_string(&ctx).map_err(|e| e.to_string())?,
    })
}
