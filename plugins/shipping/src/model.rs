//! What shipping stores: carriers and shipment methods, and their collection definitions. A
//! method holds its prices, thresholds and conditions inline, so one method is always written
//! whole, under its version: a price per (method, store, currency) is unique because a method's
//! prices are one list that `method_input.rs` refuses to hold twice for one store and currency.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CarrierData {
    /// Unique.
    pub name: String,
    /// An inactive carrier's methods are offered nowhere.
    pub active: bool,
}

/// Carriers; a duplicate name is a 409 naming it.
pub fn carriers() -> Resource<CarrierData> {
    Resource::new("carriers", "carrier")
        .unique("name", "carrier {name} already exists")
        .describe("{name}")
}

pub fn carriers_collection() -> CollectionDef {
    CollectionDef::new("carriers")
        .field(Field::text("name").unique().searchable())
        .field(Field::boolean("active").indexed())
}

/// How long a delivery takes: a text for shoppers and the range in days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    /// E.g. `2–3 working days`.
    pub text: String,
    pub min_days: i64,
    pub max_days: i64,
}

/// The price of a method in one store and currency, in minor units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MethodPrice {
    pub store: String,
    pub currency: String,
    pub gross: i64,
    pub net: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MethodData {
    /// Unique; what checkouts send and orders keep.
    pub key: String,
    pub name: String,
    /// The id of its carrier.
    pub carrier_id: String,
    /// A tax set under Settings: the shipping price is taxed at its rate for the country.
    pub tax_set: String,
    pub active: bool,
    /// The store codes it is offered in (where it also has a price).
    pub stores: Vec<String>,
    /// `|DE|AT|`: `stores` as one indexed text, for the list's store filter.
    pub store_index: String,
    pub delivery: Delivery,
    /// At most one per (store, currency).
    pub prices: Vec<MethodPrice>,
    /// Currency → the subtotal (gross) from which shipping is free.
    pub free_from: BTreeMap<String, i64>,
    /// Country codes it ships to; empty: every country.
    pub countries: Vec<String>,
    /// Currency → the smallest subtotal it is offered for.
    pub min_subtotal: BTreeMap<String, i64>,
    /// Currency → the largest subtotal it is offered for.
    pub max_subtotal: BTreeMap<String, i64>,
}

impl MethodData {
    /// Its price in `store` and `currency`, if it has one.
    pub fn price(&self, store: &str, currency: &str) -> Option<&MethodPrice> {
        self.prices
            .iter()
            .find(|p| p.store == store && p.currency == currency)
    }
}

pub type Method = Record<MethodData>;

/// The `store_index` of `stores`.
pub fn store_index(stores: &[String]) -> String {
    format!("|{}|", stores.join("|"))
}

/// The list's store filter value for `store`.
pub fn store_token(store: &str) -> String {
    format!("|{store}|")
}

/// Shipment methods; a duplicate key is a 409 naming it.
pub fn methods() -> Resource<MethodData> {
    Resource::new("methods", "shipment method")
        .unique("key", "shipment method {key} already exists")
        .describe("{key}")
        .audit_as("method")
}

pub fn methods_collection() -> CollectionDef {
    CollectionDef::new("methods")
        .field(Field::text("key").unique().searchable())
        .field(Field::text("name").indexed().searchable())
        .field(Field::text("carrier_id").indexed())
        .field(Field::text("tax_set").indexed())
        .field(Field::boolean("active").indexed())
        .field(Field::text("store_index").indexed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_token_matches_only_whole_codes() {
        let index = store_index(&["DE".into(), "ATX".into()]);
        assert_eq!(index, "|DE|ATX|");
        assert!(index.contains(&store_token("DE")));
        assert!(!index.contains(&store_token("AT")));
    }
}
