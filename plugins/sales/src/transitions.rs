//! Applying the process (`process.rs`) to orders: moving items between states, logging every
//! move (who, when, from, to, event), following automatic transitions, arming timeouts, and the
//! side effects of states — stock released when items leave a reserved state, payments,
//! refunds, and the events other sections listen to (CONTRACT). Everything happens in the
//! caller's transaction, so an order and its effects commit together or not at all.

use backoffice_sdk::prelude::*;
use backoffice_sdk::services::{publish, publish_after};
use serde::{Deserialize, Serialize};

use crate::model::{HistoryEntry, OrderData, Refund, orders, write_row};
use crate::process::{self, Process};
use crate::{stats, stock};
use backoffice_sdk::dates::now;

/// The topic of sales' own timers (subscribed by sales).
pub const TIMEOUT_TOPIC: &str = "sales.timeout";

/// An item as the CONTRACT's event payloads carry it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemRef {
    pub item_id: String,
    pub sku: String,
    pub quantity: i64,
}

/// A timer: the items that entered `state` at `since` move on by timeout unless they left it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Timer {
    pub order_id: String,
    pub state: String,
    pub since: i64,
    pub item_ids: Vec<String>,
}

/// What a batch of moves did, for the effects after the order is written.
#[derive(Debug, Default)]
pub struct Effects {
    released: Vec<ItemRef>,
    cancelled: Vec<ItemRef>,
    shipped: Vec<ItemRef>,
    /// (state, seconds, item id)
    timers: Vec<(String, u32, String)>,
}

fn process_of(order: &OrderData) -> Result<Process, Failure> {
    process::process(&order.process)
        .ok_or_else(|| Failure::internal(format!("unknown order process {}", order.process)))
}

/// Moves item `index` to `to` by `event`, then follows automatic transitions.
fn enter(
    p: &Process,
    order: &mut OrderData,
    index: usize,
    to: &str,
    event: &str,
    by: &str,
    effects: &mut Effects,
) {
    let at = now();
    let mut to = to.to_owned();
    let mut event = event.to_owned();
    // Automatic transitions chain; a process is finite, so is this.
    for _ in 0..p.transitions.len() + 1 {
        let item = &mut order.items[index];
        let from = std::mem::replace(&mut item.state, to.clone());
        item.state_since = at;
        let item_ref = ItemRef {
            item_id: item.id.clone(),
            sku: item.sku.clone(),
            quantity: item.quantity,
        };
        let item_total = item.total;
        order.history.push(HistoryEntry {
            item_id: item_ref.item_id.clone(),
            from: from.clone(),
            to: to.clone(),
            event: event.clone(),
            by: by.to_owned(),
            at,
        });
        let was_reserved = p.state(&from).is_some_and(|s| s.reserved);
        let is_reserved = p.state(&to).is_some_and(|s| s.reserved);
        if was_reserved && !is_reserved {
            effects.released.push(item_ref.clone());
        }
        match to.as_str() {
            "cancelled" => effects.cancelled.push(item_ref),
            "shipped" => effects.shipped.push(item_ref),
            "refunded" => {
                let amount = item_total.min(order.totals.paid - order.totals.refunded);
                if amount > 0 {
                    order.totals.refunded += amount;
                    order.refunds.push(Refund {
                        amount,
                        reason: format!("item {} returned", order.items[index].id),
                        by: by.to_owned(),
                        at,
                    });
                }
            }
            _ => {}
        }
        let pays = p
            .transitions
            .iter()
            .any(|t| t.from == from && t.event == event && t.pays);
        if pays {
            let first = order.totals.paid == 0;
            let amount = item_total + if first { order.totals.shipping } else { 0 };
            order.totals.paid = (order.totals.paid + amount).min(order.totals.grand_total);
        }
        if let Some((t, secs)) = p.timeout(&to) {
            effects
                .timers
                .push((t.from.to_owned(), secs, order.items[index].id.clone()));
        }
        match p.automatic(&to) {
            Some(t) => {
                to = t.to.to_owned();
                event = t.event.to_owned();
            }
            None => return,
        }
    }
}

/// Puts every item of a new order into the process's initial state and follows automatic
/// transitions from there (logged as placed by `by`).
pub fn start(order: &mut OrderData, by: &str) -> Result<Effects, Failure> {
    let p = process_of(order)?;
    let mut effects = Effects::default();
    for index in 0..order.items.len() {
        enter(&p, order, index, p.initial, "place", by, &mut effects);
    }
    order.state = p.summary(order.items.iter().map(|i| i.state.as_str()));
    Ok(effects)
}

