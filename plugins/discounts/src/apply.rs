//! Applying discounts to a cart, pure: which discounts apply (decision rule, collector, minimum
//! quantity), in which order, and how much each takes off each line.
//!
//! - Discounts run grouped by priority ascending (lower first); within a group the larger
//!   amount (on the cart as asked) first; the first exclusive discount that applies wins its
//!   group and drops the rest of it.
//! - Each discount works on what earlier ones left of its collected lines: a percentage
//!   (capped at 100 %) of their sum, rounded half up; a fixed amount, at most their sum.
//! - The amount is spread over the collected lines in proportion to what is left of each, by
//!   rounding the running total (the remainders carry), so the shares sum exactly to the amount
//!   and no share exceeds its line: a discount never makes a line negative.

use crate::query::{Budget, Cart, Expr, Scope};

/// Steps one discount's queries may take against one cart (see [`Budget`]).
pub const BUDGET: u64 = 20_000;

/// How a discount computes its amount, resolved for the cart's currency and price mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calc {
    /// Hundredths of a percent (1000 = 10 %), capped at 10 000.
    Percent(i64),
    /// Minor units.
    Fixed(i64),
}

/// A discount ready to apply.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub calc: Calc,
    pub exclusive: bool,
    pub priority: i64,
    /// `None`: always.
    pub decision: Option<Expr>,
    pub collector: Expr,
    /// The collected lines must hold at least this many units.
    pub min_quantity: i64,
    /// The voucher code it was asked for with, if any.
    pub code: Option<String>,
    /// The promotional product it adds to the cart when it applies.
    pub promotion: Option<Promotion>,
}

/// A promotional product: `quantity` units of `sku` added to the cart at `unit_price`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Promotion {
    pub sku: String,
    pub quantity: i64,
    pub unit_price: i64,
}

/// One applied discount: its total and its share of each line (by index into the cart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub id: String,
    pub name: String,
    pub amount: i64,
    pub lines: Vec<(usize, i64)>,
    pub code: Option<String>,
    pub promotion: Option<Promotion>,
}

fn amount_of(calc: Calc, base: i64) -> i64 {
    match calc {
        Calc::Percent(p) => (base * p.clamp(0, 10_000) + 5_000) / 10_000,
        Calc::Fixed(f) => f.clamp(0, base),
    }
}

/// `amount` (≤ the sum of `weights`) spread over `weights` in proportion, shares summing to it.
pub fn spread(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if total <= 0 {
        return vec![0; weights.len()];
    }
    let mut running = 0i128;
    let mut given = 0i64;
    weights
        .iter()
        .map(|w| {
            running += i128::from(*w);
            let upto = ((i128::from(amount) * running * 2 + total) / (total * 2)) as i64;
            let share = upto - given;
            given = upto;
            share
        })
        .collect()
}

/// A rule that applies to the cart: its collected lines and its amount on the cart as asked.
struct Candidate<'a> {
    rule: &'a Rule,
    collected: Vec<usize>,
    potential: i64,
}

