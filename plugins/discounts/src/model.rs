//! What discounts stores: one record per discount, its rule queries kept as written (parsed
//! again when applied) and its validity window as text and as UTC seconds for filtering.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// A fixed amount in one currency, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Money {
    pub gross: i64,
    pub net: i64,
}

/// `amount`: a percentage (`12.5`) or fixed amounts per currency (`{"EUR": {"gross": 500,
/// "net": 420}}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    PerCurrency(BTreeMap<String, Money>),
    /// Hundredths of a percent are kept exactly: 12.5 → 1250 (see [`Amount::basis_points`]).
    Percent(f64),
}

impl Default for Amount {
    fn default() -> Self {
        Amount::Percent(0.0)
    }
}

impl Amount {
    /// A percentage in hundredths of a percent.
    pub fn basis_points(p: f64) -> i64 {
        (p * 100.0).round() as i64
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscountData {
    /// Unique.
    pub display_name: String,
    pub description: String,
    /// `cart-rule` or `voucher`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `percentage` or `fixed`.
    pub calculator: String,
    pub amount: Amount,
    pub exclusive: bool,
    pub active: bool,
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (UTC); empty: open.
    pub valid_from: String,
    pub valid_to: String,
    /// `valid_from` as UTC seconds (0: open).
    pub from_at: i64,
    /// The first second after `valid_to` (`input::OPEN_END`: open).
    pub to_at: i64,
    /// 1–9999, lower runs first.
    pub priority: i64,
    pub stores: Vec<String>,
    /// `|DE|AT|`, for the store filter.
    pub store_index: String,
    /// "Apply when"; empty: always.
    pub decision_rule: String,
    /// "Apply to".
    pub collector: String,
    pub min_quantity: i64,
    /// The promotional product added to the cart when the discount applies; empty: none.
    pub promotion_sku: String,
    /// Units of it (≥ 1 when `promotion_sku` is set).
    pub promotion_quantity: i64,
    /// Its unit price, gross minor units in any currency (≥ 0; 0: free).
    pub promotion_price: i64,
}

impl DiscountData {
    /// Whether it is valid at `now` (UTC seconds).
    pub fn valid_at(&self, now: i64) -> bool {
        self.from_at <= now && now < self.to_at
    }
}

pub type Discount = Record<DiscountData>;

pub const CART_RULE: &str = "cart-rule";
pub const VOUCHER: &str = "voucher";
pub const PERCENTAGE: &str = "percentage";
pub const FIXED: &str = "fixed";

pub fn store_index(stores: &[String]) -> String {
    format!("|{}|", stores.join("|"))
}

pub fn store_token(store: &str) -> String {
    format!("|{store}|")
}

/// Discounts; a duplicate display name is a 409 naming it.
pub fn discounts() -> Resource<DiscountData> {
    Resource::new("discounts", "discount")
        .unique("display_name", "discount {display_name} already exists")
        .describe("{display_name}")
        .audit_as("discount")
}

pub fn discounts_collection() -> CollectionDef {
    CollectionDef::new("discounts")
        .field(Field::text("display_name").unique().searchable())
        .field(Field::text("description").searchable())
        .field(Field::text("type").indexed())
        .field(Field::boolean("active").indexed())
        .field(Field::integer("priority").indexed())
        .field(Field::integer("from_at").indexed())
        .field(Field::integer("to_at").indexed())
        .field(Field::text("store_index").indexed())
}
