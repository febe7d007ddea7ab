//! Placing an order, atomically: prices and availability are read from catalog, stock is held
//! under the sell-once rule (`stock.rs`), the order is written with its items and totals, its
//! items enter the process, counters move and `sales.order-placed` is published — all in the
//! call's one transaction. Any refusal rolls all of it back. Used by the storefront checkout
//! and by the Back Office's assisted order.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use backoffice_sdk::services::{log, publish};
use serde::{Deserialize, Serialize};

use crate::catalog::{self, Sellable};
use crate::counters;
use crate::input::{CheckoutInput, LINES_MAX, QUANTITY_MAX};
use crate::model::{CartLine, Item, OrderData, Shipment, Totals};
use crate::transitions::{self, ItemRef};
use crate::{discounts, payments, process, shipping, stock, tax};
use backoffice_sdk::context;
use backoffice_sdk::dates::now;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct Sequence {
    last: i64,
}

fn sequences() -> Collection<Sequence> {
    Collection::new("sequences")
}

pub fn sequences_collection() -> CollectionDef {
    CollectionDef::new("sequences")
}

/// The next order reference, `SO-000001`, …
fn next_reference() -> Result<String, Failure> {
    let seq = counters::update(&sequences(), "orders", Sequence::default, |s| {
        s.last += 1;
        Ok(())
    })?;
    Ok(format!("SO-{:06}", seq.last))
}

/// Who places an order and for whom.
#[derive(Debug, Clone)]
pub struct Placer {
    pub customer_id: Option<i64>,
    /// `customer`, `guest`, or an admin's email (assisted order).
    pub by: String,
    pub locale: String,
}

/// Merges lines of the same SKU, keeping first-seen order, and checks quantities.
fn merge(lines: &[CartLine]) -> Result<Vec<CartLine>, Failure> {
    let mut merged: Vec<CartLine> = Vec::new();
    for line in lines {
        match merged.iter_mut().find(|l| l.sku == line.sku) {
            Some(l) => l.quantity += line.quantity,
            None => merged.push(line.clone()),
        }
    }
    if merged.is_empty() {
        return Err(Failure::unprocessable("the order has no items"));
    }
    if merged.len() > LINES_MAX {
        return Err(Failure::unprocessable(format!(
            "an order holds at most {LINES_MAX} different products"
        )));
    }
    if let Some(bad) = merged
        .iter()
        .find(|l| !(1..=QUANTITY_MAX).contains(&l.quantity))
    {
        return Err(Failure::unprocessable(format!(
            "quantity of {} must be from 1 to {QUANTITY_MAX}",
            bad.sku
        )));
    }
    Ok(merged)
}

/// The sellable SKU or a 422 naming it.
pub fn sellable_or_refuse(sku: &str, quantity: i64, currency: &str) -> Result<Sellable, Failure> {
    catalog::sellable(sku, quantity, currency)?
        .ok_or_else(|| Failure::unprocessable(format!("{sku} is not for sale")))
}

/// `lines` at current prices as the discount sections are asked about them, and their
/// subtotal, read before the order's transaction begins (to ask for shipment methods and
/// discounts, see [`place`]); 422 for a line that is not for sale.
fn asked_lines(lines: &[CartLine], currency: &str) -> Result<(Vec<discounts::Line>, i64), Failure> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let s = sellable_or_refuse(&line.sku, line.quantity, currency)?;
        out.push(discounts::Line::of(&s, line.quantity));
    }
    let subtotal = out.iter().map(|l| l.unit_price * l.quantity).sum();
    Ok((out, subtotal))
}

/// The discounts of a cart of `lines` (priced) in `store` and `currency`, shipped by `method`.
fn discounts_for(
    lines: Vec<discounts::Line>,
    store: &str,
    currency: &str,
    method: Option<&shipping::Method>,
    customer_id: Option<i64>,
    codes: &[String],
) -> discounts::Outcome {
    discounts::ask(&discounts::Question {
        subtotal: lines.iter().map(|l| l.unit_price * l.quantity).sum(),
        lines,
        currency: currency.to_owned(),
        price_mode: "gross",
        store: store.to_owned(),
        customer_reference: customer_id.map(|c| c.to_string()).unwrap_or_default(),
        shipment_carrier: method.map(|m| m.carrier.clone()).unwrap_or_default(),
        shipment_method: method.map(|m| m.code.clone()).unwrap_or_default(),
        shipment_price: method.map(|m| m.price),
        now: now(),
        codes: codes.to_vec(),
        ..discounts::Question::default()
    })
}

