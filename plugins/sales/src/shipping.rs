//! The shipment seam: the methods a checkout may choose and what they cost. Until a shipping
//! section exists this is one built-in flat rate; replacing it means replacing these two
//! functions (e.g. reading a shipping section's shared collection), nothing else.

use serde::Serialize;

/// A shipment method offered at checkout.
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub code: &'static str,
    pub name: &'static str,
    /// Gross cents.
    pub price: i64,
}

/// The flat rate, in cents of any currency.
pub const FLAT_RATE: i64 = 495;

/// The methods available for an order of `subtotal` in `currency`.
pub fn methods(_currency: &str, _subtotal: i64) -> Vec<Method> {
    vec![Method {
        code: "flat",
        name: "Standard delivery (flat rate)",
        price: FLAT_RATE,
    }]
}

/// The method `code`, if it is available for this order.
pub fn method(code: &str, currency: &str, subtotal: i64) -> Option<Method> {
    methods(currency, subtotal)
        .into_iter()
        .find(|m| m.code == code)
}

/// Payment methods: only invoice (no external payment provider).
pub const PAYMENTS: &[&str] = &["invoice"];
