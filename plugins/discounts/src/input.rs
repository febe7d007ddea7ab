//! Reading and checking a discount from a form or a JSON body: every problem is collected and
//! answered at once as one 422 naming each field (`decision_rule: at 12: unknown field …`).

use std::collections::BTreeMap;

use backoffice_sdk::context;
use backoffice_sdk::dates::parse_ymd;
use backoffice_sdk::input::Text;
use backoffice_sdk::prelude::*;
use serde_json::Value;

use crate::model::{
    Amount, CART_RULE, DiscountData, FIXED, Money, PERCENTAGE, VOUCHER, store_index,
};
use crate::query::{self, Kind};

const NAME: Text = Text::line(200).required();
const DESCRIPTION: Text = Text::lines(2000);
const PROMOTION_SKU: Text = Text::line(100);
pub const PRIORITY_MAX: i64 = 9999;
pub const PROMOTION_QUANTITY_MAX: i64 = 1000;
/// `to_at` of a discount valid for ever: 10000-01-01.
pub const OPEN_END: i64 = 253_402_300_800;

/// `YYYY-MM-DD` (`end`: the day after it) or `YYYY-MM-DDTHH:MM` as UTC seconds.
pub fn moment(text: &str, end: bool) -> Option<i64> {
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let day = parse_ymd(date)? * 86_400;
    match time {
        None => Some(if end { day + 86_400 } else { day }),
        Some(t) => {
            let (h, m) = t.split_once(':')?;
            let (h, m): (i64, i64) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
            ((0..24).contains(&h) && (0..60).contains(&m)).then_some(day + h * 3600 + m * 60)
        }
    }
}

/// The amount as sent for `calculator`.
fn amount(fields: &Fields, calculator: &str, errors: &mut Errors) -> Option<Amount> {
    let value = fields.value("amount")?;
    if calculator == PERCENTAGE {
        let p = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        return match p {
            Some(p) if p > 0.0 && p <= 100.0 && (p * 100.0).fract() == 0.0 => {
                Some(Amount::Percent(p))
            }
            _ => {
                errors.add(
                    "amount",
                    "amount must be a percentage above 0 and at most 100 (2 decimals at most)",
                );
                None
            }
        };
    }
    let Value::Object(map) = value else {
        errors.add(
            "amount",
            "amount of a fixed discount maps currencies to {gross, net} in minor units",
        );
        return None;
    };
    let currencies = context::currency_codes();
    let mut out = BTreeMap::new();
    for (currency, v) in map {
        let field = format!("amount.{currency}");
        if !currencies.contains(currency) {
            errors.add(
                &field,
                format!("{field}: currency {currency} does not exist"),
            );
            continue;
        }
        let cents = |v: Option<&Value>| v.and_then(Value::as_i64).filter(|n| *n > 0);
        let money = match v {
            Value::Object(o) => cents(o.get("gross")).zip(cents(o.get("net"))),
            n => cents(Some(n)).map(|c| (c, c)),
        };
        match money {
            Some((gross, net)) => {
                out.insert(currency.clone(), Money { gross, net });
            }
            None => errors.add(
                &field,
                format!("{field} must be positive whole minor units (gross and net)"),
            ),
        }
    }
    if out.is_empty() && !errors.has("amount") {
        errors.add("amount", "amount: give at least one currency");
    }
    Some(Amount::PerCurrency(out))
}

