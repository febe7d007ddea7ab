//! Sales benchmark: checkout throughput, and the order list and order matrix with many orders.
//!
//! ```sh
//! plugins/build.sh                     # target/plugins/{catalog,customers,sales,shipping}.wasm
//! cargo run --release -p backoffice-benches --bin sales-bench [-- ORDERS [CLIENTS [CHECKOUTS]]]
//! ```
//!
//! One process, the real router on a real port, a SQLite file in a temp dir, the real catalog,
//! customers and sales components with event delivery running (catalog reserves stock from
//! sales' events while orders are placed), an admin session as a browser holds it.
//!
//! 1. Setup over HTTP: a warehouse and two never-out-of-stock products in catalog, and
//!    [`CUSTOMERS`] customers with a default address in customers.
//! 2. Checkout: CHECKOUTS (default 5,000) assisted orders, two lines each, through
//!    `POST /admin/sales/orders/create` (the same `checkout::place` as the storefront) from
//!    CLIENTS (default 2) concurrent clients; nine in ten for a picked customer, one in ten for a
//!    guest. Orders per second over all of them, refused checkouts counted and printed.
//! 3. Process: a quarter of those orders is paid, a quarter paid, confirmed and shipped, a
//!    quarter cancelled, through `orders/trigger`, so the orders are spread over states.
//! 4. Bulk fill up to ORDERS (default 100,000): placing 100,000 orders at about 100 per second
//!    would take a quarter of an hour, so the rest are copies of the orders placed in 2.–3.,
//!    written through the host's storage API (`storage::open` + `Collection::put`, what a
//!    plugin's `storage.put` reaches) in one transaction; see [`fill`] for what is copied.
//! 5. Reads with the orders in place: each page [`REQUESTS`] times (after a warm-up), median and
//!    p99, next to `GET /healthz` and a native admin JSON route measured in the same run.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backoffice::AppState;
use backoffice::clock::{Clock, SystemClock};
use backoffice::storage::{self, Query};
use backoffice_benches::{self as harness, Latency, NATIVE_PATH};
use serde_json::{Map, Value, json};

/// Customers the orders are spread over.
const CUSTOMERS: usize = 1_000;
/// Timed requests per read.
const REQUESTS: usize = 300;
/// Seconds between the placement times of the copied orders (100,000 orders: about 5 weeks).
const SPACING: i64 = 30;
/// Sales' collections with one record per order, keyed by the order id.
const PER_ORDER: &[&str] = &["orders", "order_rows"];

/// A customer of the customers section, as the orders use it.
#[derive(Debug, Clone)]
struct Customer {
    reference: String,
    email: String,
    customer_id: i64,
    address: Value,
}

fn address(n: usize) -> Value {
    json!({"first_name": "Bench", "last_name": format!("Customer{n}"), "street": "Main Street",
           "house_number": (n % 200 + 1).to_string(), "zip": "10115", "city": "Berlin", "country": "DE"})
}

/// Catalog's products and [`CUSTOMERS`] customers, each with a default address, through the
/// sections' own JSON APIs.
async fn setup(http: &reqwest::Client, base: &str) -> anyhow::Result<Vec<Customer>> {
    harness::post(
        http,
        base,
        "/admin/catalog/warehouses/create",
        &json!({"name": "Main"}),
    )
    .await?;
    for (sku, name, price) in [
        ("BENCH-1", "Bench one", 1999),
        ("BENCH-2", "Bench two", 500),
    ] {
        let product = json!({"sku": sku, "name": name, "price": price, "status": "active"});
        harness::post(http, base, "/admin/catalog/products/create", &product).await?;
        let stock = json!({"sku": sku, "never_out_of_stock": true});
        harness::post(http, base, "/admin/catalog/stock/edit", &stock).await?;
    }
    // Sales places no order without a shipment method (shipping section) and a payment method.
    let carrier = json!({"name": "Bench Post"});
    let carrier = harness::post(http, base, "/admin/shipping/carriers/create", &carrier).await?;
    let method = json!({"key": "flat", "name": "Flat rate", "carrier": carrier["carrier"]["id"],
        "stores": ["DE"], "min_days": 1, "max_days": 2,
        "prices": [{"store": "DE", "currency": "EUR", "gross": 495, "net": 416}]});
    harness::post(http, base, "/admin/shipping/methods/create", &method).await?;
    let payments = json!({"invoice": ["DE"], "prepayment": ["DE"]});
    harness::post(http, base, "/admin/sales/payments/edit", &payments).await?;
    let mut customers = Vec::with_capacity(CUSTOMERS);
    for n in 0..CUSTOMERS {
        let body = json!({"email": format!("shopper{n}@example.com"), "first_name": "Bench",
                          "last_name": format!("Customer{n}")});
        let created = harness::post(http, base, "/admin/customers/customers/create", &body).await?;
        let c = &created["customer"];
        let reference = c["id"].as_str().unwrap_or_default().to_owned();
        let mut a = address(n);
        a["customer"] = json!(reference);
        harness::post(http, base, "/admin/customers/addresses/create", &a).await?;
        customers.push(Customer {
            reference,
            email: c["email"].as_str().unwrap_or_default().to_owned(),
            customer_id: c["customer_id"].as_i64().unwrap_or_default(),
            address: address(n),
        });
    }
    Ok(customers)
}

