//! The sell-once rule (CONTRACT): catalog's availability follows sales' events, so it lags. At
//! checkout sales decides on its own, inside the order's transaction: a SKU can be sold while
//! `catalog quantity − sales' own held quantity` covers it (unless never out of stock). The held
//! quantity is the `holds` record of the SKU, written with an optimistic version check in the
//! same transaction as the order, so two checkouts of the last unit cannot both commit.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::counters;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Hold {
    pub sku: String,
    /// Units of items in reserved states.
    pub quantity: i64,
}

pub fn holds() -> Collection<Hold> {
    Collection::new("holds")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("holds").field(Field::integer("quantity").indexed())
}

/// Units of `sku` sales still holds.
pub fn held(sku: &str) -> Result<i64, Failure> {
    Ok(holds().find(sku)?.map_or(0, |h| h.data.quantity))
}

/// Holds `quantity` of `sku`, refusing (409) when `stock` (catalog's quantity; `None` = never out
/// of stock) does not cover it on top of what is already held.
pub fn hold(sku: &str, quantity: i64, stock: Option<i64>) -> Result<(), Failure> {
    let fresh = || Hold {
        sku: sku.to_owned(),
        quantity: 0,
    };
    counters::update(&holds(), sku, fresh, |h| {
        if let Some(stock) = stock
            && h.quantity + quantity > stock
        {
            let left = (stock - h.quantity).max(0);
            return Err(Failure::conflict(format!(
                "only {left} of {sku} left, {quantity} wanted"
            )));
        }
        h.quantity += quantity;
        Ok(())
    })
    .map(|_| ())
}

/// Gives back `quantity` of `sku` (items left a reserved state).
pub fn release(sku: &str, quantity: i64) -> Result<(), Failure> {
    let fresh = || Hold {
        sku: sku.to_owned(),
        quantity: 0,
    };
    counters::update(&holds(), sku, fresh, |h| {
        h.quantity = (h.quantity - quantity).max(0);
        Ok(())
    })
    .map(|_| ())
}