/// The promotional product of `d` as it can be sold in `currency`, with `in_cart` units of its
/// SKU already counted against its stock; `None` (and `d.promotion` cleared, with a log line)
/// when it cannot be added: malformed, not for sale, or not available in its quantity. A
/// promotion is skipped, never a reason to refuse a cart or a checkout.
fn promotional(
    d: &mut discounts::Applied,
    currency: &str,
    in_cart: i64,
) -> Result<Option<(discounts::Promotion, Sellable)>, Failure> {
    let Some(p) = d.promotion.clone() else {
        return Ok(None);
    };
    let why = if p.sku.is_empty() || p.quantity < 1 || p.unit_price < 0 {
        Some("is malformed".to_owned())
    } else {
        match catalog::sellable(&p.sku, p.quantity, currency)? {
            None => Some("is not for sale".to_owned()),
            Some(s) => match available(&s)? {
                Some(a) if a - in_cart < p.quantity => Some(format!("has only {a} available")),
                _ => return Ok(Some((p, s))),
            },
        }
    };
    if let Some(why) = why {
        log::warn(&format!(
            "{}: promotional product {} of discount {} {why}; skipped",
            discounts::POINT,
            p.sku,
            d.id
        ));
    }
    d.promotion = None;
    Ok(None)
}

/// Places an order for `lines`; returns its id and data.
///
/// The shipment method and the discounts are asked for before [`counters::lock`] opens the transaction: the
/// provider reads on a connection of its own, and checkouts queued behind the lock must not
/// hold every connection while it waits for one. Should a price change between that question
/// and the lines read under the lock, the checkout is refused (409) rather than shipped at a
/// price asked for another subtotal.
pub fn place(
    lines: &[CartLine],
    currency: &str,
    input: CheckoutInput,
    placer: &Placer,
) -> Result<(String, OrderData), Failure> {
    let lines = merge(lines)?;
    let store = context::default_store().map(|s| s.code).unwrap_or_default();
    let payment = payments::choose(&input.payment, &store)?;
    let process = process::process(payment.code)
        .ok_or_else(|| Failure::internal(format!("no process for payment {}", payment.code)))?;
    let country = input
        .shipping
        .as_ref()
        .unwrap_or(&input.billing)
        .country
        .clone();
    let (asked, asked_for) = asked_lines(&lines, currency)?;
    let method = shipping::method(
        &input.shipment,
        &shipping::Question {
            store: &store,
            currency,
            country: Some(&country),
            subtotal: Some(asked_for),
        },
    )?;
    let outcome = discounts_for(
        asked,
        &store,
        currency,
        Some(&method),
        placer.customer_id,
        &input.codes,
    );
    if let Some(refused) = outcome.refused.first() {
        return Err(Failure::unprocessable(refused.message.clone()));
    }
    let mut applied = outcome.applied;
    counters::lock()?;
    discounts::use_codes(&outcome.codes)?;
    let mut items = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        let s = sellable_or_refuse(&line.sku, line.quantity, currency)?;
        stock::hold(&s.sku, line.quantity, s.stock)?;
        let total = s.unit_price * line.quantity;
        let discount = discounts::off(&applied, &s.sku);
        let tax_rate = tax::rate(&s.tax_set, &country);
        items.push(Item {
            id: (n + 1).to_string(),
            sku: s.sku,
            name: s.name,
            quantity: line.quantity,
            unit_price: s.unit_price,
            total,
            discount,
            tax: context::included_tax(total - discount, tax_rate),
            tax_rate,
            ..Item::default()
        });
    }
    let subtotal: i64 = items.iter().map(|i| i.total).sum();
    if subtotal != asked_for {
        return Err(Failure::conflict(
            "prices changed while the order was placed; please check the cart and try again",
        ));
    }
    for d in &mut applied {
        let Some((p, s)) = promotional(d, currency, 0)? else {
            continue;
        };
        stock::hold(&s.sku, p.quantity, s.stock)?;
        let total = p.unit_price * p.quantity;
        let tax_rate = tax::rate(&s.tax_set, &country);
        items.push(Item {
            id: (items.len() + 1).to_string(),
            sku: s.sku,
            name: s.name,
            quantity: p.quantity,
            unit_price: p.unit_price,
            total,
            tax: context::included_tax(total, tax_rate),
            tax_rate,
            promotion: Some(d.id.clone()),
            ..Item::default()
        });
    }
    let subtotal: i64 = items.iter().map(|i| i.total).sum();
    let created = now();
    let shipment = Shipment::chosen(method, &country, created);
    let discount = discounts::total(&applied);
    let grand_total = subtotal - discount + shipment.price;
    let tax = items.iter().map(|i| i.tax).sum::<i64>() + shipment.tax;
    let mut order = OrderData {
        reference: next_reference()?,
        email: input.email,
        customer_id: placer.customer_id,
        process: process.name.to_owned(),
        currency: currency.to_owned(),
        store,
        locale: placer.locale.clone(),
        created,
        grand_total,
        shipping: input.shipping.unwrap_or_else(|| input.billing.clone()),
        billing: input.billing,
        totals: Totals {
            subtotal,
            discount,
            shipping: shipment.price,
            tax,
            grand_total,
            paid: 0,
            refunded: 0,
        },
        shipment,
        payment: payment.code.to_owned(),
        items,
        discounts: applied,
        placed_by: placer.by.clone(),
        ..OrderData::default()
    };
    let effects = transitions::start(&mut order, &placer.by)?;
    let id = transitions::save(None, None, &mut order, None, effects)?;
    let placed: Vec<ItemRef> = order
        .items
        .iter()
        .map(|i| ItemRef {
            item_id: i.id.clone(),
            sku: i.sku.clone(),
            quantity: i.quantity,
        })
        .collect();
    publish(
        "sales.order-placed",
        &serde_json::json!({"order_id": id, "reference": order.reference, "items": placed,
                            "codes": outcome.codes.iter().map(|c| &c.code).collect::<Vec<_>>()}),
    )
    .map_err(Failure::internal)?;
    crate::notices::order_placed(&id, &order)?;
    Ok((id, order))
}