/// The customer of order number `n` (1-based); every tenth order is a guest's.
fn customer_of(customers: &[Customer], n: u64) -> Option<&Customer> {
    (!n.is_multiple_of(10)).then(|| &customers[n as usize % customers.len()])
}

/// Places `count` assisted orders from `clients` clients; returns their ids.
async fn checkouts(
    http: &reqwest::Client,
    base: &str,
    customers: &Arc<Vec<Customer>>,
    count: u64,
    clients: usize,
) -> anyhow::Result<Vec<String>> {
    let next = Arc::new(AtomicU64::new(1));
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, base, customers) = (http.clone(), base.to_owned(), customers.clone());
        let (next, refused) = (next.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ids, mut times) = (Vec::new(), Vec::new());
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n > count {
                    return (ids, times);
                }
                let mut body = json!({
                    "items": [{"sku": "BENCH-1", "quantity": 1 + n % 3}, {"sku": "BENCH-2", "quantity": 1}],
                    "shipment": "flat", "payment": "prepayment",
                });
                match customer_of(&customers, n) {
                    Some(c) => {
                        body["customer"] = json!(c.reference);
                        body["billing"] = c.address.clone();
                    }
                    None => {
                        body["email"] = json!(format!("guest{n}@example.com"));
                        body["billing"] = address(0);
                    }
                }
                let sent = Instant::now();
                let answer = harness::post(&http, &base, "/admin/sales/orders/create", &body).await;
                times.push(sent.elapsed());
                match answer {
                    Ok(answer) => ids.push(answer["id"].as_str().unwrap_or_default().to_owned()),
                    Err(e) => {
                        refused.fetch_add(1, Ordering::Relaxed);
                        eprintln!("checkout refused: {e}");
                    }
                }
            }
        }));
    }
    let (mut ids, mut times) = (Vec::new(), Vec::new());
    for task in tasks {
        let (placed, took) = task.await?;
        ids.extend(placed);
        times.extend(took);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let slowest = times.iter().max().copied().unwrap_or_default();
    let latency = Latency::of(times);
    println!(
        "checkout: {} orders by {clients} clients in {elapsed:.1} s = {:.0} orders/s ({} refused); \
         per checkout median {:.1} ms, p99 {:.1} ms, slowest {:.0} ms",
        ids.len(),
        ids.len() as f64 / elapsed,
        refused.load(Ordering::Relaxed),
        latency.p50.as_secs_f64() * 1e3,
        latency.p99.as_secs_f64() * 1e3,
        slowest.as_secs_f64() * 1e3,
    );
    Ok(ids)
}

