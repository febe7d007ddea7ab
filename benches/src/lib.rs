//! What the benchmark binaries share: a host in this process over a fresh SQLite file, served on
//! a real port with a signed-in admin session, a native baseline route, and latency statistics.
//!
//! Benchmarks measure through real HTTP and compare every number with a baseline from the same
//! run, because the machines are noisy.

pub mod catalog;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::get;
use backoffice::acl::Granted;
use backoffice::auth::session::{self, Realm};
use backoffice::clock::{Clock, SystemClock};
use backoffice::db::Db;
use backoffice::plugins::PluginSettings;
use backoffice::{AppState, WebSettings};

/// The cargo target directory the plugins were built into (`plugins/build.sh` honours
/// `CARGO_TARGET_DIR` the same way).
pub fn target_dir() -> PathBuf {
    option_env!("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// A host state over a new SQLite file in `dir`, loading plugins from `plugins`, with the
/// compiled-code cache in `dir/cache` when `cache` is set.
pub async fn state(dir: &Path, plugins: Vec<PathBuf>, cache: bool) -> anyhow::Result<AppState> {
    let db = Db::connect(&Db::default_url(dir)).await?;
    db.migrate().await?;
    let settings = WebSettings {
        plugins: PluginSettings {
            // The benchmarks load the repository's own plugins and fixtures: trusted.
            trusted: plugins.clone(),
            dirs: plugins,
            upload_dir: None,
            cache_dir: cache.then(|| dir.join("cache")),
        },
        ..WebSettings::default()
    };
    AppState::new(db, Arc::new(SystemClock), settings)
}

/// A host state over a new SQLite file in a new temporary folder whose plugin folder holds
/// the repository's plugins `names` (as `plugins/build.sh` built them), with the compile
/// cache; the plugins are not loaded yet (`load_all`, or `plugins::start` with delivery).
pub async fn host_with(names: &[&str]) -> anyhow::Result<(tempfile::TempDir, AppState)> {
    let dir = tempfile::tempdir()?;
    let plugin_dir = dir.path().join("plugins");
    std::fs::create_dir_all(&plugin_dir)?;
    for name in names {
        let file = target_dir().join(format!("plugins/{name}.wasm"));
        anyhow::ensure!(
            file.exists(),
            "{} is missing: run plugins/build.sh",
            file.display()
        );
        std::fs::copy(&file, plugin_dir.join(format!("{name}.wasm")))?;
    }
    let state = state(dir.path(), vec![plugin_dir], true).await?;
    Ok((dir, state))
}

/// Fails unless every plugin of `names` is loaded.
pub fn ensure_loaded(state: &AppState, names: &[&str]) -> anyhow::Result<()> {
    for name in names {
        anyhow::ensure!(
            state.plugins().registry().get(name).is_some(),
            "the {name} plugin did not load"
        );
    }
    Ok(())
}

/// The path of the native baseline route: through the same session, CSRF and ACL layers as a
/// plugin's admin route, answering a small JSON object.
pub const NATIVE_PATH: &str = "/admin/native/index/json";

async fn native(_: Granted) -> Json<serde_json::Value> {
    Json(serde_json::json!({"greeting": "Hello, world!", "name": "world"}))
}

/// A running host and the first admin's session, as a browser would hold it.
#[derive(Debug, Clone)]
pub struct Served {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The `Cookie` header value of the admin session.
    pub cookie: String,
    /// The session's CSRF token (the `_csrf` form field or `X-CSRF-Token` header).
    pub csrf: String,
}

/// Creates the first admin and a session for it, then serves the whole application plus the
/// native baseline route ([`NATIVE_PATH`]) on a free local port.
pub async fn serve(state: &AppState) -> anyhow::Result<Served> {
    let admin =
        backoffice::bootstrap::ensure_first_admin(state.db(), None, Some("bench-password-0001"), 0)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the database is not fresh"))?;
    let (user, _) = backoffice::users::find_credentials(state.db(), &admin.email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the first admin was not created"))?;
    let (token, session) = session::create(
        state.db(),
        Realm::Admin,
        user.id,
        "127.0.0.1",
        "bench",
        SystemClock.now(),
    )
    .await?;
    let router = backoffice::app_with_admin_routes(
        state.clone(),
        axum::Router::new().route(NATIVE_PATH, get(native)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(backoffice::server::serve_router(
        listener,
        router,
        backoffice::server::Timeouts::default(),
        std::future::pending(),
    ));
    Ok(Served {
        base,
        cookie: format!("bo_session={token}"),
        csrf: session.csrf_token,
    })
}

/// An API client with the admin session, answering JSON.
pub fn json_client(served: &Served) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", served.cookie.parse()?);
    headers.insert("x-csrf-token", served.csrf.parse()?);
    headers.insert("accept", "application/json".parse()?);
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .build()?)
}

/// POSTs `body` to `path`; the JSON answer, or an error with the answer's text.
pub async fn post(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    body: &serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let reply = http.post(format!("{base}{path}")).json(body).send().await?;
    let status = reply.status();
    let text = reply.text().await?;
    anyhow::ensure!(status == 200, "{path}: {status} {text}");
    Ok(serde_json::from_str(&text)?)
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
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

/// The address of page `page` (1 = the first) of the keyset list at `list` (a path with its
/// query, answering JSON with a `next` cursor), found by following the cursors as a client
/// would; the last page when the list is shorter.
pub async fn deep_page(served: &Served, list: &str, page: usize) -> anyhow::Result<String> {
    let http = json_client(served)?;
    let join = if list.contains('?') { '&' } else { '?' };
    let mut path = list.to_owned();
    for _ in 1..page {
        let answer: serde_json::Value = http
            .get(format!("{}{path}", served.base))
            .send()
            .await?
            .json()
            .await?;
        match answer["next"].as_str() {
            Some(next) => path = format!("{list}{join}after={}", encode(next)),
            None => break,
        }
    }
    Ok(path)
}

/// The `q` quantile (0–1) of sorted durations.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Median and 99th percentile of a set of request latencies.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub requests: usize,
    pub p50: Duration,
    pub p99: Duration,
}

impl Latency {
    pub fn of(mut times: Vec<Duration>) -> Latency {
        times.sort();
        Latency {
            requests: times.len(),
            p50: percentile(&times, 0.5),
            p99: percentile(&times, 0.99),
        }
    }
}

/// Runs `request` from `clients` concurrent tasks for `duration` and returns every latency.
/// The first failure (an error or a status other than 200) ends the run with that error.
pub async fn latencies<F, Fut>(
    clients: usize,
    duration: Duration,
    request: F,
) -> anyhow::Result<Latency>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                request().await?;
                times.push(started.elapsed());
            }
            anyhow::Ok(times)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    anyhow::ensure!(!all.is_empty(), "no request finished in {duration:?}");
    Ok(Latency::of(all))
}
