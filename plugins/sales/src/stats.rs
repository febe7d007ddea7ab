//! Counters kept in the same transaction as the orders they count, so the order matrix and the
//! dashboard read a few dozen small records instead of scanning orders:
//! - `matrix`: orders per process × summary state, one record per placement day (`day` ≥ 1) and
//!   one running total per process × state (`day` = 0). "Older than a week" is the total minus
//!   the last seven days, so old day records are never read.
//! - `daily`: orders and gross revenue per placement day.
//! - `top_products`: units sold per SKU.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::counters;
use crate::model::OrderData;
use backoffice_sdk::dates::day_of;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MatrixCell {
    pub process: String,
    pub state: String,
    /// Placement day number, or 0 for the running total.
    pub day: i64,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Daily {
    pub day: i64,
    pub orders: i64,
    pub revenue: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TopProduct {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
}

pub fn matrix() -> Collection<MatrixCell> {
    Collection::new("matrix")
}
pub fn daily() -> Collection<Daily> {
    Collection::new("daily")
}
pub fn top_products() -> Collection<TopProduct> {
    Collection::new("top_products")
}

pub fn collections() -> [CollectionDef; 3] {
    [
        CollectionDef::new("matrix").field(Field::integer("day").indexed()),
        CollectionDef::new("daily").field(Field::integer("day").indexed()),
        CollectionDef::new("top_products").field(Field::integer("quantity").indexed()),
    ]
}

fn bump_matrix(process: &str, state: &str, day: i64, delta: i64) -> Result<(), Failure> {
    for d in [day, 0] {
        let id = format!("{process}~{state}~{d}");
        let fresh = || MatrixCell {
            process: process.to_owned(),
            state: state.to_owned(),
            day: d,
            count: 0,
        };
        counters::update(&matrix(), &id, fresh, |c| {
            c.count += delta;
            Ok(())
        })?;
    }
    Ok(())
}

/// Counts a newly placed order (already in its first summary state).
pub fn placed(order: &OrderData) -> Result<(), Failure> {
    let day = day_of(order.created);
    bump_matrix(&order.process, &order.state, day, 1)?;
    let fresh = || Daily {
        day,
        ..Daily::default()
    };
    counters::update(&daily(), &day.to_string(), fresh, |d| {
        d.orders += 1;
        d.revenue += order.grand_total;
        Ok(())
    })?;
    for item in &order.items {
        let fresh = || TopProduct {
            sku: item.sku.clone(),
            name: item.name.clone(),
            quantity: 0,
        };
        counters::update(&top_products(), &item.sku, fresh, |p| {
            p.quantity += item.quantity;
            Ok(())
        })?;
    }
    Ok(())
}

/// Moves an order between summary states in the matrix.
pub fn state_changed(order: &OrderData, from: &str) -> Result<(), Failure> {
    if from == order.state {
        return Ok(());
    }
    let day = day_of(order.created);
    bump_matrix(&order.process, from, day, -1)?;
    bump_matrix(&order.process, &order.state, day, 1)
}
