//! The plugin runtime as the rest of the host sees it: [`Runtime`] ties the loader (files →
//! validated, installed plugins), the calls (typed exports in fresh sandboxes, commit on
//! success) and the registry (what is loaded, enabled and with which limits) together, and
//! this module re-exports what web pages and the CLI use.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wasmtime::component::{HasSelf, Linker};

use super::bindings::Section;
use super::call::CallState;
use super::calls::Calls;
use super::engine;
use super::loader::Loader;
use super::registry::{Pending, Registry};
use crate::clock::Clock;
use crate::db::Db;
use crate::mail::Mailer;
use crate::observe::Metrics;
use crate::shop::Shop;
use crate::templates::Templates;

pub use super::calls::{CallError, DeliveryError};
pub use super::engine::Overrides;
pub use super::loader::{MAX_COMPONENT_BYTES, PluginSettings};
pub use super::states::{LimitError, set_enabled, set_limits};

pub struct Runtime {
    registry: Arc<Registry>,
    calls: Arc<Calls>,
    loader: Loader,
    db: Db,
    /// Set once every plugin file was loaded (or failed, visibly) at start: `/readyz`.
    loaded: AtomicBool,
}

impl Runtime {
    pub fn new(
        db: Db,
        templates: Arc<Templates>,
        clock: Arc<dyn Clock>,
        shop: Arc<Shop>,
        settings: PluginSettings,
        mail: Arc<Mailer>,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Runtime> {
        let engine = engine::shared()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| anyhow::anyhow!("{e}"))?;
        Section::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |s| s)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let registry = Arc::new(Registry::default());
        let calls = Calls::new(
            engine.clone(),
            db.clone(),
            registry.clone(),
            clock,
            shop,
            mail,
            metrics,
        );
        let loader = Loader::new(
            engine,
            linker,
            registry.clone(),
            templates,
            db.clone(),
            calls.clone(),
            settings,
        );
        Ok(Runtime {
            registry,
            calls,
            loader,
            db,
            loaded: AtomicBool::new(false),
        })
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Runs plugin exports (requests, events, widgets).
    pub fn calls(&self) -> &Arc<Calls> {
        &self.calls
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// What `/metrics` exposes (shared with the host's web side).
    pub fn metrics(&self) -> &Metrics {
        &self.calls.metrics
    }

    /// Whether [`Runtime::load_all`] has finished: every plugin file is serving, pending or
    /// listed as failed on the Plugins page.
    pub fn loaded(&self) -> bool {
        self.loaded.load(Ordering::Acquire)
    }

    pub fn settings(&self) -> &PluginSettings {
        self.loader.settings()
    }

    /// Every directory plugins are loaded from.
    pub fn dirs(&self) -> Vec<PathBuf> {
        self.loader.dirs()
    }

    /// Loads every plugin file, then reads which are enabled and their limits.
    pub async fn load_all(&self, now: i64) {
        self.loader.load_all(now).await;
        if let Err(err) = self.refresh_states().await {
            tracing::error!(error = %err, "reading plugin states");
        }
        self.loaded.store(true, Ordering::Release);
    }

    /// Loads plugin files and uploads.
    pub fn loader(&self) -> &Loader {
        &self.loader
    }

    /// Re-reads which plugins are disabled, their limits and approvals (the Plugins page, the
    /// CLI or another host may have changed them), and activates pending versions approved
    /// elsewhere since.
    pub async fn refresh_states(&self) -> sqlx::Result<()> {
        let approvals = super::states::refresh(&self.db, &self.registry).await?;
        if !self.registry.pendings().is_empty() {
            let now = self.calls.clock.now();
            self.loader.activate_approved(&approvals, now).await;
        }
        Ok(())
    }

    /// `by` approves what the pending version of plugin `id` asks for, and it replaces the
    /// version serving (if any). `None` when no version of `id` is pending.
    pub async fn approve(&self, id: &str, by: &str, now: i64) -> anyhow::Result<Option<Pending>> {
        let Some(pending) = self.registry.take_pending(id) else {
            return Ok(None);
        };
        super::states::approve(&self.db, id, &pending.asks, by, now).await?;
        self.loader.activate(pending.plugin.clone(), now).await?;
        Ok(Some(pending))
    }

    /// Wakes the event dispatcher after the host itself committed events (e.g. a customer
    /// registration), as a plugin call's commit does.
    pub fn wake_dispatcher(&self) {
        self.calls.events_published.notify_one();
    }
}
