//! Stock per SKU and warehouse (`stock`), and each SKU's availability (shared `availability`,
//! see the cross-section contract): quantity summed over active warehouses, minus what open
//! orders reserved (see `reservations`), never below 0; plus the never-out-of-stock flag, which
//! lives on the availability record. Every stock write and reservation change goes through
//! [`update_availability`], in the caller's transaction.

use backoffice_sdk::prelude::*;
use backoffice_sdk::storage::Query;
use serde::{Deserialize, Serialize};

use super::skus;
use super::warehouses::{self, warehouses};

/// The low-stock threshold when the plugin setting `low_stock_threshold` is not set.
pub const DEFAULT_LOW_STOCK: i64 = 5;

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

pub fn stock_id(sku: &str, warehouse_id: &str) -> String {
    format!("{sku}~{warehouse_id}")
}

/// 422 `quantity must be a non-negative integer`.
pub fn quantity_error() -> Failure {
    Failure::unprocessable("quantity must be a non-negative integer")
}

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
pub fn stock_of(sku: &str) -> Result<Vec<Record<StockData>>, Failure> {
    Ok(stock().query().eq("sku", sku).limit(1000).fetch()?.records)
}

/// The quantity of `sku` over active warehouses.
fn stocked_quantity(sku: &str) -> Result<i64, Failure> {
    let active: Vec<String> = warehouses()
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

/// The SKUs at or under `threshold` available, fewest first (never-out-of-stock ones never
/// run low): the availability list's `low` filter and the low-stock widget.
pub fn low_stock(query: Query<AvailabilityData>, threshold: i64) -> Query<AvailabilityData> {
    query
        .filter("available", Op::Lte, threshold)
        .eq("never_out_of_stock", false)
        .sort("available")
        .sort("sku")
}
