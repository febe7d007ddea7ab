//! What sales stores: orders (with their items, state history, comments and refunds inline, so an
//! order is always written whole in one record), their list rows, and carts, plus the collection
//! definitions. Counters for the matrix and the dashboard live in `stats.rs`, stock holds in
//! `stock.rs`.

use backoffice_sdk::address::Address;
use backoffice_sdk::dates::{day_of, ymd};
use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::shipping::{self, Delivery};

/// One order line: a sellable SKU with its own state in the order process.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Item {
    /// `1`, `2`, … within the order.
    pub id: String,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// Gross cents.
    pub unit_price: i64,
    pub total: i64,
    /// What discounts took off `total` (the order's `discounts` say which).
    pub discount: i64,
    /// Of `total - discount`.
    pub tax: i64,
    /// The rate `tax` was computed at, in hundredths of a percent (the product's tax set in
    /// the shipping country).
    pub tax_rate: u32,
    /// The discount (id) that added this item as its promotional product, at its price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion: Option<String>,
    pub state: String,
    /// When the item entered `state` (UTC seconds); timers compare against it.
    pub state_since: i64,
}

/// One logged transition of one item.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HistoryEntry {
    pub item_id: String,
    pub from: String,
    pub to: String,
    pub event: String,
    /// The admin's email, `customer`, or `system` (automatic and timeout transitions).
    pub by: String,
    pub at: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Comment {
    pub by: String,
    pub at: i64,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Refund {
    pub amount: i64,
    pub reason: String,
    pub by: String,
    pub at: i64,
}

/// All amounts in cents of the order's currency. Prices are gross: `tax` is the tax included
/// in `grand_total`, not added to it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Totals {
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub tax: i64,
    pub grand_total: i64,
    /// Registered payments (the `pay` event).
    pub paid: i64,
    /// Never above `paid`.
    pub refunded: i64,
}

/// The shipment method an order was placed with, copied whole from the provider's answer at
/// checkout, so a later change of the method never changes a placed order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Shipment {
    /// The method's code (key).
    pub method: String,
    pub name: String,
    pub carrier: String,
    /// Gross minor units charged.
    pub price: i64,
    /// The tax included in `price`, at `tax_rate` (the method's `tax_set` in the shipping
    /// country, hundredths of a percent).
    pub tax: i64,
    pub tax_rate: u32,
    pub tax_set: String,
    pub delivery: Delivery,
    /// The delivery estimate from the day of placement: `YYYY-MM-DD`, calendar days.
    pub earliest: String,
    pub latest: String,
}

