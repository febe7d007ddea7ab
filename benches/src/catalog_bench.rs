//! Catalog at scale: fills the catalog plugin with a synthetic catalog (default 100,000
//! products) through CSV imports over HTTP, then measures the Back Office product list and the
//! storefront search with concurrent clients, each next to a baseline from the same run.
//!
//! ```sh
//! plugins/build.sh                     # target/plugins/catalog.wasm
//! cargo run --release -p backoffice-benches --bin catalog-bench -- --help
//! ```
//!
//! Phases, each its own function: start a host in this process with the real catalog component
//! over a fresh SQLite file; create the categories; import the products as CSV files of
//! `--rows` rows (or, with `--via api`, one JSON create per product); re-import the first file
//! (idempotent by SKU: every row unchanged); measure the reads.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use backoffice_benches::catalog::{CATEGORIES, Catalog};
use backoffice_benches::{self as harness, Latency, NATIVE_PATH, Served};
use clap::{Parser, ValueEnum};
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(about = "Imports a large synthetic catalog and measures product lists and search")]
struct Options {
    /// Products in the catalog.
    #[arg(long, default_value_t = 100_000)]
    products: usize,
    /// Rows per imported CSV file (one request each, within the plugin's 2 s deadline).
    #[arg(long, default_value_t = 2_000)]
    rows: usize,
    /// How the products get in.
    #[arg(long, value_enum, default_value_t = Via::Import)]
    via: Via,
    /// Concurrent clients for the read measurements (and for `--via api`): 1 measures a
    /// request's latency; more measure it under load (on 2 cores, 8 clients queue).
    #[arg(long, default_value_t = 1)]
    clients: usize,
    /// Seconds each read measurement runs.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Seed of the generated catalog (the same seed gives the same products).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the data directory (SQLite file) afterwards and print where it is, to look at
    /// query plans with `sqlite3`.
    #[arg(long)]
    keep: bool,
    /// The catalog component [default: $CARGO_TARGET_DIR/plugins/catalog.wasm].
    #[arg(long)]
    plugin: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum Via {
    /// CSV files posted to `products/import` (multipart field `file`).
    Import,
    /// One JSON `products/create` per product (no stock column): the path that exists without
    /// the import, slower, for small catalogs.
    Api,
}

const IMPORT_PATH: &str = "/admin/catalog/products/import";

/// An HTTP client holding the admin session, asking for JSON.
#[derive(Clone)]
struct Admin {
    client: reqwest::Client,
    served: Served,
}

impl Admin {
    fn new(served: Served) -> Admin {
        Admin {
            client: reqwest::Client::new(),
            served,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.served.base)
    }

    async fn get_json(&self, path: &str) -> anyhow::Result<Value> {
        let request = self
            .client
            .get(self.url(path))
            .header("cookie", &self.served.cookie)
            .header("accept", "application/json");
        answer(request, path).await
    }

    async fn post_json(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let request = self
            .client
            .post(self.url(path))
            .header("cookie", &self.served.cookie)
            .header("accept", "application/json")
            .header("x-csrf-token", &self.served.csrf)
            .json(body);
        answer(request, path).await
    }

    /// Posts `text` as the file of a multipart form, with the CSRF field first as a browser's
    /// form sends it.
    async fn post_file(&self, path: &str, filename: &str, text: String) -> anyhow::Result<Value> {
        let boundary = "----catalog-bench-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: text/csv\r\n\r\n",
            self.served.csrf
        )
        .into_bytes();
        body.extend_from_slice(text.as_bytes());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .client
            .post(self.url(path))
            .header("cookie", &self.served.cookie)
            .header("accept", "application/json")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        answer(request, path).await
    }
}

/// The JSON answer of a request that must succeed.
async fn answer(request: reqwest::RequestBuilder, path: &str) -> anyhow::Result<Value> {
    let reply = request.send().await.with_context(|| path.to_owned())?;
    let status = reply.status();
    let text = reply.text().await?;
    if !status.is_success() {
        bail!(
            "{path} answered {status}: {}",
            text.chars().take(300).collect::<String>()
        );
    }
    serde_json::from_str(&text).with_context(|| format!("{path} answered no JSON"))
}

/// A host in this process with the catalog component loaded, served on a local port.
async fn start(
    options: &Options,
) -> anyhow::Result<(tempfile::TempDir, backoffice::AppState, Admin)> {
    let component = options
        .plugin
        .clone()
        .unwrap_or_else(|| harness::target_dir().join("plugins/catalog.wasm"));
    ensure!(
        component.is_file(),
        "{} is missing: run plugins/build.sh",
        component.display()
    );
    let dir = tempfile::tempdir()?;
    let plugin_dir = dir.path().join("plugins");
    std::fs::create_dir_all(&plugin_dir)?;
    std::fs::copy(&component, plugin_dir.join("catalog.wasm"))?;
    let state = harness::state(dir.path(), vec![plugin_dir], true).await?;
    state.plugins().load_all(0).await;
    ensure!(
        state.plugins().registry().get("catalog").is_some(),
        "the catalog plugin did not load from {}",
        component.display()
    );
    let served = harness::serve(&state).await?;
    Ok((dir, state, Admin::new(served)))
}

