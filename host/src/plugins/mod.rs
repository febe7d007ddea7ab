//! The plugin runtime: every Back Office section is a WebAssembly component run by wasmtime.
//!
//! `runtime` is the face the rest of the host uses. Behind it: `engine` (one engine, limits)
//! → `cache` (compiled code) → `loader` (files → validated, installed plugins, with
//! `manifest` for validation and `collections` for storage) → `registry` (what is loaded,
//! enabled, with which limits) and `states` (the admin's decisions in the database);
//! `calls` runs one typed export per call through `contract` (every supported WIT version) with
//! `call` + `host_impl` (the per-call sandbox state and the WIT imports) and commits on
//! success; `planner` (when to refresh SQLite's statistics), `outbox` + `delivery` (events),
//! `watcher` (hot reload) and `stats` (the Plugins page's numbers; `/metrics` is `observe`). The host's HTTP side lives in
//! `web::dispatch` and `web::plugins`.

pub mod bindings;
pub mod cache;
pub mod call;
pub mod calls;
mod collections;
pub mod consent;
mod contract;
pub mod delivery;
pub mod engine;
mod host_impl;
pub mod loader;
pub mod manifest;
pub mod outbox;
mod planner;
pub mod registry;
pub mod runtime;
pub mod states;
pub mod stats;
pub mod timers;
pub mod watcher;

pub use runtime::{PluginSettings, Runtime};

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;

/// How often enabled/disabled states are re-read from the database (changes made by the CLI or
/// by another host behind the same database).
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// Background work of a serving host: hot reload, event delivery, state refresh. Dropping it
/// stops watching.
pub struct Background {
    _watcher: Option<notify::RecommendedWatcher>,
}

/// Loads every plugin, then starts the background tasks.
pub async fn start(runtime: Arc<Runtime>, clock: Arc<dyn Clock>) -> Background {
    runtime.load_all(clock.now()).await;
    let watcher = match watcher::spawn(runtime.clone(), clock.clone()) {
        Ok(w) => Some(w),
        Err(err) => {
            tracing::error!(error = %err, "hot reload is off: cannot watch the plugin directories");
            None
        }
    };
    tokio::spawn(delivery::run(runtime.clone(), clock));
    tokio::spawn(async move {
        let mut every = tokio::time::interval(REFRESH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(err) = runtime.refresh_states().await {
                tracing::warn!(error = %err, "reading plugin states");
            }
        }
    });
    Background { _watcher: watcher }
}
