//! The discounts of a cart, asked of the discount sections through the extension point sales
//! owns, `sales.cart-discounts` (contract: README.md, *Extension points*). Sales knows no rule:
//! it asks with the cart's lines and context and takes off what the providers answer.
//!
//! No answer means no discount: a provider that fails, is disabled or absent takes nothing
//! off, and the cart is sold at full price. An answer that does not add up (shares that do not
//! sum to its amount, a SKU not in the cart, more off a line than is left of it) is dropped
//! whole and logged, so no answer can make a line negative.

use std::collections::BTreeMap;

use backoffice_sdk::extensions;
use backoffice_sdk::prelude::*;
use backoffice_sdk::services::log;
use serde::{Deserialize, Serialize};

/// The point sales owns and invokes.
pub const POINT: &str = "sales.cart-discounts";

/// One cart line as asked about.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Line {
    pub sku: String,
    pub quantity: i64,
    /// Minor units, in `price_mode`.
    pub unit_price: i64,
    pub categories: Vec<String>,
    pub labels: Vec<String>,
    pub attributes: BTreeMap<String, String>,
}

impl Line {
    /// `quantity` of `s` at its price, with its product's traits.
    pub fn of(s: &crate::catalog::Sellable, quantity: i64) -> Line {
        Line {
            sku: s.sku.clone(),
            quantity,
            unit_price: s.unit_price,
            categories: s.traits.categories.clone(),
            labels: s.traits.labels.clone(),
            attributes: s.traits.attributes.clone(),
        }
    }
}

/// What sales asks (see the README for each field).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Question {
    /// The lines for sale, at current prices.
    pub lines: Vec<Line>,
    /// Their sum, before any discount.
    pub subtotal: i64,
    pub currency: String,
    /// `gross` (sales prices are gross).
    pub price_mode: &'static str,
    pub store: String,
    /// The customer's id as text; empty for a guest or before checkout.
    pub customer_reference: String,
    /// Empty: sales knows no customer groups yet.
    pub customer_group: String,
    pub customer_order_count: i64,
    /// The chosen (or first offered) shipment method's carrier name, code and price.
    pub shipment_carrier: String,
    pub shipment_method: String,
    pub shipment_price: Option<i64>,
    /// UTC seconds.
    pub now: i64,
    /// The voucher codes entered.
    pub codes: Vec<String>,
}

/// A discount's share of one line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Share {
    pub sku: String,
    pub amount: i64,
}

/// One applied discount, as answered and as an order keeps it (a copy: a later change of the
/// discount never changes a placed order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Applied {
    pub id: String,
    pub name: String,
    pub amount: i64,
    pub lines: Vec<Share>,
    pub code: Option<String>,
    /// The promotional product the discount adds to the cart at its price; an order keeps it
    /// only when it was added (see `checkout::promotional`).
    pub promotion: Option<Promotion>,
    /// The providing plugin.
    pub plugin: String,
}

/// A promotional product: `quantity` units of `sku` at `unit_price` (minor units, gross).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Promotion {
    pub sku: String,
    pub quantity: i64,
    pub unit_price: i64,
}

/// A voucher code a discount used, with the uses it allows (enforced by [`use_codes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsedCode {
    pub code: String,
    pub max_uses: i64,
}

/// A voucher code the cart may not use, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Refused {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Answer {
    discounts: Vec<Applied>,
    codes: Vec<UsedCode>,
    refused: Vec<Refused>,
}

/// What the providers answered together.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub applied: Vec<Applied>,
    pub codes: Vec<UsedCode>,
    pub refused: Vec<Refused>,
}

