//! Benchmark: pricing a 20-line cart against 500 active discounts, the engine this section
//! runs for `sales.cart-discounts` (`apply.rs`), natively. An ignored test, because a plugin
//! crate is a `cdylib` only (its wit-bindgen exports do not link natively as a library, so a
//! binary under benches/ cannot use it):
//!
//! ```sh
//! DISCOUNTS_BENCH_ROUNDS=2000 cargo test -p discounts --release bench_ -- --ignored --nocapture
//! ```
//!
//! Each round parses the 500 discounts' decision rules and collectors (the provider parses
//! them on every call) and applies them to the cart; median and p99 of DISCOUNTS_BENCH_ROUNDS (default 2,000)
//! rounds. The storage read of the 500 records and the component call are not in it (see
//! docs/benchmarks.md). Fails when p99 is above 5 ms.

use std::time::{Duration, Instant};

use crate::apply::{self, Calc, Rule};
use crate::query::{Cart, Item, Kind, parse};

/// Decision rules and collectors of the shapes shops write, cycled over the discounts.
const DECISIONS: &[&str] = &[
    "",
    "sub-total >= '50.00'",
    "total-quantity >= '3' and currency = 'EUR'",
    "day-of-week is in '1;2;3;4;5' and time >= '08:00' and time < '20:00'",
    "customer-group = 'vip' or sub-total > '200'",
    "(sku = 'SKU-3' or sku = 'SKU-7') and shipment-method != 'express'",
    "category is in 'shoes;bags;hats' and calendar-week != '52'",
];
const COLLECTORS: &[&str] = &[
    "sku = '*'",
    "sku is in 'SKU-1;SKU-2;SKU-3;SKU-4;SKU-5'",
    "item-price >= '10.00'",
    "attribute.color = 'red' or category = 'shoes'",
    "sku contains '1' and item-quantity >= '2'",
    "product-label = 'sale'",
];

fn cart() -> Cart {
    Cart {
        lines: (0..20)
            .map(|i| Item {
                sku: format!("SKU-{i}"),
                quantity: 1 + i % 3,
                unit_price: 499 + 250 * i,
                categories: vec![if i % 2 == 0 { "shoes" } else { "bags" }.into()],
                labels: if i % 5 == 0 {
                    vec!["sale".into()]
                } else {
                    vec![]
                },
                attributes: [("color".to_owned(), "red".to_owned())].into(),
            })
            .collect(),
        subtotal: 0,
        currency: "EUR".into(),
        price_mode: "gross".into(),
        store: "DE".into(),
        customer_group: "vip".into(),
        shipment_method: "flat".into(),
        shipment_price: Some(495),
        now: 1_796_635_800,
        ..Cart::default()
    }
}

/// One round: parse the 500 discounts, apply them; how many applied.
fn round(cart: &Cart) -> usize {
    let rules: Vec<Rule> = (0..500)
        .map(|i| {
            let decision = DECISIONS[i % DECISIONS.len()];
            Rule {
                id: format!("d{i}"),
                name: format!("Discount {i}"),
                calc: if i % 2 == 0 {
                    Calc::Percent(100 + (i as i64 % 20) * 50)
                } else {
                    Calc::Fixed(100 + i as i64)
                },
                exclusive: i % 37 == 0,
                priority: 1 + (i as i64 % 50),
                decision: (!decision.is_empty())
                    .then(|| parse(decision, Kind::Decision).expect("a valid rule")),
                collector: parse(COLLECTORS[i % COLLECTORS.len()], Kind::Collector)
                    .expect("a valid collector"),
                min_quantity: 1,
                code: None,
                promotion: None,
            }
        })
        .collect();
    apply::apply(cart, &rules).len()
}

#[test]
#[ignore = "a benchmark: run it in release, see the module docs"]
fn bench_20_lines_against_500_discounts_within_5_ms_p99() {
    let rounds: usize = std::env::var("DISCOUNTS_BENCH_ROUNDS")
        .ok()
        .map(|a| a.parse().expect("DISCOUNTS_BENCH_ROUNDS is a number"))
        .unwrap_or(2_000);
    let mut cart = cart();
    cart.subtotal = cart.lines.iter().map(|l| l.unit_price * l.quantity).sum();
    for _ in 0..50 {
        round(&cart);
    }
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    let mut applied = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        applied = round(&cart);
        times.push(started.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let (p50, p99) = (at(0.5), at(0.99));
    println!(
        "20 lines × 500 discounts ({applied} applied): {rounds} rounds, p50 {:.3} ms, p99 {:.3} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    assert!(p99 <= Duration::from_millis(5), "p99 above the 5 ms budget");
}
