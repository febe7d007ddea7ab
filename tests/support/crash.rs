//! The crash-test pattern: a real `backoffice serve` over a data directory that outlives it,
//! clients writing through the HTTP API with a token, a `kill -9` at a moment that varies per
//! round, and then the check that every acknowledged write is there and the database is sound.
//! `sales_crash`, `catalog_crash` and `customers_crash` are written with it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

use crate::binary::{Served, run};
use crate::plugins::fixture;

const PASSWORD: &str = "crash-test-admin-pw-01";

/// A shop whose server can be started, killed and started again over the same data.
pub struct Shop {
    _dir: TempDir,
    data: PathBuf,
    plugins: PathBuf,
    /// The API client of the first admin (bearer token, JSON answers).
    pub http: reqwest::Client,
}

impl Shop {
    /// A data directory with the given first-party plugins trusted, the first admin created
    /// by a first start, and an API token for them. Returns the shop and its first server.
    pub async fn new(plugins: &[&str]) -> (Shop, Served, String) {
        let dir = tempfile::tempdir().unwrap();
        let wasm = dir.path().join("wasm");
        std::fs::create_dir_all(&wasm).unwrap();
        for name in plugins {
            std::fs::copy(fixture(name), wasm.join(format!("{name}.wasm"))).unwrap();
        }
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let (served, base) = start(&data, &wasm);
        let created = run(
            &data,
            &["token", "create", "admin@example.com", "--name", "crash"],
        );
        assert!(created.status.success(), "{created:?}");
        let output = String::from_utf8(created.stdout).unwrap();
        let token = output.lines().nth(1).expect("the token line").trim();
        let shop = Shop {
            _dir: dir,
            data,
            plugins: wasm,
            http: client(token),
        };
        (shop, served, base)
    }

    /// Starts the server again over the same data; returns it and its base URL.
    pub fn start(&self) -> (Served, String) {
        start(&self.data, &self.plugins)
    }

    /// The data directory (for reading the database once the server is stopped).
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// Waits until every path answers 200 (the plugins are loaded).
    pub async fn ready(&self, base: &str, paths: &[&str]) {
        for path in paths {
            crate::poll(Duration::from_secs(60), path, || async {
                let r = self.http.get(format!("{base}{path}")).send().await.ok()?;
                (r.status() == 200).then_some(())
            })
            .await;
        }
    }

    /// POSTs `body` as JSON to `path`, which must answer 200; returns the answer.
    pub async fn post(&self, base: &str, path: &str, body: Value) -> Value {
        let r = self
            .http
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

    /// GETs `path` as JSON.
    pub async fn get(&self, base: &str, path: &str) -> Value {
        self.http
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `rounds` rounds of: start the server, wait for `ready`, run `clients` writers until
    /// [`kill_target`] writes (scaled by `per_target`: `target * num / den`, at least 2) were
    /// acknowledged, then SIGKILL. Returns every acknowledged write's value.
    pub async fn crash_rounds<T, F, Fut>(
        &self,
        ready: &[&str],
        rounds: usize,
        clients: usize,
        per_target: (usize, usize),
        write: F,
    ) -> Vec<T>
    where
        T: Send + 'static,
        F: Fn(reqwest::Client, String, Write) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Option<T>> + Send,
    {
        let mut acknowledged = Vec::new();
        for round in 0..rounds {
            let (served, base) = self.start();
            self.ready(&base, ready).await;
            let target = (kill_target(round) * per_target.0 / per_target.1).max(2);
            let write = write.clone();
            let kept = self
                .kill_during(
                    served,
                    &base,
                    clients,
                    target,
                    move |http, base, client, n| write(http, base, Write { round, client, n }),
                )
                .await;
            acknowledged.extend(kept);
        }
        acknowledged
    }

    /// One round: `clients` tasks run `write(client, n)` in a loop against `base`, each
    /// keeping what the server acknowledged (`Some`); once `at_least` writes were
    /// acknowledged in all, the server is killed with SIGKILL while the others are in flight.
    /// A write that gets no answer (the server died) ends its client: not acknowledged.
    async fn kill_during<T, F, Fut>(
        &self,
        served: Served,
        base: &str,
        clients: usize,
        at_least: usize,
        write: F,
    ) -> Vec<T>
    where
        T: Send + 'static,
        F: Fn(reqwest::Client, String, usize, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<T>> + Send,
    {
        let write = Arc::new(write);
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(AtomicUsize::new(0));
        let running = Arc::new(AtomicUsize::new(clients));
        let mut tasks = tokio::task::JoinSet::new();
        for c in 0..clients {
            let (http, base) = (self.http.clone(), base.to_owned());
            let (write, stop, acked) = (write.clone(), stop.clone(), acked.clone());
            let running = running.clone();
            tasks.spawn(async move {
                let mut kept = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let Some(done) = write(http.clone(), base.clone(), c, n).await else {
                        break;
                    };
                    kept.push(done);
                    acked.fetch_add(1, Ordering::Relaxed);
                }
                running.fetch_sub(1, Ordering::Relaxed);
                kept
            });
        }
        crate::poll(Duration::from_secs(120), "writes acknowledged", || {
            let (acked, running) = (acked.clone(), running.clone());
            async move {
                let enough = acked.load(Ordering::Relaxed) >= at_least;
                (enough || running.load(Ordering::Relaxed) == 0).then_some(())
            }
        })
        .await;
        assert!(
            acked.load(Ordering::Relaxed) >= at_least,
            "every client stopped before {at_least} writes were acknowledged (see their refusals above)"
        );
        let status = Command::new("kill")
            .args(["-KILL", &served.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for kept in tasks.join_all().await {
            all.extend(kept);
        }
        drop(served);
        all
    }

    /// SQLite's own check of the database file (the server must be stopped).
    pub async fn assert_integrity(&self) {
        let db = crate::open_db(&self.data).await;
        let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(verdict, "ok");
    }
}

/// Which write a writer is asked for: its round, its client and its number in the round
/// (from 1), so a write can make values no other write makes.
#[derive(Debug, Clone, Copy)]
pub struct Write {
    pub round: usize,
    pub client: usize,
    pub n: usize,
}

/// The JSON answer of a write the server acknowledged (200). A refusal is printed (the test's
/// output shows why a client stopped) and, like a dropped connection, is no acknowledgement.
pub async fn acknowledged(reply: reqwest::Response) -> Option<Value> {
    let status = reply.status();
    let text = reply.text().await.ok()?;
    if status != 200 {
        eprintln!("write refused with {status}: {text}");
        return None;
    }
    serde_json::from_str(&text).ok()
}

/// A kill target that varies per round and per run: 3 to 22 acknowledged writes.
fn kill_target(round: usize) -> usize {
    3 + (round * 7919 + std::process::id() as usize) % 20
}

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

/// Every item of a keyset-paged list: `path` (with its query, ending in `&` or `?`) is asked
/// with `after=` the previous page's `next` until there is none; `key` names the array.
pub async fn all_pages(shop: &Shop, base: &str, path: &str, key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = shop.get(base, &format!("{path}after={after}")).await;
        let items = page[key].as_array().unwrap_or_else(|| panic!("{page}"));
        out.extend(items.iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = encode(next),
            None => return out,
        }
    }
}
