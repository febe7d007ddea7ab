//! Crash safety of checkout: the real `backoffice serve` process is killed with SIGKILL at
//! random moments while clients place orders. After each restart every order the server
//! acknowledged is there, and no order is half-written: each has its items, totals that add
//! up, a logged history, and sales' stock holds match the orders that hold stock. Catalog is the
//! real `catalog` plugin; once its events are delivered, its reservations match the orders too.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use backoffice_tests::binary::{Served, run};
use backoffice_tests::plugins::fixture;
use backoffice_tests::shipping;
use serde_json::{Value, json};

const PASSWORD: &str = "crash-test-admin-pw-01";
const CLIENTS: usize = 4;
const ROUNDS: usize = 4;

fn start(data: &Path, plugins: &Path) -> (Served, String) {
    let mut served = Served::spawn(
        data,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin-password",
            PASSWORD,
            "--trusted-plugins",
            plugins.to_str().unwrap(),
        ],
    );
    let url = served.line_after("Backoffice is serving on ");
    let base = url.trim_end_matches("/login").to_owned();
    (served, base)
}

fn client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    headers.insert("accept", "application/json".parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Waits until both plugins answer.
async fn ready(http: &reqwest::Client, base: &str) {
    for path in [
        "/admin/sales/orders/index",
        "/admin/catalog/warehouses/index",
    ] {
        backoffice_tests::poll(Duration::from_secs(60), path, || async {
            let r = http.get(format!("{base}{path}")).send().await.ok()?;
            (r.status() == 200).then_some(())
        })
        .await;
    }
}

/// POSTs `body` as JSON to `path`, which must answer 200.
async fn post(http: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let r = http
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every order of the list, following keyset pages.
async fn all_orders(http: &reqwest::Client, base: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let url = format!("{base}/admin/sales/orders/index?after={after}");
        let page: Value = http.get(url).send().await.unwrap().json().await.unwrap();
        let orders = page["orders"]
            .as_array()
            .unwrap_or_else(|| panic!("{page}"));
        out.extend(orders.iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = encode(next),
            None => return out,
        }
    }
}

#[tokio::test]
async fn sigkill_during_checkouts_loses_no_acknowledged_order_and_leaves_none_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("wasm");
    std::fs::create_dir_all(&plugins).unwrap();
    for name in ["catalog", "sales", "shipping"] {
        std::fs::copy(fixture(name), plugins.join(format!("{name}.wasm"))).unwrap();
    }
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // Migrate and create the admin, then an API token (no CSRF for scripts).
    let (served, base) = start(&data, &plugins);
    let created = run(
        &data,
        &["token", "create", "admin@example.com", "--name", "crash"],
    );
    assert!(created.status.success(), "{created:?}");
    let output = String::from_utf8(created.stdout).unwrap();
    let token = output
        .lines()
        .nth(1)
        .expect("the token line")
        .trim()
        .to_owned();
    let http = client(&token);
    ready(&http, &base).await;
    post(
        &http,
        &base,
        "/admin/catalog/products/create",
        json!({"sku": "BOLT", "name": "Bolt", "status": "active", "price": 150}),
    )
    .await;
    post(
        &http,
        &base,
        "/admin/catalog/warehouses/create",
        json!({"name": "Main"}),
    )
    .await;
    post(
        &http,
        &base,
        "/admin/catalog/stock/edit",
        json!({"sku": "BOLT", "quantities": {"Main": 1_000_000}}),
    )
    .await;
    // A shipment method and payment methods: sales places no order without them.
    let carrier = post(
        &http,
        &base,
        "/admin/shipping/carriers/create",
        shipping::carrier(),
    )
    .await;
    let carrier_id = carrier["carrier"]["id"].as_str().unwrap();
    let method = shipping::flat_method(carrier_id);
    post(&http, &base, "/admin/shipping/methods/create", method).await;
    post(
        &http,
        &base,
        "/admin/sales/payments/edit",
        shipping::all_payments(),
    )
    .await;
    drop(served);

    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..ROUNDS {
        let (served, base) = start(&data, &plugins);
        ready(&http, &base).await;
        let stop = Arc::new(AtomicBool::new(false));
        let placed = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for c in 0..CLIENTS {
            let (http, base, stop, placed) =
                (http.clone(), base.clone(), stop.clone(), placed.clone());
            tasks.spawn(async move {
                let mut acked = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body = json!({
                        "email": format!("c{c}-{n}@example.com"),
                        "items": [{"sku": "BOLT", "quantity": 1 + (n % 3)}],
                        "billing": {"first_name": "A", "last_name": "B", "street": "S", "zip": "1", "city": "C", "country": "DE"},
                    });
                    let Ok(reply) = http
                        .post(format!("{base}/admin/sales/orders/create"))
                        .json(&body)
                        .send()
                        .await
                    else {
                        break; // the server died mid-request: not acknowledged
                    };
                    if reply.status() != 200 {
                        break;
                    }
                    let Ok(answer) = reply.json::<Value>().await else { break };
                    acked.push(answer["id"].as_str().unwrap().to_owned());
                    placed.fetch_add(1, Ordering::Relaxed);
                }
                acked
            });
        }
        // Kill at a pseudo-random moment (varies per round): once a pseudo-random number of
        // orders were acknowledged, while the other clients' checkouts are in flight.
        let target = 3 + (round * 7919 + std::process::id() as usize) % 20;
        backoffice_tests::poll(Duration::from_secs(60), "orders acknowledged", || {
            let placed = placed.clone();
            async move { (placed.load(Ordering::Relaxed) >= target).then_some(()) }
        })
        .await;
        let status = Command::new("kill")
            .args(["-KILL", &served.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        stop.store(true, Ordering::Relaxed);
        for acked in tasks.join_all().await {
            acknowledged.extend(acked);
        }
        drop(served);
    }
    assert!(
        acknowledged.len() > 10,
        "too few orders to prove anything: {}",
        acknowledged.len()
    );

    let (served, base) = start(&data, &plugins);
    ready(&http, &base).await;
    let orders = all_orders(&http, &base).await;
    let ids: std::collections::HashSet<&str> =
        orders.iter().map(|o| o["id"].as_str().unwrap()).collect();
    for id in &acknowledged {
        assert!(
            ids.contains(id.as_str()),
            "acknowledged order {id} was lost"
        );
    }
    let mut held = 0;
    for row in &orders {
        let id = row["id"].as_str().unwrap();
        let o: Value = http
            .get(format!("{base}/admin/sales/orders/show?id={id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let order = &o["order"];
        let items = order["items"].as_array().unwrap();
        assert!(!items.is_empty(), "order {id} has no items");
        let subtotal: i64 = items.iter().map(|i| i["total"].as_i64().unwrap()).sum();
        assert_eq!(
            order["totals"]["subtotal"].as_i64(),
            Some(subtotal),
            "{order}"
        );
        assert_eq!(
            order["totals"]["grand_total"].as_i64(),
            Some(subtotal + order["totals"]["shipping"].as_i64().unwrap())
        );
        assert_eq!(
            o["history"].as_array().unwrap().len(),
            2 * items.len(),
            "{order}"
        );
        held += items
            .iter()
            .map(|i| i["quantity"].as_i64().unwrap())
            .sum::<i64>();
    }
    // Catalog's reservation follows sales' events, delivered at least once across the kills.
    backoffice_tests::poll(
        Duration::from_secs(60),
        "catalog reserves what the orders hold",
        || async {
            let stock: Value = http
                .get(format!("{base}/admin/catalog/stock/edit?sku=BOLT"))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (stock["availability"]["reserved"].as_i64() == Some(held)).then_some(())
        },
    )
    .await;
    served.terminate();
    // Sales' hold of the SKU is exactly what the stored orders hold: no hold without its order
    // and no order without its hold.
    let db = backoffice_tests::open_db(&data).await;
    let table: i64 = sqlx::query_scalar(
        "SELECT id FROM plugin_collections WHERE plugin_id = 'sales' AND name = 'holds'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    let hold: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(json_extract(data, '$.quantity') AS INTEGER) FROM pcol_{table} WHERE id = 'BOLT'"
    ))
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(hold, held, "holds match the orders");
}