/// The discounts of every provider for `q`, in their order, each checked by [`accept`].
pub fn ask(q: &Question) -> Outcome {
    let mut outcome = Outcome::default();
    if q.lines.is_empty() {
        return outcome;
    }
    let answers = match extensions::invoke::<_, Answer>(POINT, q) {
        Ok(answers) => answers,
        Err(refused) => {
            log::warn(&format!("{POINT} could not be asked: {refused}"));
            return outcome;
        }
    };
    let mut left: BTreeMap<String, i64> = q
        .lines
        .iter()
        .map(|l| (l.sku.clone(), l.unit_price * l.quantity))
        .collect();
    for answer in answers {
        match answer.outcome {
            Ok(a) => {
                outcome.refused.extend(a.refused);
                for mut d in a.discounts {
                    d.plugin = answer.plugin.clone();
                    match accept(&d, &mut left) {
                        Ok(()) => {
                            if let Some(code) = &d.code
                                && let Some(used) = a.codes.iter().find(|c| &c.code == code)
                            {
                                outcome.codes.push(used.clone());
                            }
                            outcome.applied.push(d);
                        }
                        Err(why) => log::warn(&format!(
                            "{POINT}: {} answered discount {} that {why}; ignored",
                            answer.plugin, d.id
                        )),
                    }
                }
            }
            Err(why) => log::warn(&format!("{POINT}: {} failed: {why}", answer.plugin)),
        }
    }
    outcome
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct Uses {
    uses: i64,
}

/// Sales' own count of each voucher code's uses (id = the code), moved in the order's
/// transaction: what makes a code's limit exact under concurrent checkouts.
fn uses() -> Collection<Uses> {
    Collection::new("voucher_uses")
}

pub fn uses_collection() -> CollectionDef {
    CollectionDef::new("voucher_uses")
}

/// Counts one use of each of `codes`, refusing (422) a code at its limit. Call under
/// [`crate::counters::lock`].
pub fn use_codes(codes: &[UsedCode]) -> Result<(), Failure> {
    for c in codes {
        crate::counters::update(&uses(), &c.code, Uses::default, |u| {
            if u.uses >= c.max_uses {
                return Err(Failure::unprocessable(format!(
                    "voucher code {} has been used up",
                    c.code
                )));
            }
            u.uses += 1;
            Ok(())
        })?;
    }
    Ok(())
}

/// Takes `d`'s shares off `left` (what is left of each line), or says why it cannot.
fn accept(d: &Applied, left: &mut BTreeMap<String, i64>) -> Result<(), String> {
    if d.amount <= 0 || d.lines.iter().map(|s| s.amount).sum::<i64>() != d.amount {
        return Err("does not add up".into());
    }
    let mut after = left.clone();
    for s in &d.lines {
        let line = after
            .get_mut(&s.sku)
            .ok_or_else(|| format!("names {}, not in the cart", s.sku))?;
        if s.amount < 0 || s.amount > *line {
            return Err(format!("takes more off {} than is left", s.sku));
        }
        *line -= s.amount;
    }
    *left = after;
    Ok(())
}

/// The discount on `sku` over `applied`.
pub fn off(applied: &[Applied], sku: &str) -> i64 {
    applied
        .iter()
        .flat_map(|d| &d.lines)
        .filter(|s| s.sku == sku)
        .map(|s| s.amount)
        .sum()
}

/// The total of `applied`.
pub fn total(applied: &[Applied]) -> i64 {
    applied.iter().map(|d| d.amount).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(lines: &[(&str, i64)]) -> Applied {
        Applied {
            id: "x".into(),
            amount: lines.iter().map(|l| l.1).sum(),
            lines: lines
                .iter()
                .map(|(sku, amount)| Share {
                    sku: (*sku).into(),
                    amount: *amount,
                })
                .collect(),
            ..Applied::default()
        }
    }

    #[test]
    fn an_answer_that_does_not_add_up_is_refused() {
        let mut left = BTreeMap::from([("A".to_owned(), 100), ("B".to_owned(), 50)]);
        assert!(accept(&d(&[("A", 60), ("B", 50)]), &mut left).is_ok());
        assert!(accept(&d(&[("A", 41)]), &mut left).is_err(), "only 40 left");
        assert!(accept(&d(&[("C", 1)]), &mut left).is_err());
        let mut wrong = d(&[("A", 10)]);
        wrong.amount = 11;
        assert!(accept(&wrong, &mut left).is_err());
        assert_eq!(left["A"], 40, "a refused answer takes nothing off");
    }
}
