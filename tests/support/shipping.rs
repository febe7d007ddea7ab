//! What a shop needs before sales places its first order: a shipment method offered by the
//! shipping section (sales asks it through `sales.shipment-methods` and places no order without
//! one) and payment methods active in the store (none is, until an admin activates it).
//!
//! [`ready_to_sell`] sets both up through an admin browser: carrier `Standard Post`, the method
//! `flat` ([`FLAT_RATE`] in EUR in stores DE and AT, tax set `standard`, 2–3 days) and every
//! payment method in every store. Scripts that talk to a served binary post the same bodies
//! ([`carrier`], [`flat_method`], [`all_payments`]) themselves.

use serde_json::{Value, json};

use crate::Browser;

/// The key of the method [`ready_to_sell`] creates.
pub const FLAT: &str = "flat";
/// Its gross price in EUR cents, in both stores.
pub const FLAT_RATE: i64 = 495;

/// `POST /admin/shipping/carriers/create`: the carrier of the flat rate.
pub fn carrier() -> Value {
    json!({"name": "Standard Post"})
}

/// `POST /admin/shipping/methods/create`: the flat rate, of the carrier `carrier_id`.
pub fn flat_method(carrier_id: &str) -> Value {
    json!({
        "key": FLAT, "name": "Standard delivery (flat rate)", "carrier": carrier_id,
        "tax_set": "standard", "stores": ["DE", "AT"],
        "delivery_text": "2–3 working days", "min_days": 2, "max_days": 3,
        "prices": [
            {"store": "DE", "currency": "EUR", "gross": FLAT_RATE, "net": 416},
            {"store": "AT", "currency": "EUR", "gross": FLAT_RATE, "net": 413},
        ],
    })
}

/// `POST /admin/sales/payments/edit`: every payment method active in both stores.
pub fn all_payments() -> Value {
    let both = json!(["DE", "AT"]);
    json!({"invoice": both, "prepayment": both, "cash_on_delivery": both})
}

/// POSTs `body` as JSON; the answer, which must be 200.
async fn ok(admin: &Browser, path: &str, body: Value) -> Value {
    let reply = admin.submit_json(path, &body).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.json()
}

/// Creates a carrier named `name`; its id.
pub async fn create_carrier(admin: &Browser, name: &str) -> String {
    let created = ok(
        admin,
        "/admin/shipping/carriers/create",
        json!({"name": name}),
    )
    .await;
    created["carrier"]["id"]
        .as_str()
        .expect("a carrier id")
        .to_owned()
}

/// Sets the shop up to sell (see the module docs); answers the flat method's id.
pub async fn ready_to_sell(admin: &Browser) -> String {
    let created = ok(admin, "/admin/shipping/carriers/create", carrier()).await;
    let carrier_id = created["carrier"]["id"].as_str().expect("a carrier id");
    let method = ok(
        admin,
        "/admin/shipping/methods/create",
        flat_method(carrier_id),
    )
    .await;
    ok(admin, "/admin/sales/payments/edit", all_payments()).await;
    method["method"]["id"]
        .as_str()
        .expect("a method id")
        .to_owned()
}
