//! Evaluating a parsed query against a cart (decision rule) or one of its items (collector),
//! under a deterministic [`Budget`]: every clause tried on an item or the cart costs one step
//! plus one per list value, and once the budget is spent nothing more matches.

use std::collections::BTreeMap;

use backoffice_sdk::dates::{parse_ymd, ymd};
use serde::Deserialize;

use super::{Clause, Expr, Field, Join, Op, Term, Value};

/// One line of the cart, as sales describes it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Item {
    pub sku: String,
    pub quantity: i64,
    /// Minor units, in the cart's price mode.
    pub unit_price: i64,
    pub categories: Vec<String>,
    pub labels: Vec<String>,
    pub attributes: BTreeMap<String, String>,
}

/// The cart a decision rule is asked about.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Cart {
    pub lines: Vec<Item>,
    pub subtotal: i64,
    pub currency: String,
    /// `gross` or `net`.
    pub price_mode: String,
    pub store: String,
    pub customer_reference: String,
    pub customer_group: String,
    pub customer_order_count: i64,
    pub shipment_carrier: String,
    pub shipment_method: String,
    pub shipment_price: Option<i64>,
    /// Unix seconds; the calendar fields are read in UTC.
    pub now: i64,
}

impl Cart {
    /// A copy with every text lower-cased, which queries compare against.
    pub fn lowered(&self) -> Cart {
        let low = |s: &String| s.to_lowercase();
        Cart {
            lines: self
                .lines
                .iter()
                .map(|i| Item {
                    sku: low(&i.sku),
                    categories: i.categories.iter().map(low).collect(),
                    labels: i.labels.iter().map(low).collect(),
                    attributes: i
                        .attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), low(v)))
                        .collect(),
                    ..i.clone()
                })
                .collect(),
            currency: low(&self.currency),
            price_mode: low(&self.price_mode),
            store: low(&self.store),
            customer_reference: low(&self.customer_reference),
            customer_group: low(&self.customer_group),
            shipment_carrier: low(&self.shipment_carrier),
            shipment_method: low(&self.shipment_method),
            ..self.clone()
        }
    }

    pub fn total_quantity(&self) -> i64 {
        self.lines.iter().map(|l| l.quantity).sum()
    }
}

/// Steps left; spent by [`Expr::matches`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub left: u64,
    exhausted: bool,
}

impl Budget {
    pub fn new(steps: u64) -> Budget {
        Budget {
            left: steps,
            exhausted: false,
        }
    }

    /// Takes `n` steps; false once the budget is spent.
    fn take(&mut self, n: u64) -> bool {
        if self.left < n {
            self.left = 0;
            self.exhausted = true;
            return false;
        }
        self.left -= n;
        true
    }

    /// Whether a step was refused: the query did not finish.
    pub fn spent(&self) -> bool {
        self.exhausted
    }
}

/// What a query is evaluated against (texts lower-cased: [`Cart::lowered`]).
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// A decision rule: cart fields, and item fields of any item.
    Cart(&'a Cart),
    /// A collector: this item's fields.
    Item(&'a Cart, &'a Item),
}

impl Expr {
    /// Whether the query holds in `scope`, left to right; false once `budget` is spent.
    pub fn matches(&self, scope: Scope, budget: &mut Budget) -> bool {
        let mut acc = self.first.matches(scope, budget);
        for (join, term) in &self.rest {
            acc = match join {
                Join::And => acc && term.matches(scope, budget),
                Join::Or => acc || term.matches(scope, budget),
            };
        }
        acc && !budget.spent()
    }
}

impl Term {
    fn matches(&self, scope: Scope, budget: &mut Budget) -> bool {
        match self {
            Term::Group(e) => e.matches(scope, budget),
            Term::Clause(c) => match scope {
                Scope::Item(_, item) if c.field.of_item() => on_item(c, item, budget),
                Scope::Cart(cart) if c.field.of_item() => {
                    cart.lines.iter().any(|item| on_item(c, item, budget))
                }
                Scope::Cart(cart) | Scope::Item(cart, _) => on_cart(c, cart, budget),
            },
        }
    }
}

fn cost(clause: &Clause) -> u64 {
    1 + match &clause.value {
        Value::Texts(l) => l.len() as u64,
        Value::Numbers(l) => l.len() as u64,
        _ => 0,
    }
}

