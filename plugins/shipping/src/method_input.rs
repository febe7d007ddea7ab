//! Reading and checking a shipment method from a form or a JSON body. Every problem is
//! collected and answered at once as one 422 naming each field (`prices[0].gross must not be
//! negative`, `prices: store AT has no price`). Stores, currencies, countries and tax sets are
//! the host's (Settings, WIT `context`), read once per call.
//!
//! Prices come as a JSON list `prices: [{store, currency, gross, net}]` (named `prices[i]` in
//! messages) or as form fields `price.<store>.<currency>.gross|net` (named
//! `price.<store>.<currency>`); amounts per currency as a JSON object (`free_from: {"EUR":
//! 5000}`) or form fields `free_from.<currency>`.

use std::collections::BTreeMap;

use backoffice_sdk::context::{self, Store};
use backoffice_sdk::input::Text;
use backoffice_sdk::money;
use backoffice_sdk::prelude::*;
use serde_json::Value;

use crate::model::{Delivery, MethodData, MethodPrice, carriers, store_index};

const KEY: Text = Text::line(40).required();
const NAME: Text = Text::line(100).required();
const DELIVERY_TEXT: Text = Text::line(100);
/// The longest delivery time a method may state.
pub const MAX_DAYS: i64 = 365;

/// The shop's settings the checks need.
struct Shop {
    stores: Vec<Store>,
    currencies: Vec<String>,
    /// Decimals per currency: forms take amounts in major units.
    digits: BTreeMap<String, u8>,
    countries: Vec<String>,
    tax_sets: Vec<String>,
}

impl Shop {
    /// The decimals a form's amount in `currency` takes; `None` for JSON (minor units).
    fn form_digits(&self, fields: &Fields, currency: &str) -> Option<u8> {
        fields
            .is_form()
            .then(|| self.digits.get(currency).copied().unwrap_or(2))
    }

    fn read() -> Shop {
        Shop {
            stores: context::stores(),
            currencies: context::currency_codes(),
            digits: money::digits_by_currency(),
            countries: context::countries().into_iter().map(|c| c.code).collect(),
            tax_sets: context::tax_sets().into_iter().map(|s| s.code).collect(),
        }
    }

    fn store(&self, code: &str) -> Option<&Store> {
        self.stores.iter().find(|s| s.code == code)
    }
}

/// `<what> <value> does not exist (under Settings: …)` unless `value` is one of `known`.
fn check_known(field: &str, what: &str, value: &str, known: &[String], errors: &mut Errors) {
    if !known.iter().any(|k| k == value) {
        errors.add(
            field,
            format!(
                "{field}: {what} {value} does not exist (under Settings: {})",
                known.join(", ")
            ),
        );
    }
}

