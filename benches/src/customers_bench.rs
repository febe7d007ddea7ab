//! Customers section benchmark: the Back Office customer list with many customers, over real
//! HTTP (session, CSRF and ACL layers, the plugin call, template rendering).
//!
//! ```sh
//! plugins/build.sh                      # builds target/plugins/customers.wasm
//! cargo run --release -p backoffice-benches --bin customers-bench [-- CUSTOMERS [REQUESTS]]
//! ```
//!
//! Seeding writes the records straight through the host's storage API (the same
//! `Collection::put` a plugin's `storage.put` reaches, in one transaction, then `analyze`), so
//! 100,000 customers take seconds instead of 100,000 HTTP round trips. Then each list variant
//! is requested REQUESTS times in turn by one keep-alive client, and the median and 99th
//! percentile are printed. The target is a p99 of at most 20 ms.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use backoffice::AppState;
use backoffice::clock::{Clock, SystemClock};
use backoffice::storage;
use backoffice_benches::{self as harness, percentile};
use serde_json::json;

const FIRST: &[&str] = &[
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Karla",
    "Luis", "Mia", "Noah", "Olga", "Paul",
];
const LAST: &[&str] = &[
    "Schmidt",
    "Meyer",
    "Weber",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
    "Hartmann",
    "Lange",
    "Krause",
    "Lehmann",
    "Walter",
    "Maier",
    "Fuchs",
    "Kaiser",
    "Peters",
    "Scholz",
];

fn plugin_file() -> PathBuf {
    let target = option_env!("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("plugins/customers.wasm")
}

/// Writes `count` customers (every 50th blocked, names from small lists so searches hit many)
/// created one minute apart up to now.
async fn seed(state: &AppState, count: usize) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let now = SystemClock.now();
    let mut tx = state.db().begin_write().await?;
    let collection = storage::open(&mut tx, state.db().engine(), "customers", "customers").await?;
    for i in 0..count {
        let reference = format!("CU-B{i:07}");
        let last = format!("{}{}", LAST[i % LAST.len()], i / 1000);
        let gender = ["female", "male", "diverse", ""][i % 4];
        let data = json!({
            "reference": reference,
            "email": format!("customer{i}@example.com"),
            "salutation": "",
            "first_name": FIRST[(i / 7) % FIRST.len()],
            "last_name": last,
            "gender": gender,
            "date_of_birth": "",
            "phone": "",
            "locale": "en",
            "notes": "",
            "customer_id": i as i64 + 1,
            "blocked": i % 50 == 0,
            "anonymised": false,
            "status": if i % 50 == 0 { "blocked" } else { "active" },
            "group_ids": [],
            "groups": "",
            "created": now - (count - i) as i64 * 60,
        });
        collection
            .put(&mut tx, Some(&reference), data, None, now)
            .await?;
    }
    storage::analyze(&mut tx, &collection).await?;
    tx.commit().await?;
    Ok(started.elapsed())
}

async fn get(client: &reqwest::Client, url: &str, cookie: &str, accept: &str) -> String {
    let reply = client
        .get(url)
        .header("cookie", cookie)
        .header("accept", accept)
        .send()
        .await
        .expect("request");
    assert_eq!(reply.status(), 200, "{url}");
    reply.text().await.expect("body")
}

/// Requests `path` `requests` times (after a warm-up) and prints its median and p99.
async fn measure(base: &str, cookie: &str, label: &str, path: &str, requests: usize) -> Duration {
    let client = reqwest::Client::new();
    let url = format!("{base}{path}");
    for _ in 0..20 {
        get(&client, &url, cookie, "text/html").await;
    }
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        get(&client, &url, cookie, "text/html").await;
        times.push(started.elapsed());
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "{label:<44} p50 {:>6.2} ms   p99 {:>6.2} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    p99
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let requests: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let file = plugin_file();
    anyhow::ensure!(
        file.exists(),
        "{} is missing: run plugins/build.sh",
        file.display()
    );

    let dir = tempfile::tempdir()?;
    let plugin_dir = dir.path().join("plugins");
    std::fs::create_dir_all(&plugin_dir)?;
    std::fs::copy(&file, plugin_dir.join("customers.wasm"))?;
    let state = harness::state(dir.path(), vec![plugin_dir], true).await?;
    state.plugins().load_all(0).await;
    anyhow::ensure!(
        state.plugins().registry().get("customers").is_some(),
        "the customers plugin did not load"
    );
    let took = seed(&state, count).await?;
    println!(
        "seeded {count} customers in {:.1} s through the storage API",
        took.as_secs_f64()
    );

    let served = harness::serve(&state).await?;
    let list = "/admin/customers/customers/index";
    // Deep pages beside the first: keyset paging must not slow down with depth (issue #16),
    // also on a descending sort of a field records may lack (NULLs last).
    let deep = harness::deep_page(&served, list, 100).await?;
    let by_name_desc = format!("{list}?sort=last_name&dir=desc");
    let deep_by_name = harness::deep_page(&served, &by_name_desc, 100).await?;
    let (base, cookie) = (served.base, served.cookie);
    let first: serde_json::Value = serde_json::from_str(
        &get(
            &reqwest::Client::new(),
            &format!("{base}{list}"),
            &cookie,
            "application/json",
        )
        .await,
    )?;
    let next = first["next"].as_str().expect("a second page").to_owned();
    let cases = [
        ("list, newest first (50 per page)", list.to_owned()),
        (
            "list, second page (keyset cursor)",
            format!("{list}?after={}", harness::encode(&next)),
        ),
        ("list, page 100 (keyset)", deep),
        (
            "list, sorted by last name",
            format!("{list}?sort=last_name&dir=asc"),
        ),
        ("list, by last name descending", by_name_desc),
        ("list, by last name descending, page 100", deep_by_name),
        ("list, status blocked", format!("{list}?status=blocked")),
        (
            "list, gender female, by email",
            format!("{list}?gender=female&sort=email&dir=asc"),
        ),
        (
            "list, search \"Hoffmann17\"",
            format!("{list}?q=Hoffmann17"),
        ),
    ];
    println!("{requests} sequential requests each, HTML pages, {count} customers:");
    let mut worst = Duration::ZERO;
    for (label, path) in &cases {
        worst = worst.max(measure(&base, &cookie, label, path, requests).await);
    }
    println!(
        "worst p99 {:.2} ms (target ≤ 20 ms): {}",
        worst.as_secs_f64() * 1e3,
        if worst <= Duration::from_millis(20) {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}
