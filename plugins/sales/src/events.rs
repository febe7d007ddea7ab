//! Events sales handles: its own timers (`sales.timeout`) and `customers.anonymised`. Both are
//! idempotent, as at-least-once delivery requires: a timer acts only on items still where it
//! left them, and anonymising twice changes nothing more.

use backoffice_sdk::address::Address;
use backoffice_sdk::prelude::*;
use serde::Deserialize;

use crate::model::{load_order, order_rows, orders, write_row};
use crate::transitions::{self, TIMEOUT_TOPIC, Timer};

pub const ANONYMISED_TOPIC: &str = "customers.anonymised";

pub fn handle(event: Event) -> Result<(), String> {
    let result = match event.topic.as_str() {
        TIMEOUT_TOPIC => timeout(&event.payload),
        ANONYMISED_TOPIC => anonymised(&event.payload),
        other => return Err(format!("no handler for event topic `{other}`")),
    };
    result.map_err(|f| f.message)
}

fn timeout(payload: &str) -> Result<(), Failure> {
    let timer: Timer = serde_json::from_str(payload)
        .map_err(|e| Failure::bad_request(format!("bad timer payload: {e}")))?;
    crate::counters::lock()?;
    let Some(mut order) = orders().find(&timer.order_id)? else {
        return Ok(());
    };
    transitions::apply(&mut order, |data| transitions::expire(data, &timer))
}

#[derive(Deserialize)]
struct Anonymised {
    customer_id: i64,
}

/// What an anonymised order keeps of an address: the country (for statistics), nothing else.
fn anonymous(address: &Address) -> Address {
    Address {
        first_name: "anonymised".into(),
        last_name: "anonymised".into(),
        street: "anonymised".into(),
        zip: "-".into(),
        city: "anonymised".into(),
        country: address.country.clone(),
        ..Address::default()
    }
}

fn anonymised(payload: &str) -> Result<(), Failure> {
    let who: Anonymised = serde_json::from_str(payload)
        .map_err(|e| Failure::bad_request(format!("bad customers.anonymised payload: {e}")))?;
    let mut after: Option<String> = None;
    loop {
        let mut query = order_rows()
            .query()
            .eq("customer_id", who.customer_id)
            .limit(200);
        if let Some(a) = &after {
            query = query.after(a.as_str());
        }
        let page = query.fetch()?;
        for row in page.records {
            let mut order = load_order(&row.id)?;
            if order.data.anonymised {
                continue;
            }
            order.data.billing = anonymous(&order.data.billing);
            order.data.shipping = anonymous(&order.data.shipping);
            order.data.email = format!("anonymised-{}@invalid", who.customer_id);
            order.data.anonymised = true;
            orders().replace(&order.id, &order.data, order.version)?;
            write_row(&order.id, &order.data)?;
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => return Ok(()),
        }
    }
}
