//! Discounts for tests: [`cart_rule`] builds the JSON of a cart rule sold in store DE and
//! [`create`] posts it to `/admin/discounts/discounts/create` (the discounts section must be
//! loaded beside catalog, sales and shipping).

use serde_json::{Value, json};

use crate::Browser;

/// A percentage cart rule `name` of `percent` on what `collector` collects, in store DE, with
/// `extra` fields over the defaults.
pub fn cart_rule(name: &str, percent: f64, collector: &str, extra: Value) -> Value {
    let mut body = json!({
        "display_name": name, "type": "cart-rule", "calculator": "percentage",
        "amount": percent, "stores": ["DE"], "collector": collector,
    });
    body.as_object_mut()
        .expect("an object")
        .extend(extra.as_object().expect("an object").clone());
    body
}

/// Creates the discount `body` (must succeed); its record as answered.
pub async fn create(admin: &Browser, body: Value) -> Value {
    let reply = admin
        .submit_json("/admin/discounts/discounts/create", &body)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["discount"].clone()
}
