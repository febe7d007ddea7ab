//! Loading plugins: read → check it is a component → compile (or load cached code) →
//! pre-instantiate → ask for the manifest in a sandbox with nothing granted → validate → check
//! templates → create storage → swap into the registry. Any failure leaves the previous version
//! serving and is recorded for the Plugins page.
//!
//! Content that is already serving from a file, or that already failed from it, is not loaded
//! again: editors and copies fire several events, and only new content may cost a compile.
//!
//! Consent: a version that asks for more than the admin approved for its id (see `consent`)
//! is held pending instead of swapped in; the version already serving keeps serving. Plugins
//! from a trusted directory (the first-party build) are approved by configuration.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use wasmtime::Engine;
use wasmtime::component::Linker;

use super::cache::{self, CompileCache};
use super::call::CallState;
use super::calls::Calls;
use super::collections;
use super::consent::Requests;
use super::contract::Exports;
use super::manifest::{self, Manifest};
use super::registry::{Pending, Plugin, Registry};
use super::states::{self, Approval};
use crate::db::Db;
use crate::observe::metrics::CacheUse;
use crate::templates::Templates;

/// An uploaded version that waits for approval is kept as `<id>.pending.wasm` beside the
/// serving `<id>.wasm`, so a restart still serves the old version and still holds the new one;
/// approval renames it over the old file.
const PENDING_SUFFIX: &str = ".pending.wasm";

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
    /// Directories (among `dirs`) whose plugins are approved by configuration: what they ask
    /// for is granted without asking the admin (the first-party plugins built from the
    /// repository). Uploads are never trusted.
    pub trusted: Vec<PathBuf>,
}

/// A component that compiled and validated, not yet installed.
struct Prepared {
    manifest: Manifest,
    exports: Exports,
    hash: String,
}

pub struct Loader {
    engine: Engine,
    linker: Linker<CallState>,
    cache: Option<CompileCache>,
    registry: Arc<Registry>,
    templates: Arc<Templates>,
    db: Db,
    calls: Arc<Calls>,
    settings: PluginSettings,
}

impl Loader {
    pub(super) fn new(
        engine: Engine,
        linker: Linker<CallState>,
        registry: Arc<Registry>,
        templates: Arc<Templates>,
        db: Db,
        calls: Arc<Calls>,
        settings: PluginSettings,
    ) -> Loader {
        Loader {
            engine,
            linker,
            cache: settings.cache_dir.clone().map(CompileCache::new),
            registry,
            templates,
            db,
            calls,
            settings,
        }
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
    }

