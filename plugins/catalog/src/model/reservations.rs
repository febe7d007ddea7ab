//! Reservations from sales events: `sales.order-placed` reserves each item's quantity,
//! `sales.items-released` gives it back. One record per order (`reservations`, id = the order
//! id) remembers every item seen and whether it was released, so a redelivered or repeated
//! event changes nothing, and a release that arrives before its order (events are not
//! ordered across retries) is remembered so the late order does not reserve the item.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::stock;

pub const ORDER_PLACED: &str = "sales.order-placed";
pub const ITEMS_RELEASED: &str = "sales.items-released";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservedItem {
    pub sku: String,
    pub quantity: i64,
    pub released: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReservationData {
    pub order_id: String,
    pub reference: Option<String>,
    /// By item id.
    pub items: BTreeMap<String, ReservedItem>,
}

pub fn reservations() -> Collection<ReservationData> {
    Collection::new("reservations")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("reservations").field(Field::text("reference").indexed())
}

/// An item of an event payload.
#[derive(Debug, Clone, PartialEq)]
struct EventItem {
    item_id: String,
    sku: String,
    quantity: i64,
}

#[derive(Debug, Clone, PartialEq)]
struct Payload {
    order_id: String,
    reference: Option<String>,
    items: Vec<EventItem>,
}

/// Ids may be strings or integers; both become text.
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

fn parse(payload: &str) -> Result<Payload, String> {
    let value: Value = serde_json::from_str(payload).map_err(|e| format!("not JSON: {e}"))?;
    let order_id = id_text(value.get("order_id")).ok_or("order_id is missing")?;
    let items = value
        .get("items")
        .and_then(Value::as_array)
        .ok_or("items is not a list")?
        .iter()
        .map(|item| {
            let item_id = id_text(item.get("item_id")).ok_or("an item has no item_id")?;
            let sku = item
                .get("sku")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .ok_or("an item has no sku")?;
            let quantity = item
                .get("quantity")
                .and_then(Value::as_i64)
                .filter(|q| *q > 0)
                .ok_or("an item's quantity is not a positive integer")?;
            Ok(EventItem {
                item_id,
                sku: sku.to_owned(),
                quantity,
            })
        })
        .collect::<Result<_, &str>>()?;
    Ok(Payload {
        order_id,
        reference: value
            .get("reference")
            .and_then(Value::as_str)
            .map(str::to_owned),
        items,
    })
}

/// Applies one event to the order's record; returns the change of reserved quantity per SKU.
/// Pure, so idempotency is unit-tested.
fn apply(record: &mut ReservationData, topic: &str, payload: &Payload) -> BTreeMap<String, i64> {
    let mut delta: BTreeMap<String, i64> = BTreeMap::new();
    if record.reference.is_none() {
        record.reference = payload.reference.clone();
    }
    for item in &payload.items {
        match (topic, record.items.get_mut(&item.item_id)) {
            (ORDER_PLACED, None) => {
                record.items.insert(
                    item.item_id.clone(),
                    ReservedItem {
                        sku: item.sku.clone(),
                        quantity: item.quantity,
                        released: false,
                    },
                );
                *delta.entry(item.sku.clone()).or_default() += item.quantity;
            }
            (ITEMS_RELEASED, Some(stored)) if !stored.released => {
                stored.released = true;
                *delta.entry(stored.sku.clone()).or_default() -= stored.quantity;
            }
            (ITEMS_RELEASED, None) => {
                record.items.insert(
                    item.item_id.clone(),
                    ReservedItem {
                        sku: item.sku.clone(),
                        quantity: item.quantity,
                        released: true,
                    },
                );
            }
            _ => {}
        }
    }
    delta.retain(|_, d| *d != 0);
    delta
}

/// Handles a subscribed event. A payload that cannot be read is logged and dropped (a retry
/// cannot fix it); a storage failure is an `Err`, so the host retries the delivery.
pub fn on_event(event: &Event) -> Result<(), String> {
    if event.topic != ORDER_PLACED && event.topic != ITEMS_RELEASED {
        return Err(format!("no handler for event topic `{}`", event.topic));
    }
    let payload = match parse(&event.payload) {
        Ok(p) => p,
        Err(problem) => {
            services::log::warn(&format!(
                "dropping {} event {}: {problem}",
                event.topic, event.id
            ));
            return Ok(());
        }
    };
    let current = reservations()
        .find(&payload.order_id)
        .map_err(|e| format!("{e:?}"))?;
    let mut record = current.as_ref().map(|r| r.data.clone()).unwrap_or_default();
    record.order_id = payload.order_id.clone();
    let delta = apply(&mut record, &event.topic, &payload);
    if current.as_ref().is_some_and(|r| r.data == record) {
        return Ok(());
    }
    let written = match &current {
        Some(r) => reservations().replace(&payload.order_id, &record, r.version),
        None => reservations().put(&payload.order_id, &record),
    };
    written.map_err(|e| format!("{e:?}"))?;
    for (sku, change) in delta {
        stock::update_availability(&sku, |a| a.reserved += change).map_err(|f| f.message)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(items: &[(&str, &str, i64)]) -> Payload {
        Payload {
            order_id: "o1".into(),
            reference: Some("R-1".into()),
            items: items
                .iter()
                .map(|(id, sku, q)| EventItem {
                    item_id: (*id).into(),
                    sku: (*sku).into(),
                    quantity: *q,
                })
                .collect(),
        }
    }

    #[test]
    fn a_repeated_event_changes_nothing() {
        let mut record = ReservationData::default();
        let placed = payload(&[("1", "A", 2), ("2", "A", 1), ("3", "B", 5)]);
        let delta = apply(&mut record, ORDER_PLACED, &placed);
        assert_eq!(delta, BTreeMap::from([("A".into(), 3), ("B".into(), 5)]));
        assert!(apply(&mut record, ORDER_PLACED, &placed).is_empty());
        let released = payload(&[("1", "A", 2)]);
        assert_eq!(
            apply(&mut record, ITEMS_RELEASED, &released),
            BTreeMap::from([("A".into(), -2)])
        );
        assert!(apply(&mut record, ITEMS_RELEASED, &released).is_empty());
        assert_eq!(record.reference.as_deref(), Some("R-1"));
    }

    #[test]
    fn a_release_before_its_order_keeps_the_item_unreserved() {
        let mut record = ReservationData::default();
        assert!(apply(&mut record, ITEMS_RELEASED, &payload(&[("1", "A", 2)])).is_empty());
        let delta = apply(
            &mut record,
            ORDER_PLACED,
            &payload(&[("1", "A", 2), ("2", "B", 1)]),
        );
        assert_eq!(delta, BTreeMap::from([("B".into(), 1)]));
    }

    #[test]
    fn payloads_are_read_strictly() {
        let ok = parse(r#"{"order_id": 7, "reference": "R", "items": [{"item_id": 1, "sku": "A", "quantity": 2}]}"#).unwrap();
        assert_eq!(ok.order_id, "7");
        assert_eq!(ok.items[0].item_id, "1");
        for bad in [
            "nope",
            r#"{"items": []}"#,
            r#"{"order_id": "o", "items": [{"item_id": 1, "sku": "A", "quantity": 0}]}"#,
            r#"{"order_id": "o", "items": [{"item_id": 1, "quantity": 1}]}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
