//! Loading plugins and calling them.
//!
//! Loading: read → check it is a component → compile (or load cached code) → pre-instantiate →
//! ask for the manifest in a sandbox with nothing granted → validate → check templates → create
//! storage → swap into the registry. Any failure leaves the previous version serving and is
//! recorded for the Plugins page.
//!
//! Calling: a fresh `Store` from the `InstancePre` per call, with the memory cap and an epoch
//! deadline that yields to tokio on every tick, inside a wall-clock timeout (host calls cannot be
//! interrupted by the epoch). The caller decides from the result whether the call's transaction
//! commits.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use super::bindings::{Section, SectionPre, guest};
use super::cache::CompileCache;
use super::call::{CallState, Caller};
use super::engine::{self, Limits, MemoryCapExceeded};
use super::manifest::{self, Manifest};
use super::planner::{self, Planner};
use super::registry::{Plugin, Registry};
use super::stats::Outcome;
use crate::clock::Clock;
use crate::db::Db;
use crate::templates::Templates;

/// Extra wall-clock time beyond the epoch deadline before a call is abandoned (covers host calls
/// that block, e.g. waiting on a database lock).
const GRACE: Duration = Duration::from_millis(400);

/// Largest `.wasm` file accepted.
pub const MAX_COMPONENT_BYTES: usize = 64 << 20;

/// Where plugin files come from and where compiled code is cached.
#[derive(Debug, Clone, Default)]
pub struct PluginSettings {
    /// Directories scanned (and watched) for `*.wasm`.
    pub dirs: Vec<PathBuf>,
    /// Where uploads from the Plugins page are written (also scanned).
    pub upload_dir: Option<PathBuf>,
    /// Compiled-code cache; none disables it.
    pub cache_dir: Option<PathBuf>,
}

/// What a plugin export was asked to do.
pub enum Export {
    Handle(guest::Request),
    Event(guest::Event),
    Widget(String),
}

/// What it answered.
pub enum Answer {
    Response(guest::Response),
    Event(Result<(), String>),
    Widget(Result<guest::View, String>),
}

/// A call that ended abnormally. The message never contains guest memory contents.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{plugin} did not answer within {limit:?} and was stopped")]
    Timeout { plugin: String, limit: Duration },
    #[error("{plugin} tried to use more than its {cap} bytes of memory and was stopped")]
    Memory { plugin: String, cap: usize },
    #[error("{plugin} crashed: {message}")]
    Trap { plugin: String, message: String },
}

/// A component that compiled and validated, not yet installed.
struct Prepared {
    manifest: Manifest,
    pre: SectionPre<CallState>,
    hash: String,
}

/// A finished call: the answer and the state holding its (uncommitted) transaction.
pub struct Finished {
    pub answer: Answer,
    pub state: CallState,
}

pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    cache: Option<CompileCache>,
    registry: Arc<Registry>,
    templates: Arc<Templates>,
    db: Db,
    clock: Arc<dyn Clock>,
    settings: PluginSettings,
    /// Woken after a commit that published events.
    pub(crate) events_published: tokio::sync::Notify,
    /// Writes per collection since their planner statistics were refreshed.
    planner: Arc<Planner>,
}

