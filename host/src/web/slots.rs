//! Layout slots: named places in the storefront layout that plugins fill with small views —
//! menus in the header, CMS blocks in the footer or on the home page.
//!
//! The mechanism is an extension point the host owns per slot, `host.slot-<name>` (e.g.
//! `host.slot-footer`): a plugin names the slots it fills by listing those points under
//! `provides` in its manifest (with a priority: lower comes first), so the admin approves it like
//! any other point and the contract needs nothing new. For each slot of a storefront page the
//! host asks the providers, each in its own read-only sandbox (`Calls::invoke`), with
//! `{"slot": "<name>", "locale": "<locale>"}` and expects `{"items": [{"template": "…",
//! "context": {…}}]}`. Each item's template — `<plugin-id>/<template>`, so a theme can override it
//! like any plugin template — is rendered by the host with the item's context as `slot`, and the
//! layout puts the HTML of each item (`item.html`) where the theme placed the slot.
//!
//! A provider that fails, traps, answers something else or whose template does not render
//! leaves its part of the slot empty: a slot never breaks a page.
//!
//! Answers are cached per slot and locale ([`Cache`]) and shared by every shopper, so providers
//! are asked anonymously (no customer, no user): a slot shows the same to everyone. An entry
//! stays good while no provider of the slot committed a write on this host (each commit bumps
//! the plugin's generation, `Calls::generation`), the providers are the same plugins at the
//! same versions, and it is younger than [`TTL`] by the host clock (which bounds how late other
//! hosts' writes and time-based changes, such as a block's validity, show). Requests that miss
//! the cache at the same time share one round of asking.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::plugins::call::Caller;
use crate::state::AppState;
use crate::themes::Surface;

/// Slots of the storefront layout.
pub const STOREFRONT: &[&str] = &["header", "footer", "home"];

/// How long a cached answer is used at most (host clock seconds).
pub const TTL: i64 = 10;

/// How long all providers of one slot have, together, to answer.
const DEADLINE: Duration = Duration::from_millis(1500);

/// Most items one provider may put into one slot.
const MAX_ITEMS: usize = 50;

/// The extension point behind slot `name`.
pub fn point(name: &str) -> String {
    format!("host.slot-{name}")
}

/// One view a plugin puts into a slot.
#[derive(Debug, Clone, Serialize)]
pub struct SlotItem {
    pub plugin: String,
    /// `<plugin-id>/<name>`, resolved through the theme like any plugin template.
    pub template: String,
    /// The data the template sees as `slot`.
    pub context: serde_json::Value,
}

/// The items of every slot of a page, in slot order.
pub type Filled = BTreeMap<&'static str, Vec<SlotItem>>;

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    items: Vec<AnswerItem>,
}

#[derive(Debug, Deserialize)]
struct AnswerItem {
    template: String,
    #[serde(default)]
    context: serde_json::Value,
}

/// A cached answer of one slot in one locale.
#[derive(Debug, Clone)]
struct Entry {
    /// Host clock second it was asked.
    at: i64,
    /// Each provider's `id@version` and commit generation when asked.
    providers: Vec<(String, u64)>,
    items: Vec<SlotItem>,
}

/// A cache key: `(slot, locale)`.
type Key = (String, String);

/// Slot answers by `(slot, locale)`.
#[derive(Debug, Default)]
pub struct Cache {
    entries: Mutex<HashMap<Key, Entry>>,
    /// One lock per `(slot, locale)` being asked: requests that miss the cache together wait
    /// for one round of asking instead of each starting its own (a slow provider is then asked
    /// once, not once per waiting shopper).
    asking: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl Cache {
    fn get(&self, key: &Key, now: i64, providers: &[(String, u64)]) -> Option<Vec<SlotItem>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries.get(key)?;
        (now.saturating_sub(entry.at) < TTL && entry.providers == providers)
            .then(|| entry.items.clone())
    }