/// An amount in minor units, not negative: a JSON integer, or a form's major units with at most
/// `form_digits` decimals (`4.95`; blank: none; `form_digits` is `None` for JSON, where a
/// text of digits still reads as minor units).
fn amount(field: &str, value: &Value, form_digits: Option<u8>, errors: &mut Errors) -> Option<i64> {
    if let (Value::String(text), Some(digits)) = (value, form_digits) {
        return money::parse_major(text, digits).unwrap_or_else(|e| {
            errors.add(field, e.message(field));
            None
        });
    }
    let parsed = match value {
        Value::Null => return None,
        Value::Number(n) => n.as_i64(),
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match parsed {
        None => errors.add(
            field,
            format!("{field} must be a whole number of minor units (cents)"),
        ),
        Some(n) if n < 0 => errors.add(field, format!("{field} must not be negative")),
        Some(n) => return Some(n),
    }
    None
}

/// Amounts per currency: the JSON object `name` or the form fields `name.<currency>`; `None`
/// when neither was sent.
fn per_currency(
    fields: &Fields,
    name: &str,
    shop: &Shop,
    errors: &mut Errors,
) -> Option<BTreeMap<String, i64>> {
    let pairs: Vec<(String, Value)> = match fields.value(name) {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(Value::Null) => Vec::new(),
        Some(_) => {
            errors.add(name, format!("{name} must map currencies to amounts"));
            return None;
        }
        None => {
            let prefix = format!("{name}.");
            let pairs: Vec<(String, Value)> = fields
                .prefixed(&prefix)
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect();
            if pairs.is_empty() && !fields.is_form() {
                return None;
            }
            pairs
        }
    };
    let mut out = BTreeMap::new();
    for (currency, value) in pairs {
        let field = format!("{name}.{currency}");
        let digits = shop.form_digits(fields, &currency);
        let Some(cents) = amount(&field, &value, digits, errors) else {
            continue;
        };
        check_known(&field, "currency", &currency, &shop.currencies, errors);
        out.insert(currency, cents);
    }
    Some(out)
}

/// One price as sent, with the name messages use for it.
struct SentPrice {
    field: String,
    store: String,
    currency: String,
    gross: Option<i64>,
    net: Option<i64>,
}

/// The prices sent: the JSON list `prices` or the form grid `price.<store>.<currency>.gross|net`
/// (a cell left blank is no price); `None` when neither was sent.
fn sent_prices(fields: &Fields, shop: &Shop, errors: &mut Errors) -> Option<Vec<SentPrice>> {
    if let Some(value) = fields.value("prices") {
        let Value::Array(items) = value else {
            errors.add(
                "prices",
                "prices must be a list of {store, currency, gross, net}",
            );
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = format!("prices[{i}]");
            let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or("").trim();
            let mut cents = |key: &str| match item.get(key) {
                None | Some(Value::Null) => {
                    errors.add(&field, format!("{field}.{key} is required"));
                    None
                }
                Some(v) => amount(&format!("{field}.{key}"), v, None, errors),
            };
            let (gross, net) = (cents("gross"), cents("net"));
            out.push(SentPrice {
                store: text("store").to_owned(),
                currency: text("currency").to_owned(),
                field,
                gross,
                net,
            });
        }
        return Some(out);
    }
    let mut cells: BTreeMap<(String, String), [Option<Value>; 2]> = BTreeMap::new();
    for (rest, value) in fields.prefixed("price.") {
        let mut parts = rest.split('.');
        let (Some(store), Some(currency), Some(part), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let slot = match part {
            "gross" => 0,
            "net" => 1,
            _ => continue,
        };
        cells.entry((store.into(), currency.into())).or_default()[slot] = Some(value.clone());
    }
    if cells.is_empty() && !fields.is_form() {
        return None;
    }
    let blank = |v: &Option<Value>| v.as_ref().is_none_or(|v| v.as_str() == Some(""));
    let mut out = Vec::new();
    for ((store, currency), [gross, net]) in cells {
        if blank(&gross) && blank(&net) {
            continue;
        }
        let field = format!("price.{store}.{currency}");
        let digits = shop.form_digits(fields, &currency);
        let mut cents = |key: &str, v: &Option<Value>| {
            if blank(v) {
                errors.add(&field, format!("{field}.{key} is required"));
                return None;
            }
            amount(&format!("{field}.{key}"), v.as_ref()?, digits, errors)
        };
        let (gross, net) = (cents("gross", &gross), cents("net", &net));
        out.push(SentPrice {
            field,
            store,
            currency,
            gross,
            net,
        });
    }
    Some(out)
}

/// Checks the prices against the method's stores and the shop; the stored list.
fn check_prices(
    sent: Vec<SentPrice>,
    stores: &[String],
    shop: &Shop,
    errors: &mut Errors,
) -> Vec<MethodPrice> {
    let mut out: Vec<MethodPrice> = Vec::new();
    for p in sent {
        let field = &p.field;
        match shop.store(&p.store) {
            None => errors.add(
                field,
                format!("{field}.store {:?} is not a store of the shop", p.store),
            ),
            Some(_) if !stores.contains(&p.store) => errors.add(
                field,
                format!(
                    "{field}.store {} is not one of the method's stores",
                    p.store
                ),
            ),
            Some(store) => {
                let cur_field = format!("{field}.currency");
                if !shop.currencies.contains(&p.currency) {
                    check_known(
                        &cur_field,
                        "currency",
                        &p.currency,
                        &shop.currencies,
                        errors,
                    );
                } else if !store.currencies.contains(&p.currency) {
                    errors.add(
                        &cur_field,
                        format!(
                            "{cur_field}: store {} does not sell in {} (it sells in {})",
                            store.code,
                            p.currency,
                            store.currencies.join(", ")
                        ),
                    );
                }
            }
        }
        if out
            .iter()
            .any(|o| o.store == p.store && o.currency == p.currency)
        {
            errors.add(
                field,
                format!(
                    "{field}: a price for store {} in {} is given twice (one price per store and currency)",
                    p.store, p.currency
                ),
            );
            continue;
        }
        if let (Some(gross), Some(net)) = (p.gross, p.net) {
            out.push(MethodPrice {
                store: p.store,
                currency: p.currency,
                gross,
                net,
            });
        }
    }
    out
}

/// Applies what the client sent to `data` (fields not sent are kept; a new method is active)
/// and checks the result; 422 naming every wrong field.
pub fn apply(fields: &Fields, data: &mut MethodData, creating: bool) -> Result<(), Failure> {
    let shop = Shop::read();
    let mut errors = Errors::new();
    let text = |name: &str, errors: &mut Errors| fields.text(name, errors);
    if let Some(key) = text("key", &mut errors) {
        data.key = key;
    }
    if let Some(name) = text("name", &mut errors) {
        data.name = name;
    }
    if let Some(carrier) = text("carrier", &mut errors) {
        data.carrier_id = carrier;
    }
    if let Some(tax_set) = text("tax_set", &mut errors) {
        data.tax_set = tax_set;
    }
    let active = fields.checkbox("active", &mut errors);
    data.active = active.unwrap_or(creating || data.active);
    if let Some(stores) = fields.selected("stores", &mut errors) {
        data.stores = stores;
    }
    if let Some(countries) = fields.selected("countries", &mut errors) {
        data.countries = countries.into_iter().map(|c| c.to_uppercase()).collect();
    }
    let delivery = &mut data.delivery;
    if let Some(t) = text("delivery_text", &mut errors) {
        delivery.text = t;
    }
    if let Some(d) = fields.integer("min_days", &mut errors) {
        delivery.min_days = d;
    }
    if let Some(d) = fields.integer("max_days", &mut errors) {
        delivery.max_days = d;
    }
    let sent = sent_prices(fields, &shop, &mut errors);
    for (name, map) in [
        ("free_from", &mut data.free_from),
        ("min_subtotal", &mut data.min_subtotal),
        ("max_subtotal", &mut data.max_subtotal),
    ] {
        if let Some(sent) = per_currency(fields, name, &shop, &mut errors) {
            *map = sent;
        }
    }
    check(data, sent, &shop, &mut errors)?;
    errors.finish()
}

/// The rules of a whole method.
fn check(
    data: &mut MethodData,
    sent: Option<Vec<SentPrice>>,
    shop: &Shop,
    errors: &mut Errors,
) -> Result<(), Failure> {
    KEY.check("key", &data.key, errors);
    if !data
        .key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        errors.add(
            "key",
            "key may hold lower-case letters, digits, - and _ only",
        );
    }
    NAME.check("name", &data.name, errors);
    DELIVERY_TEXT.check("delivery_text", &data.delivery.text, errors);
    if data.carrier_id.is_empty() {
        errors.add("carrier", "carrier is required");
    } else if carriers().find(&data.carrier_id)?.is_none() {
        errors.add(
            "carrier",
            format!("carrier {} does not exist", data.carrier_id),
        );
    }
    if data.tax_set.is_empty() {
        data.tax_set = shop.tax_sets.first().cloned().unwrap_or_default();
    }
    check_known("tax_set", "tax set", &data.tax_set, &shop.tax_sets, errors);
    let Delivery {
        min_days, max_days, ..
    } = data.delivery;
    for (field, days) in [("min_days", min_days), ("max_days", max_days)] {
        if !(0..=MAX_DAYS).contains(&days) {
            errors.add(field, format!("{field} must be from 0 to {MAX_DAYS}"));
        }
    }
    if min_days > max_days {
        errors.add("max_days", "max_days must not be below min_days");
    }
    if data.stores.is_empty() {
        errors.add("stores", "stores: choose at least one store");
    }
    for store in &data.stores {
        if shop.store(store).is_none() {
            errors.add("stores", format!("stores: store {store} does not exist"));
        }
    }
    for country in &data.countries {
        check_known("countries", "country", country, &shop.countries, errors);
    }
    // The stores with a price, even one refused above (its own message says what is wrong).
    let priced: Vec<String> = match sent {
        Some(sent) => {
            let priced = sent.iter().map(|p| p.store.clone()).collect();
            data.prices = check_prices(sent, &data.stores, shop, errors);
            priced
        }
        None => {
            data.prices.retain(|p| data.stores.contains(&p.store));
            data.prices.iter().map(|p| p.store.clone()).collect()
        }
    };
    for store in &data.stores {
        if !priced.contains(store) {
            errors.add(
                "prices",
                format!("prices: store {store} has no price (add one, or remove the store)"),
            );
        }
    }
    for (currency, min) in &data.min_subtotal {
        if data.max_subtotal.get(currency).is_some_and(|max| max < min) {
            errors.add(
                "max_subtotal",
                format!("max_subtotal.{currency} must not be below min_subtotal.{currency}"),
            );
        }
    }
    data.store_index = store_index(&data.stores);
    Ok(())
}

/// Where a method with these stores and prices is not offered for want of a price: `AT in
/// CHF`, … (a store's currency without a price). The form shows them.
pub fn gaps(data: &MethodData) -> Vec<String> {
    let mut out = Vec::new();
    for store in context::stores() {
        if !data.stores.contains(&store.code) {
            continue;
        }
        for currency in &store.currencies {
            if data.price(&store.code, currency).is_none() {
                out.push(format!("{} in {currency}", store.code));
            }
        }
    }
    out
}