impl Shipment {
    /// The order's copy of `method`, shipped to `country`, placed at `created`.
    pub fn chosen(method: shipping::Method, country: &str, created: i64) -> Shipment {
        let (tax_rate, tax) = crate::tax::of_shipping(&method, country);
        let day = day_of(created);
        Shipment {
            earliest: ymd(day + method.delivery.min_days),
            latest: ymd(day + method.delivery.max_days),
            method: method.code,
            name: method.name,
            carrier: method.carrier,
            price: method.price,
            tax,
            tax_rate,
            tax_set: method.tax_set,
            delivery: method.delivery,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderData {
    /// `SO-000001`: unique, what customers quote.
    pub reference: String,
    pub email: String,
    /// The host's customer id when a signed-in customer placed it (or an admin for them).
    pub customer_id: Option<i64>,
    pub process: String,
    /// The items' states summarised (see `Process::summary`); indexed for the list and matrix.
    pub state: String,
    pub currency: String,
    pub store: String,
    pub locale: String,
    /// UTC seconds of placement; indexed for date ranges.
    pub created: i64,
    /// `<state>~<created, 12 digits>`: one index that serves "orders in a state, newest first"
    /// (and a date range within it) without sorting every order of the state.
    pub state_created: String,
    pub grand_total: i64,
    pub billing: Address,
    pub shipping: Address,
    pub shipment: Shipment,
    /// The payment method's code; its process is `process`.
    pub payment: String,
    pub totals: Totals,
    pub items: Vec<Item>,
    /// The discounts applied when it was placed, copied whole (`sales.cart-discounts`).
    pub discounts: Vec<crate::discounts::Applied>,
    pub history: Vec<HistoryEntry>,
    pub comments: Vec<Comment>,
    pub refunds: Vec<Refund>,
    /// Who placed it: `customer`, `guest`, or the admin's email (assisted order) or the agent's
    /// (placed on the storefront while the agent acted for the customer: agent assist).
    pub placed_by: String,
    pub anonymised: bool,
}

pub type Order = Record<OrderData>;

/// The `state_created` key of an order in `state` placed at `created`.
pub fn state_key(state: &str, created: i64) -> String {
    format!("{state}~{created:012}")
}

/// Orders; a write that lost a race against another writer of the order is a 409.
pub fn orders() -> Resource<OrderData> {
    Resource::new("orders", "order")
        .on_conflict("the order was changed meanwhile; reload it and try again")
}

/// Orders are read by id only; every query goes to their rows ([`order_rows_collection`]).
pub fn orders_collection() -> CollectionDef {
    CollectionDef::new("orders")
}

/// An order's list columns: what the order list, its CSV export, "my orders" and the
/// anonymisation look up, kept apart from the order so that a page of 50 decodes 50 small rows,
/// not 50 whole orders with their items, history and comments. Record id = the order's id;
/// written by [`write_row`] in the same transaction as every write that changes these columns.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderRow {
    pub reference: String,
    pub email: String,
    pub customer_id: Option<i64>,
    pub process: String,
    pub state: String,
    pub currency: String,
    pub created: i64,
    pub state_created: String,
    pub grand_total: i64,
    /// How many items the order has.
    pub items: usize,
}

impl From<&OrderData> for OrderRow {
    fn from(o: &OrderData) -> OrderRow {
        OrderRow {
            reference: o.reference.clone(),
            email: o.email.clone(),
            customer_id: o.customer_id,
            process: o.process.clone(),
            state: o.state.clone(),
            currency: o.currency.clone(),
            created: o.created,
            state_created: o.state_created.clone(),
            grand_total: o.grand_total,
            items: o.items.len(),
        }
    }
}

/// Order rows; two placements that drew the same reference collide on it (409, retry).
pub fn order_rows() -> Resource<OrderRow> {
    Resource::new("order_rows", "order").unique(
        "reference",
        "an order with this reference exists; please try again",
    )
}

/// The indexes serve the list's filters: one index range per query in the listed order
/// (`created`, or `state_created` for a state), full-text search over reference and email.
pub fn order_rows_collection() -> CollectionDef {
    CollectionDef::new("order_rows")
        .field(Field::text("reference").unique().searchable())
        .field(Field::text("email").searchable())
        .field(Field::integer("customer_id").indexed())
        .field(Field::text("process").indexed())
        .field(Field::text("currency").indexed())
        .field(Field::integer("created").indexed())
        .field(Field::text("state_created").indexed())
}

/// Writes the list row of order `id` from its data.
pub fn write_row(id: &str, order: &OrderData) -> Result<(), Failure> {
    let row = OrderRow::from(order);
    order_rows()
        .put(id, &row)
        .map_err(|e| order_rows().failure(e, &row))?;
    Ok(())
}

/// A cart line: what the shopper wants; prices are looked up fresh on every view.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CartData {
    /// Set for a signed-in customer's cart (their one cart); none for a guest cart, which is
    /// reached by its unguessable id only.
    pub customer_id: Option<i64>,
    pub currency: String,
    pub lines: Vec<CartLine>,
    /// Voucher codes entered (`POST /cart/voucher`), upper-case.
    pub codes: Vec<String>,
}

pub type Cart = Record<CartData>;

/// Carts; a shopper's two tabs changing the cart at once: the second one is asked to retry.
pub fn carts() -> Resource<CartData> {
    Resource::new("carts", "cart").on_conflict("the cart changed meanwhile; please try again")
}

pub fn carts_collection() -> CollectionDef {
    CollectionDef::new("carts").field(Field::integer("customer_id").indexed())
}

/// The order `id`, or a 404 naming it.
pub fn load_order(id: &str) -> Result<Order, Failure> {
    orders().load(id)
}