    /// Forgets every answer (benchmarks measure the uncached path with it).
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.clear();
    }

    fn asking(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut asking = self.asking.lock().unwrap_or_else(|p| p.into_inner());
        asking.entry(key.clone()).or_default().clone()
    }

    fn put(&self, key: Key, entry: Entry) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(key, entry);
    }
}

/// Every slot of `surface`, each with no items (error pages, the Back Office).
pub fn empty(surface: Surface) -> Filled {
    match surface {
        Surface::Storefront => STOREFRONT.iter().map(|name| (*name, Vec::new())).collect(),
        Surface::Backoffice => Filled::new(),
    }
}

/// The storefront's slots for a shopper in `locale`: cached answers, or the providers asked.
pub async fn fill(state: &AppState, locale: &str) -> Filled {
    let mut filled = Filled::new();
    for name in STOREFRONT {
        filled.insert(*name, slot(state, name, locale).await);
    }
    filled
}

async fn slot(state: &AppState, name: &str, locale: &str) -> Vec<SlotItem> {
    let point = point(name);
    let runtime = state.plugins();
    let calls = runtime.calls();
    let providers: Vec<(String, u64)> = runtime
        .registry()
        .providers_of(&point)
        .iter()
        .map(|p| (p.label(), calls.generation(&p.manifest.id)))
        .collect();
    if providers.is_empty() {
        return Vec::new();
    }
    let key = (name.to_owned(), locale.to_owned());
    let cache = state.slot_cache();
    if let Some(items) = cache.get(&key, state.now(), &providers) {
        return items;
    }
    let lock = cache.asking(&key);
    let _asking = lock.lock().await;
    // Another request may have asked while this one waited.
    let now = state.now();
    if let Some(items) = cache.get(&key, now, &providers) {
        return items;
    }
    let caller = Caller {
        locale: locale.to_owned(),
        ..Caller::default()
    };
    let input = serde_json::json!({ "slot": name, "locale": locale }).to_string();
    let answers = calls
        .invoke(&point, &input, &caller, Instant::now() + DEADLINE)
        .await;
    let mut items = Vec::new();
    for (plugin, outcome) in answers {
        let answer = outcome.and_then(|json| {
            serde_json::from_str::<Answer>(&json).map_err(|e| format!("not as documented: {e}"))
        });
        match answer {
            Ok(answer) => {
                items.extend(
                    answer
                        .items
                        .into_iter()
                        .take(MAX_ITEMS)
                        .map(|item| SlotItem {
                            template: format!("{plugin}/{}", item.template),
                            plugin: plugin.clone(),
                            context: item.context,
                        }),
                )
            }
            Err(reason) => {
                tracing::warn!(plugin = %plugin, slot = %name, %reason, "a slot provider failed; its part of the slot stays empty");
            }
        }
    }
    cache.put(
        key,
        Entry {
            at: now,
            providers,
            items: items.clone(),
        },
    );
    items
}

/// The slots as layouts see them: each slot a list of `{plugin, html}`, the HTML rendered from
/// the item's template with `base` (the layout's context) and the item's context as `slot`. An
/// item whose template fails to render is left out (and logged).
pub fn render(state: &AppState, theme: &str, filled: &Filled, base: &Value) -> Value {
    let mut out: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (name, items) in filled {
        let mut rendered = Vec::new();
        for item in items {
            let ctx = context! { slot => Value::from_serialize(&item.context), ..base.clone() };
            match state.templates().render(theme, &item.template, ctx) {
                Ok(html) => rendered.push(context! {
                    plugin => item.plugin,
                    html => Value::from_safe_string(html),
                }),
                Err(err) => {
                    tracing::warn!(plugin = %item.plugin, template = %item.template, error = %err, "a slot item did not render; it is left out");
                }
            }
        }
        out.insert(name, rendered);
    }
    Value::from_iter(
        out.into_iter()
            .map(|(name, items)| (name, Value::from(items))),
    )
}
