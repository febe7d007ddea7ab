//! Discounts: what pricing a 20-line cart costs when 500 discounts are active, through the real
//! path sales takes — the host invoking the extension point `sales.cart-discounts`
//! (`Calls::invoke`: a fresh read-only sandbox of the compiled `discounts` component, its read
//! of the 500 discount records through the storage interface, parsing their queries, applying
//! them, the JSON answer). Issue #19's budget is 5 ms at p99.
//!
//! ```sh
//! plugins/build.sh && cargo run --release -p backoffice-benches --bin discounts-bench -- 2000
//! ```
//!
//! One process, a fresh SQLite file, the discounts component loaded alone (the point's provider
//! needs nothing else). The baseline, measured in the same run on the same host before any
//! discount exists, is the same question answered by the section with nothing to read or
//! apply: the fixed cost of a provider call. Then 500 discounts are created through the
//! section's own JSON API and the question is asked again.

use std::time::{Duration, Instant};

use backoffice::AppState;
use backoffice::plugins::call::Caller;
use backoffice::plugins::calls::Calls;
use backoffice_benches::{self as harness, Latency};
use serde_json::{Value, json};

/// The point sales invokes when it prices a cart.
const POINT: &str = "sales.cart-discounts";
/// Active discounts in the measured round.
const DISCOUNTS: usize = 500;

/// Decision rules of the shapes shops write, cycled over the discounts ("" = always).
const DECISIONS: &[&str] = &[
    "",
    "sub-total >= '50.00'",
    "total-quantity >= '3' and currency = 'EUR'",
    "day-of-week is in '1;2;3;4;5;6;7' and time >= '00:00'",
    "customer-group = 'vip' or sub-total > '200'",
    "(sku = 'SKU-3' or sku = 'SKU-7') and shipment-method != 'express'",
    "category is in 'shoes;bags;hats' and calendar-week != '60'",
];
/// Collectors, cycled independently of the decision rules.
const COLLECTORS: &[&str] = &[
    "sku = '*'",
    "sku is in 'SKU-1;SKU-2;SKU-3;SKU-4;SKU-5'",
    "item-price >= '10.00'",
    "attribute.color = 'red' or category = 'shoes'",
    "sku contains '1' and item-quantity >= '2'",
    "product-label = 'sale'",
];

/// Discount `i` as the Back Office form sends it: percentage and fixed alternate, 50
/// priorities, one in 37 exclusive, all active in store DE.
fn discount(i: usize) -> Value {
    let amount = if i.is_multiple_of(2) {
        json!(1.0 + (i % 20) as f64 * 0.5)
    } else {
        json!({"EUR": 100 + i})
    };
    json!({
        "display_name": format!("Discount {i}"),
        "type": "cart-rule",
        "calculator": if i.is_multiple_of(2) { "percentage" } else { "fixed" },
        "amount": amount,
        "exclusive": i.is_multiple_of(37),
        "priority": 1 + i % 50,
        "stores": ["DE"],
        "decision_rule": DECISIONS[i % DECISIONS.len()],
        "collector": COLLECTORS[i % COLLECTORS.len()],
    })
}

/// The question sales asks for a 20-line cart in store DE (the contract in sales' README).
fn question() -> String {
    let lines: Vec<Value> = (0..20)
        .map(|i| {
            json!({
                "sku": format!("SKU-{i}"),
                "quantity": 1 + i % 3,
                "unit_price": 499 + 250 * i,
                "categories": [if i % 2 == 0 { "shoes" } else { "bags" }],
                "labels": if i % 5 == 0 { vec!["sale"] } else { vec![] },
                "attributes": {"color": "red"},
            })
        })
        .collect();
    let subtotal: i64 = (0..20).map(|i| (499 + 250 * i) * (1 + i % 3)).sum();
    json!({
        "lines": lines, "subtotal": subtotal, "currency": "EUR", "price_mode": "gross",
        "store": "DE", "customer_reference": "12", "customer_group": "vip",
        "customer_order_count": 3, "shipment_carrier": "Standard Post",
        "shipment_method": "flat", "shipment_price": 495,
        "now": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        "codes": [],
    })
    .to_string()
}

/// One question to the point: how many discounts the answer applied.
async fn ask(calls: &Calls, input: &str, caller: &Caller) -> anyhow::Result<usize> {
    let answers = calls
        .invoke(
            POINT,
            input,
            caller,
            Instant::now() + Duration::from_secs(5),
        )
        .await;
    let [(_, answer)] = <[_; 1]>::try_from(answers)
        .map_err(|a| anyhow::anyhow!("{} providers answered, not 1", a.len()))?;
    let answer: Value = serde_json::from_str(&answer.map_err(anyhow::Error::msg)?)?;
    Ok(answer["discounts"].as_array().map_or(0, Vec::len))
}

/// Asks the point `rounds` times after a warm-up; the latencies and the discounts the last
/// answer applied.
async fn measure(state: &AppState, rounds: usize) -> anyhow::Result<(Latency, usize)> {
    let calls = state.plugins().calls();
    let input = question();
    let caller = Caller {
        locale: "en_US".into(),
        ..Caller::default()
    };
    for _ in 0..20 {
        ask(calls, &input, &caller).await?;
    }
    let mut times = Vec::with_capacity(rounds);
    let mut applied = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        applied = ask(calls, &input, &caller).await?;
        times.push(started.elapsed());
    }
    Ok((Latency::of(times), applied))
}

fn report(label: &str, latency: &Latency, applied: usize) {
    println!(
        "{label:<44} p50 {:>6.3} ms   p99 {:>6.3} ms   ({applied} applied, {} calls)",
        latency.p50.as_secs_f64() * 1e3,
        latency.p99.as_secs_f64() * 1e3,
        latency.requests
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);

    let (_dir, state) = harness::host_with(&["discounts"]).await?;
    state.plugins().load_all(0).await;
    harness::ensure_loaded(&state, &["discounts"])?;
    let served = harness::serve(&state).await?;

    let (baseline, none) = measure(&state, rounds).await?;
    report("20 lines, no discounts (baseline)", &baseline, none);

    let http = harness::json_client(&served)?;
    for i in 0..DISCOUNTS {
        harness::post(
            &http,
            &served.base,
            "/admin/discounts/discounts/create",
            &discount(i),
        )
        .await?;
    }
    let (full, applied) = measure(&state, rounds).await?;
    anyhow::ensure!(
        applied > 0,
        "no discount applied: the bench's rules are wrong"
    );
    report(
        &format!("20 lines, {DISCOUNTS} active discounts"),
        &full,
        applied,
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "p99 {:.2} ms against the 5 ms budget: {}; the 500 discounts add {:.2} ms at the median over the baseline ({:.1}×)",
        ms(full.p99),
        if full.p99 <= Duration::from_millis(5) {
            "within"
        } else {
            "OVER"
        },
        ms(full.p50.saturating_sub(baseline.p50)),
        full.p50.as_secs_f64() / baseline.p50.as_secs_f64()
    );
    Ok(())
}
