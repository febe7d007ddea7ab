//! The shipment methods a cart may choose, asked of the shipping sections through the
//! extension point sales owns, `sales.shipment-methods` (contract: README.md, *Extension
//! points*). Sales knows no carrier and no price list: it asks with the cart's store, currency,
//! shipping country and subtotal and offers what the providers answer.
//!
//! No answer means no method: a provider that fails, is disabled or absent offers nothing, and
//! a checkout without a method is refused (never shipped for free by default).

use backoffice_sdk::extensions;
use backoffice_sdk::prelude::*;
use backoffice_sdk::services::log;
use serde::{Deserialize, Serialize};

/// The point sales owns and invokes.
pub const POINT: &str = "sales.shipment-methods";

/// What sales asks: the cart's context. `country` and `subtotal` are left out when not known
/// (the assisted-order form before its items are): providers then do not check them.
#[derive(Debug, Clone, Serialize)]
pub struct Question<'a> {
    pub store: &'a str,
    pub currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtotal: Option<i64>,
}

/// How long a delivery takes, as the provider states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    pub text: String,
    pub min_days: i64,
    pub max_days: i64,
}

/// A shipment method on offer, as a provider answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub carrier: String,
    /// Gross minor units for this cart (0 when shipping is free for it).
    pub price: i64,
    /// The tax set (host Settings) the price is taxed as.
    #[serde(default)]
    pub tax_set: String,
    #[serde(default)]
    pub delivery: Delivery,
    /// The subtotal from which it is free, when it has one.
    #[serde(default)]
    pub free_from: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Answer {
    methods: Vec<Method>,
}

/// Every method offered for `question`, in the order the providers answered (a code offered
/// twice: the first). A provider's failure is logged and offers nothing.
pub fn methods(question: &Question) -> Vec<Method> {
    let answers = match extensions::invoke::<_, Answer>(POINT, question) {
        Ok(answers) => answers,
        Err(refused) => {
            log::warn(&format!("{POINT} could not be asked: {refused}"));
            return Vec::new();
        }
    };
    let mut out: Vec<Method> = Vec::new();
    for answer in answers {
        match answer.outcome {
            Ok(a) => {
                for m in a.methods {
                    if !out.iter().any(|o| o.code == m.code) {
                        out.push(m);
                    }
                }
            }
            Err(why) => log::warn(&format!("{POINT}: {} failed: {why}", answer.plugin)),
        }
    }
    out
}

/// The method `code` if it is offered for `question`; else 422 saying what is offered.
pub fn method(code: &str, question: &Question) -> Result<Method, Failure> {
    choose(code, methods(question))
}

/// The rule of [`method`] over the offered `methods`.
fn choose(code: &str, methods: Vec<Method>) -> Result<Method, Failure> {
    if methods.is_empty() {
        return Err(Failure::unprocessable(
            "no shipment method is available for this order",
        ));
    }
    if code.is_empty() {
        return Ok(methods.into_iter().next().expect("not empty"));
    }
    let offered: Vec<String> = methods.iter().map(|m| m.code.clone()).collect();
    methods.into_iter().find(|m| m.code == code).ok_or_else(|| {
        Failure::unprocessable(format!(
            "shipment method {code} is not available for this order (available: {})",
            offered.join(", ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(code: &str) -> Method {
        Method {
            code: code.into(),
            name: code.into(),
            carrier: String::new(),
            price: 0,
            tax_set: String::new(),
            delivery: Delivery::default(),
            free_from: None,
        }
    }

    #[test]
    fn only_an_offered_method_is_chosen_and_none_offered_is_refused() {
        assert_eq!(choose("b", vec![m("a"), m("b")]).unwrap().code, "b");
        assert_eq!(choose("", vec![m("a"), m("b")]).unwrap().code, "a");
        let forged = choose("free", vec![m("a")]).unwrap_err();
        assert_eq!(
            (forged.status, forged.message.as_str()),
            (
                422,
                "shipment method free is not available for this order (available: a)"
            )
        );
        let none = choose("a", Vec::new()).unwrap_err();
        assert_eq!(
            none.message,
            "no shipment method is available for this order"
        );
    }
}
