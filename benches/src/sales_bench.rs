//! Sales benchmark: checkout throughput, and the order list and order matrix with many orders.
//!
//! ```sh
//! plugins/build.sh --fixtures          # target/plugins/sales.wasm, target/fixtures/catalog-stock.wasm
//! cargo run --release -p backoffice-benches --bin sales-bench [-- ORDERS [CLIENTS]]
//! ```
//!
//! One process, the real router on a real port, a SQLite file in a temp dir. Orders are placed
//! through the assisted-order JSON API (the same `checkout::place` as the storefront) by
//! CLIENTS (default 2) concurrent API-token clients until ORDERS (default 100,000) were tried;
//! the throughput of the whole fill is the checkout number, and refused checkouts (e.g. a call
//! that hit its deadline waiting for the database) are counted and printed, not hidden. Then the Back Office reads are timed with the orders
//! in place: the first page of the list, a filtered page, a page deep in the keyset, and the
//! matrix, 300 times each; median and p99. Baseline in the same run: `GET /healthz`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backoffice::clock::{Clock, SystemClock};
use backoffice::db::Db;
use backoffice::plugins::PluginSettings;
use backoffice::{AppState, WebSettings};
use serde_json::{Value, json};

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Times `n` GETs of `path` (after a warm-up) and prints median and p99.
async fn time_get(http: &reqwest::Client, base: &str, label: &str, path: &str, n: usize) {
    for _ in 0..10 {
        http.get(format!("{base}{path}"))
            .send()
            .await
            .expect("warm-up");
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let reply = http
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("request");
        assert_eq!(reply.status(), 200, "{path}");
        reply.bytes().await.expect("body");
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "{label:<44} median {:>7.2} ms   p99 {:>7.2} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
}

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let orders: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let clients: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let sales = target_dir().join("plugins/sales.wasm");
    let stock = target_dir().join("fixtures/catalog-stock.wasm");
    for file in [&sales, &stock] {
        anyhow::ensure!(
            file.exists(),
            "{} is missing: run plugins/build.sh --fixtures",
            file.display()
        );
    }

    let dir = tempfile::tempdir()?;
    let plugin_dir = dir.path().join("plugins");
    std::fs::create_dir_all(&plugin_dir)?;
    std::fs::copy(&sales, plugin_dir.join("sales.wasm"))?;
    std::fs::copy(&stock, plugin_dir.join("catalog-stock.wasm"))?;
    let db = Db::connect(&Db::default_url(dir.path())).await?;
    db.migrate().await?;
    let settings = WebSettings {
        plugins: PluginSettings {
            dirs: vec![plugin_dir],
            upload_dir: None,
            cache_dir: Some(dir.path().join("cache")),
        },
        ..WebSettings::default()
    };
    let state = AppState::new(db, Arc::new(SystemClock), settings)?;
    let _background =
        backoffice::plugins::start(state.plugins().clone(), Arc::new(SystemClock)).await;
    let admin =
        backoffice::bootstrap::ensure_first_admin(state.db(), None, Some("bench-password-0001"), 0)
            .await?
            .expect("fresh database");
    let (user, _) = backoffice::users::find_credentials(state.db(), &admin.email)
        .await?
        .expect("admin");
    let (_, token) =
        backoffice::auth::tokens::create(state.db(), user.id, "bench", SystemClock.now()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(backoffice::server::serve(
        listener,
        state.clone(),
        std::future::pending(),
    ));

    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse()?);
    headers.insert("accept", "application/json".parse()?);
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()?;
    for (collection, id, record) in [
        (
            "products",
            "p1",
            json!({"sku": "BENCH-1", "name": "Bench one", "status": "active", "price": 1999}),
        ),
        (
            "products",
            "p2",
            json!({"sku": "BENCH-2", "name": "Bench two", "status": "active", "price": 500}),
        ),
        (
            "availability",
            "BENCH-1",
            json!({"sku": "BENCH-1", "quantity": 0, "never_out_of_stock": true}),
        ),
        (
            "availability",
            "BENCH-2",
            json!({"sku": "BENCH-2", "quantity": 0, "never_out_of_stock": true}),
        ),
    ] {
        let r = http
            .post(format!("{base}/admin/catalog/seed/put"))
            .json(&json!({"collection": collection, "id": id, "record": record}))
            .send()
            .await?;
        anyhow::ensure!(r.status() == 200, "seeding: {}", r.text().await?);
    }

    // Checkout throughput while filling.
    let placed = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, placed, failed) =
            (http.clone(), base.clone(), placed.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = placed.fetch_add(1, Ordering::Relaxed);
                if n >= orders {
                    return;
                }
                let body = json!({
                    "customer_id": (n % 5000) as i64,
                    "email": format!("shopper{}-{c}@example.com", n % 5000),
                    "items": [{"sku": "BENCH-1", "quantity": 1 + n % 3}, {"sku": "BENCH-2", "quantity": 1}],
                    "billing": {"first_name": "Bench", "last_name": "Mark", "street": "Main", "zip": "1", "city": "Town", "country": "DE"},
                });
                let reply = http
                    .post(format!("{base}/admin/sales/orders/create"))
                    .json(&body)
                    .send()
                    .await
                    .expect("checkout");
                if reply.status() != 200 {
                    failed.fetch_add(1, Ordering::Relaxed);
                    eprintln!("checkout refused: {}", reply.text().await.unwrap_or_default());
                    continue;
                }
                reply.bytes().await.expect("body");
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed();
    let failed = failed.load(Ordering::Relaxed);
    println!(
        "checkout: {} orders by {clients} clients in {:.1} s = {:.0} orders/s ({failed} refused)",
        orders - failed,
        elapsed.as_secs_f64(),
        (orders - failed) as f64 / elapsed.as_secs_f64()
    );

    // Reads with the orders in place.
    time_get(&http, &base, "baseline GET /healthz", "/healthz", 300).await;
    time_get(
        &http,
        &base,
        "order list, first page",
        "/admin/sales/orders/index",
        300,
    )
    .await;
    time_get(
        &http,
        &base,
        "order list, state filter",
        "/admin/sales/orders/index?state=payment_pending",
        300,
    )
    .await;
    time_get(
        &http,
        &base,
        "order list, customer filter",
        "/admin/sales/orders/index?customer=42",
        300,
    )
    .await;
    time_get(
        &http,
        &base,
        "order list, search by email",
        "/admin/sales/orders/index?q=shopper42-1%40example.com",
        300,
    )
    .await;
    let mut path = "/admin/sales/orders/index".to_owned();
    for _ in 0..100 {
        let page: Value = http
            .get(format!("{base}{path}"))
            .send()
            .await?
            .json()
            .await?;
        match page["next"].as_str() {
            Some(next) => path = format!("/admin/sales/orders/index?after={}", encode(next)),
            None => break,
        }
    }
    time_get(&http, &base, "order list, page 100 (keyset)", &path, 300).await;
    time_get(
        &http,
        &base,
        "order matrix",
        "/admin/sales/orders/matrix",
        300,
    )
    .await;
    Ok(())
}