/// Creates the warehouse the CSV's `stock` column fills (the first active one by name).
async fn create_warehouse(admin: &Admin) -> anyhow::Result<()> {
    let body = serde_json::json!({ "name": "Main" });
    admin
        .post_json("/admin/catalog/warehouses/create", &body)
        .await?;
    Ok(())
}

/// Creates [`CATEGORIES`]; answers their ids by slug.
async fn create_categories(admin: &Admin) -> anyhow::Result<HashMap<String, String>> {
    let mut ids = HashMap::new();
    for (slug, name) in CATEGORIES {
        let body = serde_json::json!({ "name": name, "slug": slug });
        let created = admin
            .post_json("/admin/catalog/categories/create", &body)
            .await?;
        let id = created["category"]["id"]
            .as_str()
            .context("categories/create answered no category id")?;
        ids.insert(slug.to_owned(), id.to_owned());
    }
    Ok(ids)
}

/// What the import answers, summed over files.
#[derive(Debug, Default)]
struct Imported {
    rows: usize,
    files: usize,
    created: u64,
    updated: u64,
    unchanged: u64,
    failed: u64,
    /// Time spent in the import requests (the CSV is made before each request starts).
    elapsed: Duration,
}

impl Imported {
    fn add(&mut self, rows: usize, answer: &Value, elapsed: Duration) -> anyhow::Result<()> {
        let answer = &answer["report"];
        let count = |key: &str| {
            answer[key]
                .as_u64()
                .with_context(|| format!("the import answered no {key:?}: {answer}"))
        };
        self.rows += rows;
        self.files += 1;
        self.created += count("created")?;
        self.updated += count("updated")?;
        self.unchanged += count("unchanged")?;
        self.failed += count("failed")?;
        self.elapsed += elapsed;
        if let Some(errors) = answer["errors"].as_array().filter(|e| !e.is_empty()) {
            let first: Vec<String> = errors.iter().take(3).map(Value::to_string).collect();
            println!(
                "  file {}: {} rows failed, e.g. {}",
                self.files,
                errors.len(),
                first.join(", ")
            );
        }
        Ok(())
    }

    fn report(&self, what: &str) {
        println!(
            "{what}: {} rows in {} files, {:.1} s, {:.0} rows/s (created {}, updated {}, unchanged {}, failed {})",
            self.rows,
            self.files,
            self.elapsed.as_secs_f64(),
            self.rows as f64 / self.elapsed.as_secs_f64(),
            self.created,
            self.updated,
            self.unchanged,
            self.failed
        );
    }
}

/// Imports the products `rows` as CSV files of `per_file` rows, one request after another.
async fn import(
    admin: &Admin,
    catalog: &Catalog,
    rows: std::ops::Range<usize>,
    per_file: usize,
) -> anyhow::Result<Imported> {
    let mut imported = Imported::default();
    let mut start = rows.start;
    while start < rows.end {
        let end = (start + per_file).min(rows.end);
        let csv = catalog.csv(start..end);
        let started = Instant::now();
        let answer = admin
            .post_file(IMPORT_PATH, &format!("products-{start}.csv"), csv)
            .await
            .context("the import failed (without the import action, try --via api)")?;
        imported.add(end - start, &answer, started.elapsed())?;
        start = end;
    }
    Ok(imported)
}