fn on_item(c: &Clause, item: &Item, budget: &mut Budget) -> bool {
    if !budget.take(cost(c)) {
        return false;
    }
    match &c.field {
        Field::Sku => texts(c, &[item.sku.as_str()]),
        Field::Category => texts(
            c,
            &item
                .categories
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ),
        Field::ProductLabel => texts(
            c,
            &item.labels.iter().map(String::as_str).collect::<Vec<_>>(),
        ),
        Field::Attribute(key) => match item.attributes.get(key) {
            Some(v) => texts(c, &[v.as_str()]),
            None => texts(c, &[]),
        },
        Field::ItemQuantity => number(c, Some(item.quantity)),
        Field::ItemPrice => number(c, Some(item.unit_price)),
        _ => false,
    }
}

fn on_cart(c: &Clause, cart: &Cart, budget: &mut Budget) -> bool {
    if !budget.take(cost(c)) {
        return false;
    }
    let text = |s: &str| texts(c, &[s]);
    let cal = calendar(cart.now);
    match &c.field {
        Field::SubTotal => number(c, Some(cart.subtotal)),
        Field::GrandTotal => number(c, Some(cart.subtotal + cart.shipment_price.unwrap_or(0))),
        Field::TotalQuantity => number(c, Some(cart.total_quantity())),
        Field::CalendarWeek => number(c, Some(cal.week)),
        Field::DayOfWeek => number(c, Some(cal.weekday)),
        Field::Month => number(c, Some(cal.month)),
        Field::Time => number(c, Some(cal.minute_of_day)),
        Field::Currency => text(&cart.currency),
        Field::PriceMode => text(&cart.price_mode),
        Field::CustomerGroup => text(&cart.customer_group),
        Field::CustomerReference => text(&cart.customer_reference),
        Field::CustomerOrderCount => number(c, Some(cart.customer_order_count)),
        Field::ShipmentCarrier => text(&cart.shipment_carrier),
        Field::ShipmentMethod => text(&cart.shipment_method),
        Field::ShipmentPrice => number(c, cart.shipment_price),
        _ => false,
    }
}

/// A text clause over a field's values (several for categories and labels; none when absent).
fn texts(c: &Clause, values: &[&str]) -> bool {
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
    match (&c.value, c.op) {
        (Value::Any, Op::Eq) => any(&|v| !v.is_empty()),
        (Value::Any, _) => !any(&|v| !v.is_empty()),
        (Value::Text(t), Op::Eq) => any(&|v| v == t),
        (Value::Text(t), Op::Ne) => !any(&|v| v == t),
        (Value::Text(t), Op::Contains) => any(&|v| v.contains(t.as_str())),
        (Value::Text(t), Op::NotContains) => !any(&|v| v.contains(t.as_str())),
        (Value::Texts(l), Op::In) => any(&|v| l.iter().any(|t| t == v)),
        (Value::Texts(l), Op::NotIn) => !any(&|v| l.iter().any(|t| t == v)),
        _ => false,
    }
}

/// A numeric clause; an absent value (no shipment yet) is only ever "not" something.
fn number(c: &Clause, value: Option<i64>) -> bool {
    let Some(v) = value else {
        return matches!(c.op, Op::Ne | Op::NotIn);
    };
    match (&c.value, c.op) {
        (Value::Any, Op::Eq) => true,
        (Value::Any, _) => false,
        (Value::Number(n), op) => match op {
            Op::Eq => v == *n,
            Op::Ne => v != *n,
            Op::Lt => v < *n,
            Op::Le => v <= *n,
            Op::Gt => v > *n,
            Op::Ge => v >= *n,
            _ => false,
        },
        (Value::Numbers(l), Op::In) => l.contains(&v),
        (Value::Numbers(l), Op::NotIn) => !l.contains(&v),
        _ => false,
    }
}

/// The calendar fields of a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    /// ISO 8601 week, 1–53.
    pub week: i64,
    /// 1 (Monday) – 7 (Sunday).
    pub weekday: i64,
    pub month: i64,
    pub minute_of_day: i64,
}

/// (year, month) of a day number (days since 1970-01-01), from the SDK's calendar.
fn year_month(days: i64) -> (i64, i64) {
    let text = ymd(days);
    let num = |r: std::ops::Range<usize>| text.get(r).and_then(|t| t.parse().ok()).unwrap_or(0);
    (num(0..4), num(5..7))
}

pub fn calendar(now: i64) -> Calendar {
    let days = now.div_euclid(86_400);
    let weekday = (days + 3).rem_euclid(7) + 1;
    let thursday = days - weekday + 4;
    let (year, _) = year_month(thursday);
    let new_year = parse_ymd(&format!("{year:04}-01-01")).unwrap_or(thursday);
    let week = (thursday - new_year) / 7 + 1;
    Calendar {
        week,
        weekday,
        month: year_month(days).1,
        minute_of_day: now.rem_euclid(86_400) / 60,
    }
}