/// Lines with current names, prices and availability, and their totals: what a cart or a
/// checkout page shows (prices are never taken from the cart itself).
#[derive(Debug, Default, Serialize)]
pub struct Priced {
    pub lines: Vec<PricedLine>,
    pub subtotal: i64,
    /// What the discounts take off (`discounts`: each with its name and amount).
    pub discount: i64,
    pub discounts: Vec<discounts::Applied>,
    /// The voucher codes of the cart and the ones it may not use, with why.
    pub codes: Vec<String>,
    pub refused_codes: Vec<discounts::Refused>,
    pub shipping: i64,
    pub tax: i64,
    pub grand_total: i64,
    /// The shipment methods offered for the cart; `shipping` is the first one's price.
    pub methods: Vec<shipping::Method>,
    /// False when no shipment method is offered: the cart cannot be ordered as it is.
    pub shipment_available: bool,
    /// False when a line is not for sale or not available in its quantity, or nothing ships.
    pub orderable: bool,
}

#[derive(Debug, Serialize)]
pub struct PricedLine {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub total: i64,
    /// Units that can still be sold (none: never out of stock).
    pub available: Option<i64>,
    /// Why the line cannot be ordered as it is.
    pub problem: Option<String>,
    /// Hundredths of a percent, for the country the cart's tax is estimated for.
    pub tax_rate: u32,
    /// The discount (id) whose promotional product this line is, at its price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion: Option<String>,
}

/// Units of `s` that can still be sold, under the sell-once rule.
pub fn available(s: &Sellable) -> Result<Option<i64>, Failure> {
    Ok(match s.stock {
        None => None,
        Some(stock) => Some((stock - stock::held(&s.sku)?).max(0)),
    })
}