/// Applies what the client sent to `data` (fields not sent are kept; a new discount is active,
/// priority 9999) and checks the result; 422 naming every wrong field.
pub fn apply(fields: &Fields, data: &mut DiscountData, creating: bool) -> Result<(), Failure> {
    let mut errors = Errors::new();
    let e = &mut errors;
    for (name, slot) in [
        ("display_name", &mut data.display_name),
        ("description", &mut data.description),
        ("type", &mut data.kind),
        ("calculator", &mut data.calculator),
        ("valid_from", &mut data.valid_from),
        ("valid_to", &mut data.valid_to),
        ("decision_rule", &mut data.decision_rule),
        ("collector", &mut data.collector),
        ("promotion_sku", &mut data.promotion_sku),
    ] {
        if let Some(v) = fields.text(name, e) {
            *slot = v;
        }
    }
    if creating {
        data.priority = PRIORITY_MAX;
        data.active = true;
        if data.kind.is_empty() {
            data.kind = CART_RULE.into();
        }
    }
    if let Some(v) = fields.checkbox("active", e) {
        data.active = v;
    }
    if let Some(v) = fields.checkbox("exclusive", e) {
        data.exclusive = v;
    }
    if let Some(v) = fields.integer("priority", e) {
        data.priority = v;
    }
    if let Some(v) = fields.integer("min_quantity", e) {
        data.min_quantity = v;
    }
    if let Some(v) = fields.integer("promotion_quantity", e) {
        data.promotion_quantity = v;
    }
    if let Some(v) = fields.integer("promotion_price", e) {
        data.promotion_price = v;
    }
    if let Some(v) = fields.selected("stores", e) {
        data.stores = v;
    }
    if let Some(a) = amount(fields, &data.calculator, e) {
        data.amount = a;
    }
    check(data, e);
    errors.finish()
}

fn check(data: &mut DiscountData, errors: &mut Errors) {
    NAME.check("display_name", &data.display_name, errors);
    DESCRIPTION.check("description", &data.description, errors);
    if ![CART_RULE, VOUCHER].contains(&data.kind.as_str()) {
        errors.add("type", "type must be cart-rule or voucher");
    }
    if ![PERCENTAGE, FIXED].contains(&data.calculator.as_str()) {
        errors.add("calculator", "calculator must be percentage or fixed");
    } else if !errors.has("amount")
        && matches!(data.amount, Amount::Percent(_)) != (data.calculator == PERCENTAGE)
    {
        errors.add(
            "amount",
            format!("amount is required for a {} discount", data.calculator),
        );
    }
    if !(1..=PRIORITY_MAX).contains(&data.priority) {
        errors.add(
            "priority",
            format!("priority must be from 1 to {PRIORITY_MAX}"),
        );
    }
    if data.min_quantity < 0 {
        errors.add("min_quantity", "min_quantity must not be negative");
    }
    data.promotion_sku = data.promotion_sku.trim().to_owned();
    if data.promotion_sku.is_empty() {
        data.promotion_quantity = 0;
        data.promotion_price = 0;
    } else {
        PROMOTION_SKU.check("promotion_sku", &data.promotion_sku, errors);
        if !(1..=PROMOTION_QUANTITY_MAX).contains(&data.promotion_quantity) {
            errors.add(
                "promotion_quantity",
                format!("promotion_quantity must be from 1 to {PROMOTION_QUANTITY_MAX}"),
            );
        }
        if data.promotion_price < 0 {
            errors.add(
                "promotion_price",
                "promotion_price must be whole minor units, 0 or more",
            );
        }
    }
    let shop = context::store_codes();
    for s in &data.stores {
        if !shop.contains(s) {
            errors.add("stores", format!("stores: store {s} does not exist"));
        }
    }
    if data.stores.is_empty() {
        errors.add("stores", "stores: choose at least one store");
    }
    data.store_index = store_index(&data.stores);
    data.from_at = 0;
    data.to_at = OPEN_END;
    for (name, text, end) in [
        ("valid_from", &data.valid_from, false),
        ("valid_to", &data.valid_to, true),
    ] {
        if text.is_empty() {
            continue;
        }
        match moment(text, end) {
            Some(at) if end => data.to_at = at,
            Some(at) => data.from_at = at,
            None => errors.add(
                name,
                format!("{name} must be YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
            ),
        }
    }
    if data.from_at >= data.to_at {
        errors.add("valid_to", "valid_to must be after valid_from");
    }
    for (name, text, kind) in [
        ("decision_rule", &data.decision_rule, Kind::Decision),
        ("collector", &data.collector, Kind::Collector),
    ] {
        if text.is_empty() && kind == Kind::Decision {
            continue;
        }
        if let Err(e) = query::parse(text, kind) {
            errors.add(name, format!("{name}: at {}: {}", e.position, e.message));
        }
    }
}