/// Fires the manual `event` on the items `item_ids` of `order` (all items for which it is
/// valid when empty). Refuses, naming the item and the possible events, when it is not valid
/// for a named item or for no item at all.
pub fn trigger(
    order: &mut OrderData,
    event: &str,
    item_ids: &[String],
    by: &str,
) -> Result<Effects, Failure> {
    let p = process_of(order)?;
    let mut targets = Vec::new();
    if item_ids.is_empty() {
        for (index, item) in order.items.iter().enumerate() {
            if let Ok(t) = p.manual(&item.state, event) {
                targets.push((index, t.to));
            }
        }
        if targets.is_empty() {
            return Err(Failure::unprocessable(format!(
                "event \"{event}\" is not possible for any item of order {}",
                order.reference
            )));
        }
    } else {
        for id in item_ids {
            let index = order
                .items
                .iter()
                .position(|i| &i.id == id)
                .ok_or_else(|| {
                    Failure::not_found(format!("order {} has no item {id}", order.reference))
                })?;
            let t = p
                .manual(&order.items[index].state, event)
                .map_err(|r| Failure::unprocessable(format!("item {id}: {}", r.0)))?;
            targets.push((index, t.to));
        }
    }
    let mut effects = Effects::default();
    for (index, to) in targets {
        enter(&p, order, index, to, event, by, &mut effects);
    }
    Ok(effects)
}

/// Applies a fired timer: the items still in the timer's state since the timer was armed take
/// the timeout transition. A stale timer (items moved on meanwhile) does nothing.
pub fn expire(order: &mut OrderData, timer: &Timer) -> Result<Effects, Failure> {
    let p = process_of(order)?;
    let mut effects = Effects::default();
    let Some((t, _)) = p.timeout(&timer.state) else {
        return Ok(effects);
    };
    for index in 0..order.items.len() {
        let item = &order.items[index];
        if timer.item_ids.contains(&item.id)
            && item.state == timer.state
            && item.state_since == timer.since
        {
            enter(&p, order, index, t.to, t.event, "system", &mut effects);
        }
    }
    Ok(effects)
}

/// Runs `step` (a manual event, a fired timer) on a stored order and saves the result against
/// the version it was read at, with its effects (see [`save`]). The one way a stored order's
/// items move, so the previous state that the counters need is always the one read.
pub fn apply(
    order: &mut Record<OrderData>,
    step: impl FnOnce(&mut OrderData) -> Result<Effects, Failure>,
) -> Result<(), Failure> {
    let before = order.data.state.clone();
    let effects = step(&mut order.data)?;
    save(
        Some(&order.id),
        Some(order.version),
        &mut order.data,
        Some(&before),
        effects,
    )?;
    Ok(())
}

/// Writes a changed order (optimistically against `version`, or creating it when `None`) and its
/// list row, and carries out the effects: summary state and counters, stock released, events
/// published, timers armed. Returns the stored order id.
pub fn save(
    id: Option<&str>,
    version: Option<i64>,
    order: &mut OrderData,
    previous_state: Option<&str>,
    effects: Effects,
) -> Result<String, Failure> {
    let p = process_of(order)?;
    order.state = p.summary(order.items.iter().map(|i| i.state.as_str()));
    order.state_created = crate::model::state_key(&order.state, order.created);
    let written = match (id, version) {
        (Some(id), Some(v)) => orders().replace(id, order, v),
        _ => orders().insert(order),
    };
    let stored = written.map_err(|e| orders().failure(e, order))?;
    let order_id = stored.id;
    write_row(&order_id, order)?;
    match previous_state {
        Some(from) => stats::state_changed(order, from)?,
        None => stats::placed(order)?,
    }
    for item in &effects.released {
        stock::release(&item.sku, item.quantity)?;
    }
    let emit = |topic: &str, items: &[ItemRef]| -> Result<(), Failure> {
        if items.is_empty() {
            return Ok(());
        }
        let payload = serde_json::json!({
            "order_id": order_id,
            "reference": order.reference,
            "items": items,
        });
        publish(topic, &payload).map_err(Failure::internal)
    };
    emit("sales.items-released", &effects.released)?;
    emit("sales.order-cancelled", &effects.cancelled)?;
    emit("sales.item-shipped", &effects.shipped)?;
    crate::notices::items_shipped(&order_id, order, &effects.shipped)?;
    arm(&order_id, order, &effects.timers)?;
    Ok(order_id)
}

/// One timer per (state, delay) for the items that just entered a state with a timeout.
fn arm(order_id: &str, order: &OrderData, timers: &[(String, u32, String)]) -> Result<(), Failure> {
    let mut groups: Vec<(&str, u32, Vec<String>)> = Vec::new();
    for (state, secs, item_id) in timers {
        // Only items still there: an automatic move may have carried them on already.
        if !order
            .items
            .iter()
            .any(|i| &i.id == item_id && &i.state == state)
        {
            continue;
        }
        match groups.iter_mut().find(|g| g.0 == state && g.1 == *secs) {
            Some(g) => g.2.push(item_id.clone()),
            None => groups.push((state, *secs, vec![item_id.clone()])),
        }
    }
    for (state, secs, item_ids) in groups {
        let since = order
            .items
            .iter()
            .find(|i| i.id == item_ids[0])
            .map_or(0, |i| i.state_since);
        let timer = Timer {
            order_id: order_id.to_owned(),
            state: state.to_owned(),
            since,
            item_ids,
        };
        publish_after(TIMEOUT_TOPIC, &timer, secs).map_err(Failure::internal)?;
    }
    Ok(())
}