/// Moves three quarters of `ids` on: paid; paid, confirmed and shipped; cancelled. A refused
/// event is counted and printed, and that order moves no further.
async fn process(http: &reqwest::Client, base: &str, ids: &[String]) -> anyhow::Result<()> {
    let started = Instant::now();
    let (mut events, mut refused) = (0, 0);
    for (k, id) in ids.iter().enumerate() {
        let steps: &[&str] = match k % 4 {
            1 => &["pay"],
            2 => &["pay", "confirm", "ship"],
            3 => &["cancel"],
            _ => &[],
        };
        for event in steps {
            let body = json!({"id": id, "event": event, "items": []});
            if let Err(e) = harness::post(http, base, "/admin/sales/orders/trigger", &body).await {
                refused += 1;
                eprintln!("order event refused: {e}");
                break;
            }
            events += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "order events: {events} in {elapsed:.1} s = {:.0} per second (one client, {refused} refused)",
        events as f64 / elapsed
    );
    Ok(())
}

/// Waits until every event delivery that is due has been made (timers due later stay), so the
/// reads are not timed against catalog's reservation backlog. Gives up after [`DRAIN_LIMIT`].
async fn drained(state: &AppState) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut cadence = tokio::time::interval(Duration::from_millis(200));
    loop {
        cadence.tick().await;
        let due: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM event_deliveries WHERE status = 'pending' AND next_attempt_at <= $1",
        )
        .bind(SystemClock.now())
        .fetch_one(state.db().pool())
        .await?;
        if due == 0 {
            println!(
                "event backlog delivered after {:.1} s",
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < DRAIN_LIMIT,
            "{due} event deliveries still due after {DRAIN_LIMIT:?}"
        );
    }
}

/// Longest wait for the event backlog to be delivered.
const DRAIN_LIMIT: Duration = Duration::from_secs(600);

fn int(data: &Map<String, Value>, key: &str) -> i64 {
    data.get(key).and_then(Value::as_i64).unwrap_or_default()
}

fn text<'a>(data: &'a Map<String, Value>, key: &str) -> &'a str {
    data.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// A copy of a per-order record placed at `created` as order `reference` of `customer` (a
/// guest when none): identity, email, account, addresses and placement time change; the
/// item and history times move with the placement; items, totals and states stay.
fn copy(
    template: &Map<String, Value>,
    reference: &str,
    customer: Option<&Customer>,
    guest: &str,
    created: i64,
) -> Value {
    let mut data = template.clone();
    let shift = created - int(template, "created");
    let (email, customer_id, address) = match customer {
        Some(c) => (c.email.clone(), json!(c.customer_id), c.address.clone()),
        None => (guest.to_owned(), Value::Null, address(0)),
    };
    let mut set = |key: &str, value: Value| {
        if data.contains_key(key) {
            data.insert(key.to_owned(), value);
        }
    };
    set("reference", json!(reference));
    set("email", json!(email));
    set("customer_id", customer_id);
    set("billing", address.clone());
    set("shipping", address);
    set("created", json!(created));
    // Sales' `state_key`: the state and the 12-digit placement time.
    let state = text(template, "state").to_owned();
    set("state_created", json!(format!("{state}~{created:012}")));
    for (list, key) in [("items", "state_since"), ("history", "at")] {
        for entry in data
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(at) = entry.get(key).and_then(Value::as_i64) {
                entry[key] = json!(at + shift);
            }
        }
    }
    Value::Object(data)
}

/// What the copies add to sales' counters, as `stats::placed` adds it for a placed order (the
/// copy's current state counted in the matrix): matrix cells, daily totals, units per SKU.
#[derive(Default)]
struct Counts {
    /// `<process>~<state>~<day>` (day 0: the running total) → orders.
    matrix: BTreeMap<(String, String, i64), i64>,
    /// day → (orders, revenue).
    daily: BTreeMap<i64, (i64, i64)>,
    /// SKU → (name, units).
    top: BTreeMap<String, (String, i64)>,
}

impl Counts {
    fn add(&mut self, order: &Map<String, Value>) {
        let day = int(order, "created").div_euclid(86_400);
        let (process, state) = (text(order, "process"), text(order, "state"));
        for d in [day, 0] {
            *self
                .matrix
                .entry((process.to_owned(), state.to_owned(), d))
                .or_default() += 1;
        }
        let daily = self.daily.entry(day).or_default();
        daily.0 += 1;
        daily.1 += int(order, "grand_total");
        for item in order
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = item["name"].as_str().unwrap_or_default().to_owned();
            let sku = item["sku"].as_str().unwrap_or_default().to_owned();
            self.top.entry(sku).or_insert((name, 0)).1 += item["quantity"].as_i64().unwrap_or(0);
        }
    }
}

/// Adds `change` to the sales counter record `id` of `collection` (created as `fresh`).
async fn bump(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    collection: &str,
    id: &str,
    fresh: Value,
    change: impl FnOnce(&mut Map<String, Value>),
    now: i64,
) -> anyhow::Result<()> {
    let c = storage::open(tx, state.db().engine(), "sales", collection).await?;
    let mut data = match c.get(tx, id).await {
        Ok(doc) => doc.data,
        Err(storage::StorageError::NotFound) => fresh.as_object().cloned().unwrap_or_default(),
        Err(e) => return Err(e.into()),
    };
    change(&mut data);
    c.put(tx, Some(id), Value::Object(data), None, now).await?;
    Ok(())
}