impl Runtime {
    pub fn new(
        db: Db,
        templates: Arc<Templates>,
        clock: Arc<dyn Clock>,
        settings: PluginSettings,
    ) -> anyhow::Result<Runtime> {
        let engine = engine::shared()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| anyhow::anyhow!("{e}"))?;
        Section::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |s| s)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Runtime {
            engine,
            linker,
            cache: settings.cache_dir.clone().map(CompileCache::new),
            registry: Arc::new(Registry::default()),
            templates,
            db,
            clock,
            settings,
            events_published: tokio::sync::Notify::new(),
            planner: Arc::default(),
        })
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    pub fn settings(&self) -> &PluginSettings {
        &self.settings
    }

    /// Every directory plugins are loaded from.
    pub fn dirs(&self) -> Vec<PathBuf> {
        let mut dirs = self.settings.dirs.clone();
        dirs.extend(self.settings.upload_dir.clone());
        dirs
    }

    /// Loads every `*.wasm` in the plugin directories; failures are recorded, not fatal.
    pub async fn load_all(&self, now: i64) {
        for dir in self.dirs() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
                .collect();
            files.sort();
            for file in files {
                // A failure is recorded for the Plugins page; the other files still load.
                let _ = self.load_file(&file, now).await;
            }
        }
        if let Err(err) = self.refresh_states().await {
            tracing::error!(error = %err, "reading plugin states");
        }
    }

    /// Loads (or reloads) one plugin file and swaps it in; a failure is recorded for the Plugins
    /// page (and the old version, if any, keeps serving). Content that is already serving from
    /// this file, or that already failed from it, is not loaded again: editors and copies fire
    /// several events, and only new content may cost a compile.
    pub async fn load_file(&self, path: &Path, now: i64) -> anyhow::Result<Arc<Plugin>> {
        let bytes = match tokio::fs::read(path).await {
            Ok(bytes) => bytes,
            Err(err) => {
                let err = anyhow::Error::new(err).context(format!("reading {}", path.display()));
                return Err(self.failed(path, String::new(), err, now));
            }
        };
        let hash = super::cache::content_hash(&bytes);
        if let Some(current) = self
            .registry
            .all()
            .into_iter()
            .find(|p| p.source == path && p.hash == hash)
        {
            return Ok(current);
        }
        if let Some(failure) = self.registry.failure_with(path, &hash) {
            anyhow::bail!("{}", failure.message);
        }
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let loaded = match self.prepare(bytes, &name).await {
            Ok(prepared) => self.install(prepared, path.to_owned(), now).await,
            Err(err) => Err(err),
        };
        match loaded {
            Ok(plugin) => {
                tracing::info!(plugin = %plugin.manifest.id, version = %plugin.manifest.version, file = %path.display(), "plugin loaded");
                Ok(plugin)
            }
            Err(err) => Err(self.failed(path, hash, err, now)),
        }
    }

    /// Logs and records a failed load of `path` (content `hash`), handing the error back.
    fn failed(&self, path: &Path, hash: String, err: anyhow::Error, now: i64) -> anyhow::Error {
        let message = format!("{err:#}");
        tracing::warn!(file = %path.display(), error = %message, "plugin not loaded");
        self.registry
            .record_failure(path.to_owned(), hash, message, now);
        err
    }

    /// Saves an uploaded component as `<dir>/<plugin-id>.wasm` and installs it, but only after it
    /// compiled and its manifest validated: a broken upload changes nothing.
    pub async fn install_upload(
        &self,
        dir: &Path,
        bytes: Vec<u8>,
        now: i64,
    ) -> anyhow::Result<Arc<Plugin>> {
        let prepared = self.prepare(bytes.clone(), "upload").await?;
        tokio::fs::create_dir_all(dir).await?;
        let path = dir.join(format!("{}.wasm", prepared.manifest.id));
        // Hidden temporary name: the watcher ignores dot-files, so it sees only the rename.
        let tmp = dir.join(format!(".{}.wasm.part", prepared.manifest.id));
        tokio::fs::write(&tmp, &bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        self.install(prepared, path, now).await
    }

    /// Everything short of installing: compile, link, read and validate the manifest, parse the
    /// bundled templates.
    async fn prepare(&self, bytes: Vec<u8>, name: &str) -> anyhow::Result<Prepared> {
        check_component_bytes(&bytes)?;
        let loaded = match &self.cache {
            Some(cache) => cache.load(&self.engine, bytes).await?,
            None => {
                let engine = self.engine.clone();
                tokio::task::spawn_blocking(move || -> anyhow::Result<super::cache::Loaded> {
                    let component = wasmtime::component::Component::new(&engine, &bytes)
                        .map_err(|e| anyhow::anyhow!("{e:#}"))?;
                    Ok(super::cache::Loaded {
                        component,
                        hash: super::cache::content_hash(&bytes),
                        cached: false,
                    })
                })
                .await??
            }
        };
        let instance_pre = self
            .linker
            .instantiate_pre(&loaded.component)
            .map_err(|e| {
                anyhow::anyhow!("the component needs something this host does not provide: {e:#}")
            })?;
        let pre = SectionPre::new(instance_pre).map_err(|e| {
            anyhow::anyhow!("the component does not export backoffice:plugin/plugin@0.1.0: {e:#}")
        })?;
        let raw = self.fetch_manifest(&pre, name).await?;
        let mut manifest = manifest::validate(raw)?;
        let component_type = loaded.component.component_type();
        let imports: Vec<&str> = component_type
            .imports(&self.engine)
            .map(|(name, _)| name)
            .collect();
        manifest.capabilities = manifest::capabilities(imports);
        self.templates
            .check_plugin_templates(&manifest.id, &manifest.templates)
            .context("a bundled template does not compile")?;
        Ok(Prepared {
            manifest,
            pre,
            hash: loaded.hash,
        })
    }

    /// Creates the plugin's storage, registers its templates and swaps it in.
    async fn install(
        &self,
        prepared: Prepared,
        source: PathBuf,
        now: i64,
    ) -> anyhow::Result<Arc<Plugin>> {
        let Prepared {
            manifest,
            pre,
            hash,
        } = prepared;
        super::collections::ensure(&self.db, &manifest, now).await?;
        self.remember(&manifest, now).await?;
        let plugin = Arc::new(Plugin {
            manifest: Arc::new(manifest),
            pre,
            hash,
            source,
            stats: Default::default(),
            loaded_at: now,
        });
        self.templates
            .set_plugin_templates(&plugin.manifest.id, &plugin.manifest.templates)?;
        if let Some(old) = self.registry.install(plugin.clone())
            && old.source != plugin.source
        {
            tracing::warn!(plugin = %plugin.manifest.id, old = %old.source.display(), new = %plugin.source.display(), "plugin id now provided by another file");
        }
        Ok(plugin)
    }

    /// Calls `manifest()` in a sandbox that has no storage and no caller.
    async fn fetch_manifest(
        &self,
        pre: &SectionPre<CallState>,
        name: &str,
    ) -> anyhow::Result<guest::PluginManifest> {
        let placeholder = Arc::new(Manifest::unloaded(name));
        let state = CallState::new(
            placeholder,
            Limits::default(),
            self.db.clone(),
            self.registry.clone(),
            Caller::default(),
            self.clock.clone(),
        );
        let mut store = self.store(state, Limits::default());
        let future = async {
            let instance = pre.instantiate_async(&mut store).await?;
            instance
                .backoffice_plugin_plugin()
                .call_manifest(&mut store)
                .await
        };
        let limits = Limits::default();
        match tokio::time::timeout(limits.deadline + GRACE, future).await {
            Ok(Ok(manifest)) => Ok(manifest),
            Ok(Err(err)) => {
                Err(anyhow::Error::new(classify(name, &limits, err))).context("manifest() failed")
            }
            Err(_) => Err(anyhow::Error::new(CallError::Timeout {
                plugin: name.to_owned(),
                limit: limits.deadline,
            })),
        }
    }

    /// Makes sure the plugin has a row in `plugins` (new plugins start enabled).
    async fn remember(&self, manifest: &Manifest, now: i64) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO plugins (id, enabled, version, updated_at) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        )
        .bind(&manifest.id)
        .bind(&manifest.version)
        .bind(now)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Re-reads which plugins are disabled and their limits (the Plugins page, the CLI or
    /// another host may have changed them).
    pub async fn refresh_states(&self) -> sqlx::Result<()> {
        let rows: Vec<(String, i64, Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT id, enabled, deadline_ms, memory_mib FROM plugins")
                .fetch_all(self.db.pool())
                .await?;
        let mut disabled = std::collections::HashSet::new();
        let mut limits = std::collections::HashMap::new();
        for (id, enabled, deadline_ms, memory_mib) in rows {
            if deadline_ms.is_some() || memory_mib.is_some() {
                limits.insert(id.clone(), Limits::with_overrides(deadline_ms, memory_mib));
            }
            if enabled == 0 {
                disabled.insert(id);
            }
        }
        self.registry.set_disabled(disabled);
        self.registry.set_limits(limits);
        Ok(())
    }

    fn store(&self, state: CallState, limits: Limits) -> Store<CallState> {
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(1);
        let started = Instant::now();
        let deadline = limits.deadline;
        store.epoch_deadline_callback(move |_| {
            if started.elapsed() >= deadline {
                Ok(UpdateDeadline::Interrupt)
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        store
    }

    /// Runs one export of `plugin` for `caller` in a fresh sandbox.
    pub async fn call(
        &self,
        plugin: &Arc<Plugin>,
        caller: Caller,
        export: Export,
    ) -> Result<Finished, CallError> {
        let limits = self.registry.limits_for(&plugin.manifest.id);
        let state = CallState::new(
            plugin.manifest.clone(),
            limits,
            self.db.clone(),
            self.registry.clone(),
            caller,
            self.clock.clone(),
        );
        let peak = state.limiter.peak_handle();
        let mut store = self.store(state, limits);
        let started = Instant::now();
        let future = async {
            let instance = plugin.pre.instantiate_async(&mut store).await?;
            let guest = instance.backoffice_plugin_plugin();
            Ok::<_, wasmtime::Error>(match &export {
                Export::Handle(req) => Answer::Response(guest.call_handle(&mut store, req).await?),
                Export::Event(ev) => Answer::Event(guest.call_on_event(&mut store, ev).await?),
                Export::Widget(name) => Answer::Widget(guest.call_widget(&mut store, name).await?),
            })
        };
        let result = tokio::time::timeout(limits.deadline + GRACE, future).await;
        let outcome = match &result {
            Ok(Ok(Answer::Response(guest::Response::Failure(_))))
            | Ok(Ok(Answer::Event(Err(_))))
            | Ok(Ok(Answer::Widget(Err(_)))) => Outcome::Error,
            Ok(Ok(_)) => Outcome::Ok,
            _ => Outcome::Trap,
        };
        plugin
            .stats
            .record(started.elapsed(), outcome, peak.load(Ordering::Relaxed));
        let label = plugin.label();
        match result {
            Ok(Ok(answer)) => Ok(Finished {
                answer,
                state: store.into_data(),
            }),
            Ok(Err(err)) => {
                let err = classify(&label, &limits, err);
                tracing::warn!(plugin = %plugin.manifest.id, version = %plugin.manifest.version, error = %err, "plugin call failed");
                Err(err)
            }
            Err(_) => {
                tracing::warn!(plugin = %plugin.manifest.id, version = %plugin.manifest.version, "plugin call abandoned after its deadline");
                Err(CallError::Timeout {
                    plugin: label,
                    limit: limits.deadline,
                })
            }
        }
    }

    /// Commits a finished call's transaction, wakes the WAL checkpoint task (see
    /// `db::checkpoint`) and the event dispatcher if it published.
    /// Collections that have grown by a good part since their planner statistics were taken
    /// get them refreshed (see `planner`): SQLite otherwise keeps planning with the statistics
    /// of a near-empty table and can sort every match instead of reading an index in order.
    pub async fn commit(&self, state: &mut CallState) -> sqlx::Result<()> {
        if let Some(tx) = state.take_transaction() {
            tx.commit().await?;
            self.db.committed();
            if state.published {
                self.events_published.notify_one();
            }
            for (collection, writes) in state.written.values() {
                if self.planner.note(&collection.table(), u64::from(*writes)) {
                    planner::refresh(&self.db, &self.planner, collection.clone());
                }
            }
        }
        Ok(())
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Wakes the event dispatcher after the host itself committed events (e.g. a customer
    /// registration), as [`Runtime::commit`] does for plugin calls.
    pub fn wake_dispatcher(&self) {
        self.events_published.notify_one();
    }
}

/// Enables or disables a plugin in the database (the source of truth shared by all hosts).
pub async fn set_enabled(db: &Db, id: &str, enabled: bool, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE plugins SET enabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(enabled))
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets (or, with `None`, resets to the default) a plugin's deadline and memory cap.
pub async fn set_limits(
    db: &Db,
    id: &str,
    deadline_ms: Option<i64>,
    memory_mib: Option<i64>,
    now: i64,
) -> Result<bool, LimitError> {
    if let Some(ms) = deadline_ms
        && !(engine::MIN_DEADLINE_MS..=engine::MAX_DEADLINE_MS).contains(&ms)
    {
        return Err(LimitError(format!(
            "the deadline must be between {} and {} ms",
            engine::MIN_DEADLINE_MS,
            engine::MAX_DEADLINE_MS
        )));
    }
    let max_mib = (engine::MAX_MEMORY >> 20) as i64;
    if let Some(mib) = memory_mib
        && !(engine::MIN_MEMORY_MIB..=max_mib).contains(&mib)
    {
        return Err(LimitError(format!(
            "the memory cap must be between {} and {max_mib} MiB",
            engine::MIN_MEMORY_MIB
        )));
    }
    let done = sqlx::query(
        "UPDATE plugins SET deadline_ms = $1, memory_mib = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(deadline_ms)
    .bind(memory_mib)
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await
    .map_err(|e| LimitError(format!("saving the limits: {e}")))?;
    Ok(done.rows_affected() > 0)
}

/// A limit outside what the host allows; the message says the allowed range.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LimitError(pub String);

/// Names what stopped a call.
fn classify(plugin: &str, limits: &Limits, err: wasmtime::Error) -> CallError {
    if let Some(Trap::Interrupt) = err.downcast_ref::<Trap>() {
        return CallError::Timeout {
            plugin: plugin.to_owned(),
            limit: limits.deadline,
        };
    }
    if let Some(cap) = err.downcast_ref::<MemoryCapExceeded>() {
        return CallError::Memory {
            plugin: plugin.to_owned(),
            cap: cap.cap,
        };
    }
    let message = match err.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => err.to_string(),
    };
    CallError::Trap {
        plugin: plugin.to_owned(),
        message: message
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(300)
            .collect(),
    }
}

/// Refuses files that are not WebAssembly components, with a message that says what they are.
pub fn check_component_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    if bytes.len() > MAX_COMPONENT_BYTES {
        anyhow::bail!("the file is larger than {} MiB", MAX_COMPONENT_BYTES >> 20);
    }
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        anyhow::bail!("the file is not WebAssembly (it does not start with \\0asm)");
    }
    match bytes[4..8] {
        [_, 0x00, 0x01, 0x00] => Ok(()),
        [0x01, 0x00, 0x00, 0x00] => anyhow::bail!(
            "the file is a core WebAssembly module, not a component: build it for wasm32-wasip2 (Rust) or with componentize-js / componentize-py"
        ),
        _ => anyhow::bail!("the file is WebAssembly of an unknown version"),
    }
}