    /// Loads (or reloads) one plugin file and swaps it in; a failure is recorded for the Plugins
    /// page (and the old version, if any, keeps serving).
    pub async fn load_file(&self, path: &Path, now: i64) -> anyhow::Result<Arc<Plugin>> {
        let bytes = match tokio::fs::read(path).await {
            Ok(bytes) => bytes,
            Err(err) => {
                let err = anyhow::Error::new(err).context(format!("reading {}", path.display()));
                return Err(self.failed(path, String::new(), err, now));
            }
        };
        let hash = cache::content_hash(&bytes);
        if let Some(current) = self
            .registry
            .all()
            .into_iter()
            .find(|p| p.source == path && p.hash == hash)
        {
            return Ok(current);
        }
        if let Some(waiting) = self
            .registry
            .pendings()
            .into_iter()
            .find(|p| p.plugin.source == path && p.plugin.hash == hash)
        {
            return Ok(waiting.plugin);
        }
        if let Some(failure) = self.registry.failure_with(path, &hash) {
            anyhow::bail!("{}", failure.message);
        }
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let loaded = match self.prepare(bytes, &name).await {
            Ok(prepared) => self.install(prepared, path.to_owned(), false, now).await,
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
        self.calls.metrics.plugin_load_failed();
        self.registry
            .record_failure(path.to_owned(), hash, message, now);
        err
    }

    /// Saves an uploaded component as `<dir>/<plugin-id>.wasm` and installs it, but only after it
    /// compiled and its manifest validated: a broken upload changes nothing. An upload whose id
    /// is already installed is an upgrade: it always waits for the admin's approval (the old
    /// version serving meanwhile), never a silent replacement; and a plugin served from a
    /// trusted directory (the first-party build) cannot be replaced by an upload at all.
    pub async fn install_upload(
        &self,
        dir: &Path,
        bytes: Vec<u8>,
        now: i64,
    ) -> anyhow::Result<Arc<Plugin>> {
        let prepared = self.prepare(bytes.clone(), "upload").await?;
        tokio::fs::create_dir_all(dir).await?;
        let id = prepared.manifest.id.clone();
        let serving = self.registry.get(&id);
        if let Some(serving) = &serving
            && self.trusted(&serving.source)
        {
            anyhow::bail!(
                "plugin {id} is served from the trusted directory of {}: an upload cannot replace it (update that file instead)",
                serving.source.display()
            );
        }
        // Uploads are never trusted, and an upgrade is always the admin's decision.
        let waits = serving.is_some() || !self.missing(&prepared.manifest, false).await?.is_empty();
        let waiting_file = dir.join(format!("{id}{PENDING_SUFFIX}"));
        let path = if waits {
            waiting_file.clone()
        } else {
            dir.join(format!("{id}.wasm"))
        };
        // Hidden temporary name: the watcher ignores dot-files, so it sees only the rename.
        let tmp = dir.join(format!(".{id}.wasm.part"));
        tokio::fs::write(&tmp, &bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        let plugin = self.install(prepared, path, waits, now).await?;
        if !waits {
            // This version serves: one that was waiting for approval is superseded.
            self.registry.take_pending(&id);
            if tokio::fs::try_exists(&waiting_file).await.unwrap_or(false) {
                tokio::fs::remove_file(&waiting_file).await?;
            }
        }
        Ok(plugin)
    }

    /// Whether `file` lies in a trusted plugin directory (approved by configuration).
    fn trusted(&self, file: &Path) -> bool {
        self.settings.trusted.iter().any(|d| file.starts_with(d))
    }

    /// What `manifest` asks for that the admin has not approved (nothing from a trusted
    /// directory).
    async fn missing(&self, manifest: &Manifest, trusted: bool) -> sqlx::Result<Requests> {
        if trusted {
            return Ok(Requests::default());
        }
        let approval = states::approval(&self.db, &manifest.id).await?;
        Ok(approval.missing(&Requests::of(manifest)))
    }

    /// Everything short of installing: compile, link, read and validate the manifest, parse the
    /// bundled templates.
    async fn prepare(&self, bytes: Vec<u8>, name: &str) -> anyhow::Result<Prepared> {
        check_component_bytes(&bytes)?;
        let started = Instant::now();
        let loaded = match &self.cache {
            Some(cache) => cache.load(&self.engine, bytes).await?,
            None => {
                let engine = self.engine.clone();
                tokio::task::spawn_blocking(move || -> anyhow::Result<cache::Loaded> {
                    let component = wasmtime::component::Component::new(&engine, &bytes)
                        .map_err(|e| anyhow::anyhow!("{e:#}"))?;
                    Ok(cache::Loaded {
                        component,
                        hash: cache::content_hash(&bytes),
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
        let exports = Exports::new(instance_pre)?;
        let raw = self
            .calls
            .manifest(&exports, name)
            .await
            .map_err(anyhow::Error::new)
            .context("manifest() failed")?;
        let mut manifest = manifest::validate(raw)?;
        if let Some((route, other)) = self.registry.route_taken(&manifest) {
            anyhow::bail!(
                "plugin {} declares the storefront route {route}, which plugin {other} already serves: two plugins cannot serve one route",
                manifest.id
            );
        }
        let cache = match (&self.cache, loaded.cached) {
            (None, _) => CacheUse::Off,
            (Some(_), true) => CacheUse::Hit,
            (Some(_), false) => CacheUse::Miss,
        };
        self.calls.metrics.plugin_loaded(cache, started.elapsed());
        let component_type = loaded.component.component_type();
        let imports: Vec<&str> = component_type
            .imports(&self.engine)
            .map(|(name, _)| name)
            .collect();
        manifest.imports = manifest::host_interfaces(imports.iter().copied());
        manifest.capabilities = manifest::capabilities(imports);
        manifest.contract = exports.version().to_owned();
        self.templates
            .check_plugin_templates(&manifest.id, &manifest.templates)
            .context("a bundled template does not compile")?;
        Ok(Prepared {
            manifest,
            exports,
            hash: loaded.hash,
        })
    }

    /// Swaps the version in when the admin has approved all it asks for (and `hold` is not
    /// set: an uploaded upgrade), or holds it pending.
    async fn install(
        &self,
        prepared: Prepared,
        source: PathBuf,
        hold: bool,
        now: i64,
    ) -> anyhow::Result<Arc<Plugin>> {
        let Prepared {
            manifest,
            exports,
            hash,
        } = prepared;
        let asks = Requests::of(&manifest);
        let id = manifest.id.clone();
        let trusted = self.trusted(&source);
        let plugin = Arc::new(Plugin {
            manifest: Arc::new(manifest),
            exports,
            hash,
            source,
            stats: Default::default(),
            points: Default::default(),
            loaded_at: now,
        });
        let approval = states::approval(&self.db, &id).await?;
        let missing = self.missing(&plugin.manifest, trusted).await?;
        if hold || !missing.is_empty() {
            states::mark_pending(&self.db, &id, &asks, now).await?;
            tracing::warn!(plugin = %id, version = %plugin.manifest.version, asks = %missing.summary(), "plugin waits for the admin's approval");
            self.registry.set_pending(Pending {
                plugin: plugin.clone(),
                asks,
                missing,
            });
            return Ok(plugin);
        }
        if approval != Approval::Granted(asks.clone()) && !asks.is_empty() {
            let by = if trusted {
                "configuration (trusted plugin directory)"
            } else {
                "installed before consent existed"
            };
            states::approve(&self.db, &id, &asks, by, now).await?;
        }
        self.activate(plugin, now).await
    }

    /// Creates the plugin's storage, registers its templates and swaps it in.
    pub async fn activate(&self, plugin: Arc<Plugin>, now: i64) -> anyhow::Result<Arc<Plugin>> {
        collections::ensure(&self.db, &plugin.manifest, now).await?;
        states::remember(&self.db, &plugin.manifest, now).await?;
        self.templates
            .set_plugin_templates(&plugin.manifest.id, &plugin.manifest.templates)?;
        if let Some(old) = self.registry.install(plugin.clone())
            && old.source != plugin.source
            && promoted(&plugin.source).as_ref() != Some(&old.source)
        {
            tracing::warn!(plugin = %plugin.manifest.id, old = %old.source.display(), new = %plugin.source.display(), "plugin id now provided by another file");
        }
        if let Some(target) = promoted(&plugin.source)
            && let Err(err) = tokio::fs::rename(&plugin.source, &target).await
        {
            tracing::error!(plugin = %plugin.manifest.id, file = %plugin.source.display(), error = %err, "moving an approved version over the old one failed");
        }
        Ok(plugin)
    }

    /// Activates the pending versions whose requests `approvals` now cover (approved by the
    /// CLI or on another host since they were loaded here).
    pub async fn activate_approved(&self, approvals: &HashMap<String, Approval>, now: i64) {
        for pending in self.registry.pendings() {
            let id = &pending.plugin.manifest.id;
            let covered = approvals
                .get(id)
                .is_some_and(|a| a.missing(&pending.asks).is_empty());
            if !covered {
                continue;
            }
            if let Some(pending) = self.registry.take_pending(id)
                && let Err(err) = self.activate(pending.plugin, now).await
            {
                tracing::error!(plugin = %id, error = %format!("{err:#}"), "activating an approved plugin failed");
            }
        }
    }
}

/// The serving name of an approved version's waiting file (`<id>.pending.wasm` → `<id>.wasm`).
fn promoted(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let id = name.strip_suffix(PENDING_SUFFIX)?;
    Some(path.with_file_name(format!("{id}.wasm")))
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