/// Creates every product with one JSON `products/create` each, from `clients` tasks.
async fn create_via_api(
    admin: &Admin,
    catalog: &Catalog,
    category_ids: &HashMap<String, String>,
    clients: usize,
) -> anyhow::Result<Duration> {
    let next = Arc::new(AtomicUsize::new(0));
    let (catalog, category_ids) = (Arc::new(catalog.clone()), Arc::new(category_ids.clone()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (admin, next, catalog, ids) = (
            admin.clone(),
            next.clone(),
            catalog.clone(),
            category_ids.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= catalog.size() {
                    return anyhow::Ok(());
                }
                let body = catalog.product(i).create_body(&ids);
                admin
                    .post_json("/admin/catalog/products/create", &body)
                    .await?;
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed())
}

/// One read measurement: GETs of `path` from concurrent clients.
async fn measure(
    admin: &Admin,
    path: &str,
    accept: &'static str,
    options: &Options,
) -> anyhow::Result<Latency> {
    let client = admin.client.clone();
    let (url, cookie) = (admin.url(path), admin.served.cookie.clone());
    let request = move || {
        let request = client
            .get(&url)
            .header("cookie", &cookie)
            .header("accept", accept);
        let url = url.clone();
        async move {
            let reply = request.send().await?;
            ensure!(reply.status() == 200, "{url} answered {}", reply.status());
            reply.bytes().await?;
            Ok(())
        }
    };
    // Warm up (connections, caches), then measure.
    harness::latencies(options.clients, Duration::from_millis(300), request.clone()).await?;
    let duration = Duration::from_secs_f64(options.seconds);
    harness::latencies(options.clients, duration, request).await
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Measures `path` and prints it, against `baseline` when given; a path that does not answer
/// 200 is reported and skipped (e.g. a page not built yet).
async fn row(
    admin: &Admin,
    label: &str,
    path: &str,
    accept: &'static str,
    baseline: Option<Latency>,
    options: &Options,
) -> Option<Latency> {
    match measure(admin, path, accept, options).await {
        Ok(latency) => {
            let ratios = baseline
                .map(|b| {
                    format!(
                        "   × baseline: p50 {:>5.1}  p99 {:>5.1}",
                        ms(latency.p50) / ms(b.p50),
                        ms(latency.p99) / ms(b.p99)
                    )
                })
                .unwrap_or_default();
            println!(
                "{label:<52} p50 {:>7.2} ms  p99 {:>7.2} ms  ({} requests){ratios}",
                ms(latency.p50),
                ms(latency.p99),
                latency.requests
            );
            Some(latency)
        }
        Err(e) => {
            println!("{label:<52} skipped: {e:#}");
            None
        }
    }
}

/// The product list and storefront search, each after its baseline.
async fn reads(admin: &Admin, catalog: &Catalog, options: &Options) -> anyhow::Result<()> {
    let (common, rare) = (catalog.common_word(), catalog.rare_word());
    for word in [common, rare] {
        let list = admin
            .get_json(&format!("/admin/catalog/products/index?q={word}&limit=1"))
            .await?;
        println!("products matching {word:?}: {}", list["total"]);
    }
    println!(
        "reads: {} concurrent keep-alive clients, {} s each",
        options.clients, options.seconds
    );
    let json = "application/json";
    let native = row(
        admin,
        "baseline: native admin JSON route",
        NATIVE_PATH,
        json,
        None,
        options,
    )
    .await;
    let by_price = "/admin/catalog/products/index?status=active&sort=price&dir=desc&limit=50";
    let lists = [
        (
            "product list: status=active, sort=price desc, 50".to_owned(),
            by_price.to_owned(),
        ),
        (
            "product list: the same, page 100 (keyset)".to_owned(),
            harness::deep_page(&admin.served, by_price, 100).await?,
        ),
        (
            format!("product list: q={common}, 50"),
            format!("/admin/catalog/products/index?q={common}&limit=50"),
        ),
        (
            format!("product list: q={rare}, 50"),
            format!("/admin/catalog/products/index?q={rare}&limit=50"),
        ),
    ];
    for (label, path) in &lists {
        row(admin, label, path, json, native, options).await;
    }
    let html = "text/html";
    let health = row(admin, "baseline: /healthz", "/healthz", html, None, options).await;
    for word in [common, rare] {
        let label = format!("storefront search: /search?q={word}");
        row(
            admin,
            &label,
            &format!("/search?q={word}"),
            html,
            health,
            options,
        )
        .await;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    ensure!(options.products > 0 && options.rows > 0 && options.clients > 0);
    let catalog = Catalog::new(options.seed, options.products);
    let (dir, _state, admin) = start(&options).await?;
    let category_ids = create_categories(&admin).await?;
    create_warehouse(&admin).await?;
    println!(
        "catalog of {} products (seed {}), {} categories",
        options.products,
        options.seed,
        category_ids.len()
    );
    match options.via {
        Via::Import => {
            let imported = import(&admin, &catalog, 0..catalog.size(), options.rows).await?;
            imported.report("import");
            let first = options.rows.min(catalog.size());
            let again = import(&admin, &catalog, 0..first, options.rows).await?;
            again.report("re-import of the first file (rows unchanged, nothing written)");
        }
        Via::Api => {
            let elapsed = create_via_api(&admin, &catalog, &category_ids, options.clients).await?;
            println!(
                "created through products/create: {} products, {:.1} s, {:.0} products/s",
                catalog.size(),
                elapsed.as_secs_f64(),
                catalog.size() as f64 / elapsed.as_secs_f64()
            );
        }
    }
    reads(&admin, &catalog, &options).await?;
    if options.keep {
        println!("data kept in {}", dir.keep().display());
    }
    Ok(())
}
