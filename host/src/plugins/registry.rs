//! The loaded plugins, which of them are enabled, and the files that failed to load.
//!
//! Swapping a plugin replaces one `Arc` under a short write lock: requests that already hold the
//! old `Arc` finish on the old version, new requests get the new one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde::Serialize;

use super::consent::Requests;
use super::contract::Exports;
use super::engine::Limits;
use super::manifest::Manifest;
use super::stats::{PointStats, Stats};

/// A loaded, validated plugin version.
pub struct Plugin {
    pub manifest: Arc<Manifest>,
    pub exports: Exports,
    /// SHA-256 of the `.wasm` file.
    pub hash: String,
    pub source: PathBuf,
    pub stats: Stats,
    /// Its numbers as a provider of extension points.
    pub points: PointStats,
    pub loaded_at: i64,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("id", &self.manifest.id)
            .field("version", &self.manifest.version)
            .field("source", &self.source)
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

impl Plugin {
    /// `id version`, for logs and error messages.
    pub fn label(&self) -> String {
        format!("{} {}", self.manifest.id, self.manifest.version)
    }
}

/// Why a file is not serving, shown on the Plugins page.
#[derive(Debug, Clone, Serialize)]
pub struct LoadFailure {
    pub file: String,
    pub message: String,
    pub at: i64,
    /// SHA-256 of the content that failed: the same content is not tried again.
    pub hash: String,
}

/// A version that asks for more than the admin approved: loaded, not routed, until approved.
#[derive(Debug, Clone)]
pub struct Pending {
    pub plugin: Arc<Plugin>,
    /// Everything it asks for.
    pub asks: Requests,
    /// What of that is not approved yet.
    pub missing: Requests,
}

#[derive(Default)]
pub struct Registry {
    /// Versions waiting for the admin's approval, by plugin id.
    pending: RwLock<HashMap<String, Pending>>,
    plugins: RwLock<HashMap<String, Arc<Plugin>>>,
    disabled: RwLock<HashSet<String>>,
    /// Per-plugin limits set by an admin; plugins not listed use the defaults.
    limits: RwLock<HashMap<String, Limits>>,
    failures: RwLock<BTreeMap<PathBuf, LoadFailure>>,
    /// How often the watcher saw each file's content change, since start.
    changes: RwLock<HashMap<PathBuf, u64>>,
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Registry {
    /// A loaded plugin, enabled or not.
    pub fn get(&self, id: &str) -> Option<Arc<Plugin>> {
        read(&self.plugins).get(id).cloned()
    }

    /// A loaded plugin that is enabled: the only kind that serves requests and events.
    pub fn enabled(&self, id: &str) -> Option<Arc<Plugin>> {
        if self.is_disabled(id) {
            return None;
        }
        self.get(id)
    }

    pub fn is_disabled(&self, id: &str) -> bool {
        read(&self.disabled).contains(id)
    }

    /// The ids of the loaded, enabled plugins, sorted.
    pub fn enabled_ids(&self) -> Vec<String> {
        let disabled = read(&self.disabled);
        let mut ids: Vec<String> = read(&self.plugins)
            .keys()
            .filter(|id| !disabled.contains(*id))
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// Every loaded plugin, by id.
    pub fn all(&self) -> Vec<Arc<Plugin>> {
        let mut plugins: Vec<_> = read(&self.plugins).values().cloned().collect();
        plugins.sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
        plugins
    }

    /// Installs a plugin version, returning the one it replaces. A version of the same id
    /// waiting for approval in the same file is dropped (that file serves now); one waiting in
    /// a file of its own (an upload's `<id>.pending.wasm`) keeps waiting.
    pub fn install(&self, plugin: Arc<Plugin>) -> Option<Arc<Plugin>> {
        write(&self.failures).remove(&plugin.source);
        let mut pending = write(&self.pending);
        if pending
            .get(&plugin.manifest.id)
            .is_some_and(|p| p.plugin.source == plugin.source)
        {
            pending.remove(&plugin.manifest.id);
        }
        drop(pending);
        write(&self.plugins).insert(plugin.manifest.id.clone(), plugin)
    }

    /// Holds a version until the admin approves what it asks for (the version already serving,
    /// if any, keeps serving).
    pub fn set_pending(&self, pending: Pending) {
        write(&self.failures).remove(&pending.plugin.source);
        write(&self.pending).insert(pending.plugin.manifest.id.clone(), pending);
    }

    pub fn pending(&self, id: &str) -> Option<Pending> {
        read(&self.pending).get(id).cloned()
    }

    pub fn take_pending(&self, id: &str) -> Option<Pending> {
        write(&self.pending).remove(id)
    }

    /// Every version waiting for approval, by id.
    pub fn pendings(&self) -> Vec<Pending> {
        let mut all: Vec<Pending> = read(&self.pending).values().cloned().collect();
        all.sort_by(|a, b| a.plugin.manifest.id.cmp(&b.plugin.manifest.id));
        all
    }

    pub fn set_disabled(&self, ids: HashSet<String>) {
        *write(&self.disabled) = ids;
    }

    /// The limits a call of plugin `id` runs under.
    pub fn limits_for(&self, id: &str) -> Limits {
        read(&self.limits).get(id).copied().unwrap_or_default()
    }

    pub fn set_limits(&self, limits: HashMap<String, Limits>) {
        *write(&self.limits) = limits;
    }

    pub fn record_failure(&self, file: PathBuf, hash: String, message: String, at: i64) {
        let failure = LoadFailure {
            file: file.display().to_string(),
            message,
            at,
            hash,
        };
        write(&self.failures).insert(file, failure);
    }

    pub fn failures(&self) -> Vec<LoadFailure> {
        read(&self.failures).values().cloned().collect()
    }

    /// The failure recorded for `file` if `hash` is the content that failed.
    pub fn failure_with(&self, file: &std::path::Path, hash: &str) -> Option<LoadFailure> {
        read(&self.failures)
            .get(file)
            .filter(|f| f.hash == hash)
            .cloned()
    }

    /// Counts a change of `file` seen by the watcher.
    pub fn note_change(&self, file: &std::path::Path) {
        *write(&self.changes).entry(file.to_owned()).or_default() += 1;
    }

    /// How often the watcher saw `file` change since start.
    pub fn changes_of(&self, file: &std::path::Path) -> u64 {
        read(&self.changes).get(file).copied().unwrap_or(0)
    }

    /// The load error of the file a plugin was last loaded from, if its latest version failed.
    pub fn failure_for(&self, plugin: &Plugin) -> Option<LoadFailure> {
        read(&self.failures).get(&plugin.source).cloned()
    }

    /// Enabled plugins subscribed to `topic`.
    pub fn subscribers_of(&self, topic: &str) -> Vec<String> {
        let disabled = read(&self.disabled);
        let mut ids: Vec<String> = read(&self.plugins)
            .values()
            .filter(|p| !disabled.contains(&p.manifest.id))
            .filter(|p| p.manifest.subscribes.iter().any(|t| t == topic))
            .map(|p| p.manifest.id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// Enabled providers of extension point `point`, in the order they are asked: ascending
    /// priority, then plugin id.
    pub fn providers_of(&self, point: &str) -> Vec<Arc<Plugin>> {
        let disabled = read(&self.disabled);
        let mut providers: Vec<(i32, Arc<Plugin>)> = read(&self.plugins)
            .values()
            .filter(|p| !disabled.contains(&p.manifest.id))
            .filter_map(|p| {
                let provision = p.manifest.provides.iter().find(|x| x.point == point)?;
                Some((provision.priority, p.clone()))
            })
            .collect();
        providers.sort_by(|(a, pa), (b, pb)| a.cmp(b).then(pa.manifest.id.cmp(&pb.manifest.id)));
        providers.into_iter().map(|(_, p)| p).collect()
    }

    /// The enabled plugin that declared a storefront route matching `method` and `path`, with the
    /// values of its `{name}` segments. When routes of several plugins match (`/p/sale` and
    /// `/p/{slug}`), the most specific wins (more literal segments), then the lower plugin id:
    /// the same answer on every request and every host. Identical routes cannot both be loaded
    /// ([`Registry::route_taken`]). The route's pattern comes last (the `route` of `/metrics`).
    pub fn storefront_route(
        &self,
        method: &str,
        path: &str,
    ) -> Option<(Arc<Plugin>, RouteParams, String)> {
        let disabled = read(&self.disabled);
        let mut best: Option<(usize, Arc<Plugin>, RouteParams, String)> = None;
        for plugin in read(&self.plugins).values() {
            if disabled.contains(&plugin.manifest.id) {
                continue;
            }
            for route in &plugin.manifest.storefront_routes {
                if route.method != method {
                    continue;
                }
                let Some(params) = match_route(&route.path, path) else {
                    continue;
                };
                let literals = route.path.split('/').count() - params.len();
                let better = best.as_ref().is_none_or(|(l, p, _, _)| {
                    literals > *l || (literals == *l && plugin.manifest.id < p.manifest.id)
                });
                if better {
                    best = Some((literals, plugin.clone(), params, route.path.clone()));
                }
            }
        }
        best.map(|(_, plugin, params, pattern)| (plugin, params, pattern))
    }

    /// A route of `manifest` that another loaded plugin (enabled or not) already declares with
    /// the same method and shape (parameter names aside): `(route, the other plugin's id)`.
    pub fn route_taken(&self, manifest: &Manifest) -> Option<(String, String)> {
        let plugins = read(&self.plugins);
        for route in &manifest.storefront_routes {
            let shape = route_shape(&route.path);
            for other in plugins.values().filter(|p| p.manifest.id != manifest.id) {
                let clash = other
                    .manifest
                    .storefront_routes
                    .iter()
                    .any(|r| r.method == route.method && route_shape(&r.path) == shape);
                if clash {
                    return Some((
                        format!("{} {}", route.method, route.path),
                        other.manifest.id.clone(),
                    ));
                }
            }
        }
        None
    }
}

/// A route pattern with its parameter names dropped: `/p/{slug}` and `/p/{id}` are one shape.
fn route_shape(pattern: &str) -> String {
    pattern
        .trim_end_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// Values of a route's `{name}` segments, in order.
pub type RouteParams = Vec<(String, String)>;

/// Matches `/p/{slug}` against `/p/red-shoe` → `[("slug", "red-shoe")]`.
fn match_route(pattern: &str, path: &str) -> Option<RouteParams> {
    let pattern_parts: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path_parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if pattern_parts.len() != path_parts.len() {
        return None;
    }
    let mut params = Vec::new();
    for (p, v) in pattern_parts.iter().zip(&path_parts) {
        if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if v.is_empty() {
                return None;
            }
            params.push((name.to_owned(), (*v).to_owned()));
        } else if p != v {
            return None;
        }
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::{match_route, route_shape};

    #[test]
    fn routes_of_one_shape_differ_only_in_parameter_names() {
        assert_eq!(route_shape("/p/{slug}"), route_shape("/p/{id}/"));
        assert_ne!(route_shape("/p/{slug}"), route_shape("/p/sale"));
    }

    #[test]
    fn routes_match_segments_and_capture_names() {
        assert_eq!(
            match_route("/p/{slug}", "/p/red-shoe"),
            Some(vec![("slug".into(), "red-shoe".into())])
        );
        assert_eq!(match_route("/p/{slug}", "/p"), None);
        assert_eq!(match_route("/p/{slug}", "/q/x"), None);
        assert_eq!(match_route("/", "/"), Some(vec![]));
    }
}