/// Prices `lines` in `currency`; the tax is estimated for the default store's first country
/// (the order's tax follows its shipping address).
pub fn price(lines: &[CartLine], currency: &str, codes: &[String]) -> Result<Priced, Failure> {
    let country = tax::estimate_country();
    let mut priced = Priced {
        orderable: !lines.is_empty(),
        ..Priced::default()
    };
    let mut seen = BTreeMap::new();
    let mut for_sale = Vec::new();
    for line in lines {
        seen.insert(line.sku.clone(), line.quantity);
        let row = match catalog::sellable(&line.sku, line.quantity, currency)? {
            None => PricedLine {
                sku: line.sku.clone(),
                name: String::new(),
                quantity: line.quantity,
                unit_price: 0,
                total: 0,
                available: Some(0),
                problem: Some("not for sale".into()),
                tax_rate: 0,
                promotion: None,
            },
            Some(s) => {
                for_sale.push(discounts::Line::of(&s, line.quantity));
                let available = available(&s)?;
                let problem = available
                    .filter(|a| *a < line.quantity)
                    .map(|a| format!("only {a} available"));
                PricedLine {
                    total: s.unit_price * line.quantity,
                    tax_rate: tax::rate(&s.tax_set, &country),
                    sku: s.sku,
                    name: s.name,
                    quantity: line.quantity,
                    unit_price: s.unit_price,
                    available,
                    problem,
                    promotion: None,
                }
            }
        };
        priced.orderable &= row.problem.is_none();
        priced.subtotal += row.total;
        priced.lines.push(row);
    }
    if !priced.lines.is_empty() {
        let store = context::default_store().map(|s| s.code).unwrap_or_default();
        priced.methods = shipping::methods(&shipping::Question {
            store: &store,
            currency,
            country: Some(&country),
            subtotal: Some(priced.subtotal),
        });
    }
    let first = priced.methods.first();
    let store = context::default_store().map(|s| s.code).unwrap_or_default();
    let outcome = discounts_for(for_sale, &store, currency, first, None, codes);
    priced.discounts = outcome.applied;
    for d in &mut priced.discounts {
        let in_cart = d
            .promotion
            .as_ref()
            .and_then(|p| seen.get(&p.sku))
            .copied()
            .unwrap_or(0);
        let Some((p, s)) = promotional(d, currency, in_cart)? else {
            continue;
        };
        let row = PricedLine {
            total: p.unit_price * p.quantity,
            tax_rate: tax::rate(&s.tax_set, &country),
            available: available(&s)?,
            sku: s.sku,
            name: s.name,
            quantity: p.quantity,
            unit_price: p.unit_price,
            problem: None,
            promotion: Some(d.id.clone()),
        };
        priced.subtotal += row.total;
        priced.lines.push(row);
    }
    priced.refused_codes = outcome.refused;
    priced.codes = codes.to_vec();
    priced.discount = discounts::total(&priced.discounts);
    priced.shipment_available = first.is_some();
    priced.orderable &= priced.shipment_available;
    priced.shipping = first.map_or(0, |m| m.price);
    priced.grand_total = priced.subtotal - priced.discount + priced.shipping;
    priced.tax = priced
        .lines
        .iter()
        .map(|l| {
            let off = match l.promotion {
                Some(_) => 0,
                None => discounts::off(&priced.discounts, &l.sku),
            };
            context::included_tax(l.total - off, l.tax_rate)
        })
        .sum::<i64>()
        + first.map_or(0, |m| tax::of_shipping(m, &country).1);
    Ok(priced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_one_sku_merge_and_quantities_are_checked() {
        let line = |sku: &str, quantity| CartLine {
            sku: sku.into(),
            quantity,
        };
        let merged = merge(&[line("A", 1), line("B", 2), line("A", 3)]).unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].quantity, 4);
        assert_eq!(merge(&[]).unwrap_err().status, 422);
        assert_eq!(merge(&[line("A", 0)]).unwrap_err().status, 422);
        let many: Vec<CartLine> = (0..=LINES_MAX).map(|n| line(&n.to_string(), 1)).collect();
        assert!(merge(&many[..LINES_MAX]).is_ok());
        let refused = merge(&many).unwrap_err();
        assert_eq!(
            refused.message,
            "an order holds at most 100 different products"
        );
    }
}
