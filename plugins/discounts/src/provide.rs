//! Discounts' answer to sales' extension point `sales.cart-discounts` (the contract is in
//! sales' README): the active cart rules of the cart's store valid at its `now`, applied by
//! `apply.rs`, answered as adjustments per line with the discount's id and name. Read-only,
//! like every provider.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::apply::{self, Applied, Calc, Rule};
use crate::model::{Amount, CART_RULE, DiscountData, discounts, store_token};
use crate::query::{self, Cart, Kind};

/// The point sales owns and invokes when it prices a cart and places an order.
pub const POINT: &str = "sales.cart-discounts";

/// What sales asks: the cart (see [`Cart`]) and the voucher codes entered.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Question {
    #[serde(flatten)]
    pub cart: Cart,
    pub codes: Vec<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct LineShare {
    pub sku: String,
    pub amount: i64,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Adjustment {
    pub id: String,
    pub name: String,
    /// Minor units taken off the order: the sum of `lines`.
    pub amount: i64,
    pub lines: Vec<LineShare>,
    pub code: Option<String>,
}

#[derive(Debug, Serialize)]
struct Answer {
    discounts: Vec<Adjustment>,
    /// The voucher codes the answer used.
    codes: Vec<String>,
}

/// `data` ready to apply to `cart`, or `None` when it cannot apply there.
pub fn rule(id: &str, data: &DiscountData, cart: &Cart) -> Option<Rule> {
    if !data.active
        || data.kind != CART_RULE
        || !data.stores.contains(&cart.store)
        || !data.valid_at(cart.now)
    {
        return None;
    }
    let calc = match &data.amount {
        Amount::Percent(p) => Calc::Percent(Amount::basis_points(*p)),
        Amount::PerCurrency(map) => {
            let money = map.get(&cart.currency)?;
            Calc::Fixed(if cart.price_mode.eq_ignore_ascii_case("net") {
                money.net
            } else {
                money.gross
            })
        }
    };
    let decision = match data.decision_rule.trim() {
        "" => None,
        text => Some(query::parse(text, Kind::Decision).ok()?),
    };
    Some(Rule {
        id: id.to_owned(),
        name: data.display_name.clone(),
        calc,
        exclusive: data.exclusive,
        priority: data.priority,
        decision,
        collector: query::parse(&data.collector, Kind::Collector).ok()?,
        min_quantity: data.min_quantity,
        code: None,
    })
}

/// The adjustments of `applied` to `cart`.
pub fn adjustments(cart: &Cart, applied: Vec<Applied>) -> Vec<Adjustment> {
    applied
        .into_iter()
        .map(|a| Adjustment {
            lines: a
                .lines
                .iter()
                .map(|&(i, amount)| LineShare {
                    sku: cart.lines[i].sku.clone(),
                    amount,
                })
                .collect(),
            id: a.id,
            name: a.name,
            amount: a.amount,
            code: a.code,
        })
        .collect()
}

/// Answers the point.
pub fn answer(input: &str) -> Result<String, String> {
    let q: Question =
        serde_json::from_str(input).map_err(|e| format!("not a cart-discounts question: {e}"))?;
    let records = discounts()
        .query()
        .eq("active", true)
        .filter("store_index", Op::Contains, store_token(&q.cart.store))
        .fetch_all()
        .map_err(|e| Failure::from(e).message)?;
    let rules: Vec<Rule> = records
        .iter()
        .filter_map(|r| rule(&r.id, &r.data, &q.cart))
        .collect();
    let applied = apply::apply(&q.cart, &rules);
    let answer = Answer {
        discounts: adjustments(&q.cart, applied),
        codes: Vec::new(),
    };
    serde_json::to_string(&answer).map_err(|e| e.to_string())
}