/// The discounts among `rules` that apply to `cart`, in the order applied, with their shares.
pub fn apply(cart: &Cart, rules: &[Rule]) -> Vec<Applied> {
    let low = cart.lowered();
    let totals: Vec<i64> = cart
        .lines
        .iter()
        .map(|l| l.unit_price.max(0) * l.quantity.max(0))
        .collect();
    let mut candidates: Vec<Candidate> = rules
        .iter()
        .filter_map(|rule| {
            let mut budget = Budget::new(BUDGET);
            if let Some(d) = &rule.decision
                && !d.matches(Scope::Cart(&low), &mut budget)
            {
                return None;
            }
            let collected: Vec<usize> = (0..low.lines.len())
                .filter(|&i| {
                    rule.collector
                        .matches(Scope::Item(&low, &low.lines[i]), &mut budget)
                })
                .collect();
            let units: i64 = collected.iter().map(|&i| low.lines[i].quantity).sum();
            if collected.is_empty() || units < rule.min_quantity.max(1) {
                return None;
            }
            let base = collected.iter().map(|&i| totals[i]).sum();
            let potential = amount_of(rule.calc, base);
            (potential > 0).then_some(Candidate {
                rule,
                collected,
                potential,
            })
        })
        .collect();
    candidates.sort_by(|a, b| {
        (a.rule.priority, -a.potential, &a.rule.name, &a.rule.id).cmp(&(
            b.rule.priority,
            -b.potential,
            &b.rule.name,
            &b.rule.id,
        ))
    });
    let mut left = totals;
    let mut out = Vec::new();
    for group in candidates.chunk_by(|a, b| a.rule.priority == b.rule.priority) {
        let winners: Vec<&Candidate> = match group.iter().find(|c| c.rule.exclusive) {
            Some(exclusive) => vec![exclusive],
            None => group.iter().collect(),
        };
        for c in winners {
            let weights: Vec<i64> = c.collected.iter().map(|&i| left[i]).collect();
            let amount = amount_of(c.rule.calc, weights.iter().sum());
            if amount <= 0 {
                continue;
            }
            let shares = spread(amount, &weights);
            let mut lines = Vec::new();
            for (&i, share) in c.collected.iter().zip(shares) {
                left[i] -= share;
                if share > 0 {
                    lines.push((i, share));
                }
            }
            out.push(Applied {
                id: c.rule.id.clone(),
                name: c.rule.name.clone(),
                amount,
                lines,
                code: c.rule.code.clone(),
                promotion: c.rule.promotion.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Item, Kind, parse};

    fn cart(prices: &[(&str, i64, i64)]) -> Cart {
        Cart {
            lines: prices
                .iter()
                .map(|(sku, q, p)| Item {
                    sku: (*sku).into(),
                    quantity: *q,
                    unit_price: *p,
                    ..Item::default()
                })
                .collect(),
            ..Cart::default()
        }
    }

    fn rule(id: &str, calc: Calc, priority: i64, exclusive: bool, collector: &str) -> Rule {
        Rule {
            id: id.into(),
            name: id.into(),
            calc,
            exclusive,
            priority,
            decision: None,
            collector: parse(collector, Kind::Collector).unwrap(),
            min_quantity: 1,
            code: None,
            promotion: None,
        }
    }

    #[test]
    fn shares_sum_exactly_and_stay_in_proportion() {
        assert_eq!(spread(100, &[333, 333, 333]), [33, 34, 33]);
        assert_eq!(spread(5, &[0, 10]), [0, 5]);
        for (amount, weights) in [(999, vec![1, 998]), (1, vec![5, 5, 5]), (0, vec![3])] {
            let shares = spread(amount, &weights);
            assert_eq!(shares.iter().sum::<i64>(), amount);
            assert!(
                shares
                    .iter()
                    .zip(&weights)
                    .all(|(s, w)| *s <= *w && *s >= 0)
            );
        }
    }

    #[test]
    fn ten_percent_of_odd_cents_sums_exactly() {
        let c = cart(&[("A", 1, 333), ("B", 1, 333), ("C", 1, 333)]);
        let applied = apply(
            &c,
            &[rule("ten", Calc::Percent(1000), 1, false, "sku = '*'")],
        );
        assert_eq!(applied[0].amount, 100);
        let sum: i64 = applied[0].lines.iter().map(|l| l.1).sum();
        assert_eq!(sum, 100);
    }

    #[test]
    fn exclusive_wins_its_group_only_and_lines_never_go_negative() {
        let c = cart(&[("A", 1, 1000), ("B", 2, 500)]);
        let rules = [
            rule("small", Calc::Fixed(100), 1, false, "sku = '*'"),
            rule("excl", Calc::Percent(1000), 1, true, "sku = 'A'"),
            rule("later", Calc::Fixed(5000), 2, false, "sku = '*'"),
        ];
        let applied = apply(&c, &rules);
        let ids: Vec<&str> = applied.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["excl", "later"]);
        assert_eq!(applied[1].amount, 1900, "only what is left: 2000 - 100");
        let full = apply(
            &c,
            &[rule("all", Calc::Percent(15_000), 1, false, "sku = '*'")],
        );
        assert_eq!(full[0].amount, 2000, "capped at 100 %");
    }

    #[test]
    fn larger_amount_first_within_a_group_and_minimum_quantity() {
        let c = cart(&[("A", 1, 1000)]);
        let rules = [
            rule("five", Calc::Fixed(500), 3, false, "sku = '*'"),
            rule("eight", Calc::Fixed(800), 3, false, "sku = '*'"),
        ];
        let applied = apply(&c, &rules);
        assert_eq!((applied[0].id.as_str(), applied[1].amount), ("eight", 200));
        let mut needs_two = rule("two", Calc::Fixed(100), 1, false, "sku = '*'");
        needs_two.min_quantity = 2;
        assert!(apply(&c, &[needs_two]).is_empty());
    }
}