/// Fills sales up to `total` orders with copies of the `placed` ones (step 4), in one
/// transaction through the host's storage API. Per copy, every per-order record
/// ([`PER_ORDER`]) of its template is written with [`copy`], placed [`SPACING`] seconds apart
/// before the first real order; then the counters the matrix and the dashboard read (`matrix`,
/// `daily`, `top_products`) and the reference sequence are raised by what the copies add.
/// Not written: outbox events (no timers, no `sales.order-placed`), catalog reservations and
/// sales' stock holds of the copies; no measured read touches them, and both SKUs are never
/// out of stock.
async fn fill(
    state: &AppState,
    customers: &[Customer],
    placed: usize,
    total: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let now = SystemClock.now();
    let engine = state.db().engine();
    let mut tx = state.db().begin_write().await?;
    let orders = storage::open(&mut tx, engine, "sales", "orders").await?;
    let mut templates = Vec::new();
    let mut query = Query {
        limit: storage::MAX_LIMIT,
        ..Query::default()
    };
    loop {
        let page = orders.query(&mut tx, &query).await?;
        templates.extend(page.documents);
        match page.next_cursor {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    anyhow::ensure!(
        templates.len() == placed,
        "{} orders stored, {placed} placed",
        templates.len()
    );
    let first = templates
        .iter()
        .map(|t| int(&t.data, "created"))
        .min()
        .unwrap_or(now);
    let mut per_order = Vec::new();
    for name in PER_ORDER {
        let c = storage::open(&mut tx, engine, "sales", name).await?;
        let mut records = Vec::with_capacity(placed);
        for t in &templates {
            records.push(c.get(&mut tx, &t.id).await?.data);
        }
        per_order.push((c, records));
    }
    let copies = total.saturating_sub(placed);
    let mut counts = Counts::default();
    for j in 0..copies {
        let t = j % placed;
        let n = (placed + j + 1) as u64;
        let reference = format!("SO-{n:06}");
        let created = first - (copies - j) as i64 * SPACING;
        let customer = customer_of(customers, n);
        let guest = format!("guest{n}@example.com");
        let mut id: Option<String> = None;
        for (c, records) in &per_order {
            let data = copy(&records[t], &reference, customer, &guest, created);
            if c.name() == "orders" {
                counts.add(data.as_object().expect("an object"));
            }
            // The first record gets a generated id, as `orders().insert` does; the others
            // are keyed by it.
            let doc = c
                .put(&mut tx, id.as_deref(), data, Some(0), created)
                .await?;
            id.get_or_insert(doc.id);
        }
    }
    for ((process, st, day), n) in &counts.matrix {
        let fresh = json!({"process": process, "state": st, "day": day, "count": 0});
        let id = format!("{process}~{st}~{day}");
        bump(
            &mut tx,
            state,
            "matrix",
            &id,
            fresh,
            |d| {
                d.insert("count".into(), json!(int(d, "count") + n));
            },
            now,
        )
        .await?;
    }
    for (day, (n, revenue)) in &counts.daily {
        let fresh = json!({"day": day, "orders": 0, "revenue": 0});
        bump(
            &mut tx,
            state,
            "daily",
            &day.to_string(),
            fresh,
            |d| {
                d.insert("orders".into(), json!(int(d, "orders") + n));
                d.insert("revenue".into(), json!(int(d, "revenue") + revenue));
            },
            now,
        )
        .await?;
    }
    for (sku, (name, units)) in &counts.top {
        let fresh = json!({"sku": sku, "name": name, "quantity": 0});
        bump(
            &mut tx,
            state,
            "top_products",
            sku,
            fresh,
            |d| {
                d.insert("quantity".into(), json!(int(d, "quantity") + units));
            },
            now,
        )
        .await?;
    }
    bump(
        &mut tx,
        state,
        "sequences",
        "orders",
        json!({"last": 0}),
        |d| {
            d.insert("last".into(), json!(total));
        },
        now,
    )
    .await?;
    for name in PER_ORDER.iter().chain(&["matrix", "daily", "top_products"]) {
        let c = storage::open(&mut tx, engine, "sales", name).await?;
        storage::analyze(&mut tx, &c).await?;
    }
    tx.commit().await?;
    println!(
        "bulk fill: {copies} copies of the {placed} placed orders in {:.1} s through the storage API",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Times [`REQUESTS`] GETs of `path` (after a warm-up) with `accept`, and prints median and p99.
async fn time_get(
    http: &reqwest::Client,
    base: &str,
    label: &str,
    path: &str,
    accept: &str,
) -> anyhow::Result<Latency> {
    let get = || async {
        let reply = http
            .get(format!("{base}{path}"))
            .header("accept", accept)
            .send()
            .await?;
        anyhow::ensure!(reply.status() == 200, "{path}: {}", reply.status());
        reply.bytes().await?;
        anyhow::Ok(())
    };
    for _ in 0..20 {
        get().await?;
    }
    let mut times = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let started = Instant::now();
        get().await?;
        times.push(started.elapsed());
    }
    let latency = Latency::of(times);
    println!(
        "{label:<44} median {:>7.2} ms   p99 {:>7.2} ms",
        latency.p50.as_secs_f64() * 1e3,
        latency.p99.as_secs_f64() * 1e3
    );
    Ok(latency)
}

/// The total of every matrix cell: the number of orders the counters know of.
async fn matrix_total(http: &reqwest::Client, base: &str) -> anyhow::Result<i64> {
    let matrix: Value = http
        .get(format!("{base}/admin/sales/orders/matrix"))
        .send()
        .await?
        .json()
        .await?;
    let mut total = 0;
    for p in matrix["processes"].as_array().into_iter().flatten() {
        for row in p["rows"].as_array().into_iter().flatten() {
            total += row["total"]["count"].as_i64().unwrap_or(0);
        }
    }
    Ok(total)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let arg = |n: usize, default: usize| {
        std::env::args()
            .nth(n)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let total = arg(1, 100_000);
    let clients = arg(2, 2);
    let checkout_count = arg(3, 5_000).min(total);

    const PLUGINS: &[&str] = &["catalog", "customers", "sales", "shipping"];
    let (_dir, state) = harness::host_with(PLUGINS).await?;
    let _background =
        backoffice::plugins::start(state.plugins().clone(), Arc::new(SystemClock)).await;
    harness::ensure_loaded(&state, PLUGINS)?;
    let served = harness::serve(&state).await?;
    let (http, base) = (harness::json_client(&served)?, served.base.clone());

    let started = Instant::now();
    let customers = Arc::new(setup(&http, &base).await?);
    println!(
        "setup: 2 products, {CUSTOMERS} customers with addresses in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let ids = checkouts(&http, &base, &customers, checkout_count as u64, clients).await?;
    process(&http, &base, &ids).await?;
    drained(&state).await?;
    fill(&state, &customers, ids.len(), total).await?;
    let counted = matrix_total(&http, &base).await?;
    anyhow::ensure!(
        counted == total as i64,
        "the matrix counts {counted} orders, not {total}"
    );
    println!("{total} orders in place (the matrix counts {counted})");

    let json = "application/json";
    time_get(&http, &base, "baseline GET /healthz", "/healthz", json).await?;
    time_get(
        &http,
        &base,
        "baseline native admin JSON route",
        NATIVE_PATH,
        json,
    )
    .await?;
    let list = "/admin/sales/orders/index";
    let customer = customers[42].customer_id;
    let deep = harness::deep_page(&served, list, 100).await?;
    for (label, path, accept) in [
        ("order list, first page (50 orders)", list.to_owned(), json),
        ("order list, first page, HTML", list.to_owned(), "text/html"),
        (
            "order list, state filter (paid)",
            format!("{list}?state=paid"),
            json,
        ),
        (
            "order list, customer filter",
            format!("{list}?customer={customer}"),
            json,
        ),
        (
            "order list, search by email",
            format!("{list}?q={}", harness::encode(&customers[42].email)),
            json,
        ),
        ("order list, page 100 (keyset)", deep, json),
        (
            "order matrix",
            "/admin/sales/orders/matrix".to_owned(),
            json,
        ),
        (
            "order matrix, HTML",
            "/admin/sales/orders/matrix".to_owned(),
            "text/html",
        ),
    ] {
        time_get(&http, &base, label, &path, accept).await?;
    }
    Ok(())
}
