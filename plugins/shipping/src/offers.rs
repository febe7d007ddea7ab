//! Shipping's answer to sales' extension point `sales.shipment-methods` (the contract is in
//! sales' README): the active methods of active carriers that are available for a cart — its
//! store, currency, shipping country and subtotal — with their price there (free from the
//! currency's threshold) and delivery time. Read-only, like every provider.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{Delivery, MethodData, carriers, methods, store_token};

/// The point sales owns and invokes at checkout.
pub const POINT: &str = "sales.shipment-methods";

/// What sales asks. `country` and `subtotal` are absent when not known yet (a form before the
/// cart is): then they are not checked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Question {
    pub store: String,
    pub currency: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub subtotal: Option<i64>,
}

/// One method on offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    pub code: String,
    pub name: String,
    pub carrier: String,
    /// What the cart pays (gross; 0 from the free-shipping threshold on).
    pub price: i64,
    pub net: i64,
    pub tax_set: String,
    pub delivery: Delivery,
    /// The subtotal from which it is free in this currency, if it has one.
    pub free_from: Option<i64>,
}

#[derive(Debug, Serialize)]
struct Answer {
    methods: Vec<Offer>,
}

/// `method` (of `carrier`) as offered for `q`, or `None` when it is not available there.
pub fn offer(method: &MethodData, carrier: &str, q: &Question) -> Option<Offer> {
    if !method.active || !method.stores.contains(&q.store) {
        return None;
    }
    let price = method.price(&q.store, &q.currency)?;
    if let Some(country) = &q.country
        && !method.countries.is_empty()
        && !method.countries.contains(country)
    {
        return None;
    }
    let bound = |map: &BTreeMap<String, i64>| map.get(&q.currency).copied();
    let free_from = bound(&method.free_from);
    let (mut gross, mut net) = (price.gross, price.net);
    if let Some(subtotal) = q.subtotal {
        if bound(&method.min_subtotal).is_some_and(|min| subtotal < min)
            || bound(&method.max_subtotal).is_some_and(|max| subtotal > max)
        {
            return None;
        }
        if free_from.is_some_and(|from| subtotal >= from) {
            (gross, net) = (0, 0);
        }
    }
    Some(Offer {
        code: method.key.clone(),
        name: method.name.clone(),
        carrier: carrier.to_owned(),
        price: gross,
        net,
        tax_set: method.tax_set.clone(),
        delivery: method.delivery.clone(),
        free_from,
    })
}

/// Answers the point: the offers for the question in `input`, cheapest first.
pub fn answer(input: &str) -> Result<String, String> {
    let q: Question =
        serde_json::from_str(input).map_err(|e| format!("not a shipment question: {e}"))?;
    let offers = offers(&q).map_err(|f| f.message)?;
    serde_json::to_string(&Answer { methods: offers }).map_err(|e| e.to_string())
}

fn offers(q: &Question) -> Result<Vec<Offer>, Failure> {
    let carrier_names: BTreeMap<String, String> = carriers()
        .query()
        .eq("active", true)
        .fetch_all()?
        .into_iter()
        .map(|c| (c.id, c.data.name))
        .collect();
    let candidates = methods()
        .query()
        .eq("active", true)
        .filter("store_index", Op::Contains, store_token(&q.store))
        .fetch_all()?;
    let mut out: Vec<Offer> = candidates
        .iter()
        .filter_map(|m| {
            let carrier = carrier_names.get(&m.data.carrier_id)?;
            offer(&m.data, carrier, q)
        })
        .collect();
    out.sort_by(|a, b| a.price.cmp(&b.price).then_with(|| a.name.cmp(&b.name)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MethodPrice;

    fn method() -> MethodData {
        MethodData {
            key: "std".into(),
            name: "Standard".into(),
            active: true,
            stores: vec!["DE".into()],
            prices: vec![MethodPrice {
                store: "DE".into(),
                currency: "EUR".into(),
                gross: 495,
                net: 416,
            }],
            free_from: BTreeMap::from([("EUR".into(), 5000)]),
            countries: vec!["DE".into()],
            min_subtotal: BTreeMap::from([("EUR".into(), 100)]),
            max_subtotal: BTreeMap::from([("EUR".into(), 100_000)]),
            ..MethodData::default()
        }
    }

    fn question(country: &str, subtotal: i64) -> Question {
        Question {
            store: "DE".into(),
            currency: "EUR".into(),
            country: Some(country.into()),
            subtotal: Some(subtotal),
        }
    }

    #[test]
    fn a_method_is_offered_only_where_its_conditions_hold() {
        let m = method();
        assert_eq!(offer(&m, "DHL", &question("DE", 1000)).unwrap().price, 495);
        assert!(offer(&m, "DHL", &question("AT", 1000)).is_none(), "country");
        assert!(offer(&m, "DHL", &question("DE", 99)).is_none(), "below min");
        assert!(
            offer(&m, "DHL", &question("DE", 100_001)).is_none(),
            "above max"
        );
        let chf = Question {
            currency: "CHF".into(),
            ..question("DE", 1000)
        };
        assert!(offer(&m, "DHL", &chf).is_none(), "no CHF price");
        let at = Question {
            store: "AT".into(),
            ..question("DE", 1000)
        };
        assert!(offer(&m, "DHL", &at).is_none(), "not in store AT");
        let unknown = Question {
            country: None,
            subtotal: None,
            ..question("DE", 0)
        };
        assert_eq!(offer(&m, "DHL", &unknown).unwrap().price, 495);
        let mut off = m;
        off.active = false;
        assert!(offer(&off, "DHL", &question("DE", 1000)).is_none());
    }

    #[test]
    fn shipping_is_free_from_the_threshold_on() {
        let m = method();
        let below = offer(&m, "DHL", &question("DE", 4999)).unwrap();
        assert_eq!((below.price, below.free_from), (495, Some(5000)));
        let at = offer(&m, "DHL", &question("DE", 5000)).unwrap();
        assert_eq!((at.price, at.net), (0, 0));
    }
}
