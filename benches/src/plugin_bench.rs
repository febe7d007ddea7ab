//! Plugin runtime benchmark: per-call cost, plugin route vs native route throughput, cold start.
//!
//! Also: what invoking an extension point adds over its provider's own work (`asker` and
//! `provider` fixtures).
//!
//! ```sh
//! plugins/build.sh --fixtures          # builds target/fixtures/hello.wasm (and notes-js)
//! cargo run --release -p backoffice-benches --bin plugin-bench [-- SECONDS [CLIENTS]]
//! ```
//!
//! Everything runs in one process on this machine, and every number comes with its baseline
//! from the same run (machines are noisy): the plugin route is compared with a native axum
//! route that passes the same session, CSRF and ACL layers and returns the same JSON.

use std::path::PathBuf;

use anyhow::Context;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backoffice::AppState;
use backoffice::plugins::bindings::guest;
use backoffice::plugins::bindings::types::{Method, Surface};
use backoffice::plugins::call::Caller;
use backoffice_benches::{self as harness, NATIVE_PATH, percentile};

fn fixtures_dir() -> PathBuf {
    std::env::var_os("BACKOFFICE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| harness::target_dir().join("fixtures"))
}

fn hello_request() -> guest::Request {
    admin_get("index", "json")
}

/// A `GET /admin/<plugin>/<controller>/<action>` as the host hands it to a plugin.
fn admin_get(controller: &str, action: &str) -> guest::Request {
    guest::Request {
        surface: Surface::Admin,
        method: Method::Get,
        path: format!("/{controller}/{action}"),
        controller: controller.into(),
        action: action.into(),
        query: Vec::new(),
        form: Vec::new(),
        body: None,
        wants_json: true,
    }
}

/// Time to load a component: compiling (empty cache) and from the compile cache.
async fn cold_start(name: &str) -> anyhow::Result<()> {
    let file = fixtures_dir().join(format!("{name}.wasm"));
    if !file.exists() {
        println!(
            "cold start {name:<10} skipped: {} not built",
            file.display()
        );
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let state = harness::state(dir.path(), Vec::new(), true).await?;
    let started = Instant::now();
    state.plugins().loader().load_file(&file, 0).await?;
    let compiled = started.elapsed();
    let mut cached = Vec::new();
    for _ in 0..5 {
        let fresh = harness::state(dir.path(), Vec::new(), true).await?;
        let started = Instant::now();
        fresh.plugins().loader().load_file(&file, 0).await?;
        cached.push(started.elapsed());
    }
    cached.sort();
    println!(
        "cold start {name:<10} compile {:>9.1} ms   from cache {:>7.2} ms   ({:.0}x faster)",
        compiled.as_secs_f64() * 1e3,
        cached[2].as_secs_f64() * 1e3,
        compiled.as_secs_f64() / cached[2].as_secs_f64()
    );
    Ok(())
}

/// Takes a plugin's answer as it is (the bench measures the call, not an HTTP mapping).
fn keep(response: guest::Response) -> anyhow::Result<guest::Response> {
    Ok(response)
}

/// Instantiate + call + drop of the hello plugin, without HTTP.
async fn per_call(state: &AppState, calls: usize) -> anyhow::Result<()> {
    let runtime = state.plugins();
    let hello = runtime.registry().get("hello").expect("hello is loaded");
    for _ in 0..500 {
        runtime
            .calls()
            .handle(&hello, Caller::default(), hello_request(), keep)
            .await?;
    }
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        let response = runtime
            .calls()
            .handle(&hello, Caller::default(), hello_request(), keep)
            .await?;
        drop(response);
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "per call (instantiate + handle + drop, {calls} calls)   median {:>6.1} µs   p99 {:>6.1} µs",
        percentile(&times, 0.5).as_secs_f64() * 1e6,
        percentile(&times, 0.99).as_secs_f64() * 1e6
    );
    Ok(())
}

/// Median of `runs` timings of `f`, after a warm-up of a tenth as many.
async fn median<F, Fut>(runs: usize, mut f: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    for _ in 0..runs / 10 {
        f().await?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(percentile(&times, 0.5))
}

/// What an extension point invocation adds over the provider's own work: the `asker` fixture
/// answering a request that invokes `asker.greetings` (one Rust provider, `provider`), minus
/// the same fixture answering a request that invokes nothing, minus the host calling the
/// provider directly (`Calls::invoke`, the provider's sandbox and work). Medians, same run.
async fn invoke_overhead(state: &AppState, runs: usize) -> anyhow::Result<()> {
    let calls = state.plugins().calls().clone();
    let registry = state.plugins().registry();
    let asker = registry.get("asker").context("asker is loaded")?;
    let caller = Caller::default();
    let invoking = median(runs, || {
        let (calls, asker, caller) = (calls.clone(), asker.clone(), caller.clone());
        async move {
            calls
                .handle(&asker, caller, admin_get("index", "index"), keep)
                .await?;
            Ok(())
        }
    })
    .await?;
    let plain = median(runs, || {
        let (calls, asker, caller) = (calls.clone(), asker.clone(), caller.clone());
        async move {
            calls
                .handle(&asker, caller, admin_get("index", "plain"), keep)
                .await?;
            Ok(())
        }
    })
    .await?;
    let direct = median(runs, || {
        let (calls, caller) = (calls.clone(), caller.clone());
        async move {
            let until = Instant::now() + Duration::from_secs(2);
            let answers = calls
                .invoke("asker.greetings", r#"{"name":"bench"}"#, &caller, until)
                .await;
            anyhow::ensure!(answers.len() == 1 && answers[0].1.is_ok(), "{answers:?}");
            Ok(())
        }
    })
    .await?;
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "invoke ({runs} calls, medians): request that invokes {:>6.1} µs   same request without invoking {:>6.1} µs   provider called directly by the host {:>6.1} µs   => invoke overhead {:>6.1} µs",
        us(invoking),
        us(plain),
        us(direct),
        us(invoking) - us(plain) - us(direct)
    );
    Ok(())
}

/// Requests per second against one path, from `clients` keep-alive connections.
async fn throughput(base: &str, path: &str, cookie: &str, clients: usize, seconds: f64) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (done, url, cookie) = (done.clone(), format!("{base}{path}"), cookie.to_owned());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while Instant::now() < deadline {
                let reply = client
                    .get(&url)
                    .header("cookie", &cookie)
                    .header("accept", "application/json")
                    .send()
                    .await
                    .expect("request");
                assert_eq!(reply.status(), 200, "{url}");
                reply.bytes().await.expect("body");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        task.await.expect("client task");
    }
    done.load(Ordering::Relaxed) as f64 / seconds
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let hello = fixtures_dir().join("hello.wasm");
    anyhow::ensure!(
        hello.exists(),
        "{} is missing: run plugins/build.sh --fixtures",
        hello.display()
    );

    cold_start("hello").await?;
    cold_start("notes-js").await?;

    let dir = tempfile::tempdir()?;
    let plugin_dir = dir.path().join("plugins");
    std::fs::create_dir_all(&plugin_dir)?;
    for name in ["hello", "asker", "provider"] {
        let file = fixtures_dir().join(format!("{name}.wasm"));
        std::fs::copy(&file, plugin_dir.join(format!("{name}.wasm"))).with_context(|| {
            format!(
                "{} is missing: run plugins/build.sh --fixtures",
                file.display()
            )
        })?;
    }
    let state = harness::state(dir.path(), vec![plugin_dir], true).await?;
    state.plugins().load_all(0).await;
    per_call(&state, 10_000).await?;
    invoke_overhead(&state, 5_000).await?;

    let served = harness::serve(&state).await?;
    let (base, cookie) = (served.base, served.cookie);

    let clients: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    throughput(&base, NATIVE_PATH, &cookie, clients, 0.5).await;
    throughput(&base, "/admin/hello/index/json", &cookie, clients, 0.5).await;
    let (mut native_total, mut plugin_total) = (0.0, 0.0);
    for round in 1..=4 {
        let n = throughput(&base, NATIVE_PATH, &cookie, clients, seconds).await;
        let p = throughput(&base, "/admin/hello/index/json", &cookie, clients, seconds).await;
        println!(
            "round {round}: native route {n:>8.0} req/s   plugin route {p:>8.0} req/s   ratio {:.2}",
            p / n
        );
        native_total += n;
        plugin_total += p;
    }
    let stats = state
        .plugins()
        .registry()
        .get("hello")
        .expect("hello")
        .stats
        .snapshot();
    println!(
        "plugin calls during the run: {} requests, mean {:.1} µs inside the sandbox (instantiate + call)",
        stats.requests,
        stats.total_us as f64 / stats.requests.max(1) as f64
    );
    println!(
        "HTTP ({clients} keep-alive clients, same process, session + CSRF + ACL on both): plugin/native = {:.2}",
        plugin_total / native_total
    );
    Ok(())
}
