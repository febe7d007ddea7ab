//! Discounts' answer to sales' extension point `sales.cart-discounts` (the contract is in
//! sales' README): the active cart rules of the cart's store valid at its `now`, applied by
//! `apply.rs`, answered as adjustments per line with the discount's id and name. Read-only,
//! like every provider.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::apply::{self, Applied, Calc, Promotion, Rule};
use std::collections::BTreeSet;

use crate::codes;
use crate::model::{Amount, CART_RULE, DiscountData, VOUCHER, discounts, store_token};
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
    /// The promotional product sales adds to the cart at its price (contract 0.2 addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion: Option<Promotion>,
}

/// A voucher code the answer used, with the limit sales enforces when the order is placed.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct UsedCode {
    pub code: String,
    pub max_uses: i64,
}

/// A code the cart may not use, and why (for the shopper).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Refused {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
struct Answer {
    discounts: Vec<Adjustment>,
    codes: Vec<UsedCode>,
    refused: Vec<Refused>,
}

/// `data` ready to apply to `cart` (a voucher: for `code`), or `None` when it cannot apply
/// there.
pub fn rule(id: &str, data: &DiscountData, cart: &Cart, code: Option<&str>) -> Option<Rule> {
    let kind = if code.is_some() { VOUCHER } else { CART_RULE };
    if !data.active
        || data.kind != kind
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
        code: code.map(str::to_owned),
        promotion: (!data.promotion_sku.is_empty()).then(|| Promotion {
            sku: data.promotion_sku.clone(),
            quantity: data.promotion_quantity,
            unit_price: data.promotion_price,
        }),
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
            promotion: a.promotion,
        })
        .collect()
}

/// The rules of the voucher codes of `q` (one code per pool, the pool being its discount),
/// their limits, and the codes refused with the reason.
fn vouchers(
    q: &Question,
    rules: &mut Vec<Rule>,
    limits: &mut Vec<(String, i64)>,
    refused: &mut Vec<Refused>,
) -> Result<(), Failure> {
    let mut pools = BTreeSet::new();
    for code in q.codes.iter().map(|c| codes::normal(c)) {
        let mut refuse = |message: String| {
            refused.push(Refused {
                code: code.clone(),
                message,
            })
        };
        let Some(rec) = codes::codes().find(&code)? else {
            refuse(format!("voucher code {code} does not exist"));
            continue;
        };
        let discount = discounts().find(&rec.data.discount_id)?;
        let voucher = discount.and_then(|d| Some((rule(&d.id, &d.data, &q.cart, Some(&code))?, d)));
        let Some((voucher, d)) = voucher else {
            refuse(format!("voucher code {code} is not valid for this cart"));
            continue;
        };
        if rec.data.uses >= rec.data.max_uses {
            refuse(format!("voucher code {code} has been used up"));
        } else if !pools.insert(d.id.clone()) {
            refuse(format!(
                "voucher code {code}: only one code of {} per cart",
                d.data.display_name
            ));
        } else {
            limits.push((code.clone(), rec.data.max_uses));
            rules.push(voucher);
        }
    }
    Ok(())
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
    let mut rules: Vec<Rule> = records
        .iter()
        .filter_map(|r| rule(&r.id, &r.data, &q.cart, None))
        .collect();
    let mut refused = Vec::new();
    let mut limits = Vec::new();
    vouchers(&q, &mut rules, &mut limits, &mut refused).map_err(|f| f.message)?;
    let applied = apply::apply(&q.cart, &rules);
    let codes = limits
        .into_iter()
        .filter(|(code, _)| applied.iter().any(|a| a.code.as_ref() == Some(code)))
        .map(|(code, max_uses)| UsedCode { code, max_uses })
        .collect();
    let answer = Answer {
        discounts: adjustments(&q.cart, applied),
        codes,
        refused,
    };
    serde_json::to_string(&answer).map_err(|e| e.to_string())
}
