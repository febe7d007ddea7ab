//! The mail sales sends its customers through the host's `mail` capability: the order
//! confirmation when an order is placed and a shipping notice when items ship. Both are queued in
//! the order's own transaction, so an order that is not saved mails nothing, and both render the
//! bundled templates `mail/order-confirmation.*` and `mail/shipping-notice.*` (a theme may
//! override them) in the locale the order was placed in.

use backoffice_sdk::mail::{self, Message};
use backoffice_sdk::prelude::*;

use crate::model::OrderData;
use crate::transitions::ItemRef;

/// Bundled mail templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "mail/order-confirmation.txt",
        include_str!("../templates/mail/order-confirmation.txt"),
    ),
    (
        "mail/order-confirmation.html",
        include_str!("../templates/mail/order-confirmation.html"),
    ),
    (
        "mail/shipping-notice.txt",
        include_str!("../templates/mail/shipping-notice.txt"),
    ),
    (
        "mail/shipping-notice.html",
        include_str!("../templates/mail/shipping-notice.html"),
    ),
];

/// Queues `template` about `order` to the order's email (none without an address, e.g. an
/// anonymised order).
fn send(
    order: &OrderData,
    subject: &str,
    template: &str,
    context: serde_json::Value,
) -> Result<(), Failure> {
    if order.email.is_empty() {
        return Ok(());
    }
    mail::send(
        Message::new(&order.email, subject, template).locale(&order.locale),
        &context,
    )?;
    Ok(())
}

/// "We received your order": the order as placed.
pub fn order_placed(order_id: &str, order: &OrderData) -> Result<(), Failure> {
    let subject = format!("Your order {}", order.reference);
    let context = serde_json::json!({ "order_id": order_id, "order": order });
    send(order, &subject, "order-confirmation", context)
}

/// "Your items are on their way": the items that just shipped, with the order.
pub fn items_shipped(
    order_id: &str,
    order: &OrderData,
    shipped: &[ItemRef],
) -> Result<(), Failure> {
    if shipped.is_empty() {
        return Ok(());
    }
    let items: Vec<_> = order
        .items
        .iter()
        .filter(|i| shipped.iter().any(|s| s.item_id == i.id))
        .collect();
    let subject = format!("Your order {} has shipped", order.reference);
    let context = serde_json::json!({ "order_id": order_id, "order": order, "shipped": items });
    send(order, &subject, "shipping-notice", context)
}
