//! Calling plugins: one typed entry per export, each in a fresh sandbox.
//!
//! Every call gets a new `Store` from the plugin's pre-instantiated component, the plugin's
//! memory cap and an epoch deadline that yields to tokio on every tick, inside a wall-clock
//! timeout (host calls cannot be interrupted by the epoch). How a call ends decides its
//! transaction, here and nowhere else:
//!
//! - [`Calls::handle`] commits when the plugin answered, the answer is not a `failure` and the
//!   caller could use it (`accept` returned `Ok`); otherwise every write is rolled back.
//! - [`Calls::on_event`] commits the handler's writes together with the mark that the delivery
//!   is done, so "handled" and "marked" commit as one (at least once, never lost).
//! - [`Calls::widget`], [`Calls::manifest`] and the providers asked by [`Calls::invoke`] are
//!   read-only: a write is refused before it reaches the database, and there is nothing to
//!   commit. A provider reads committed data only (never its invoker's uncommitted writes).
//!
//! Callers never see a transaction, so none can forget a commit or make one twice.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use super::bindings::guest;
use super::call::{Access, CallState, Caller};
use super::contract::{Exports, Instance};
use super::engine::{Limits, MemoryCapExceeded};
use super::outbox::{self, Due};
use super::planner::{self, Planner};
use super::registry::{Plugin, Registry};
use super::stats::Outcome;
use super::timers::Timers;
use crate::clock::Clock;
use crate::db::Db;
use crate::mail::Mailer;
use crate::observe::Metrics;
use crate::observe::metrics::Export as ExportKind;
use crate::shop::Shop;

/// Extra wall-clock time beyond the epoch deadline before a call is abandoned (covers host calls
/// that block, e.g. waiting on a database lock).
const GRACE: Duration = Duration::from_millis(400);

/// A call that ended abnormally. The message never contains guest memory contents.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{plugin} did not answer within {limit:?} and was stopped")]
    Timeout { plugin: String, limit: Duration },
    #[error("{plugin} tried to use more than its {cap} bytes of memory and was stopped")]
    Memory { plugin: String, cap: usize },
    #[error("{plugin} crashed: {message}")]
    Trap { plugin: String, message: String },
    /// The plugin already runs as many calls as it may at once; this one was not started.
    #[error("{plugin} is busy: {limit} calls are running, its limit")]
    Busy { plugin: String, limit: usize },
}

/// Why an event delivery did not complete; the dispatcher records it and retries.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Call(#[from] CallError),
    /// The handler returned an error of its own.
    #[error("{0}")]
    Handler(String),
    #[error("saving the delivery: {0}")]
    Db(#[from] sqlx::Error),
    #[error("saving the delivery: {0}")]
    Write(#[from] super::call::WriteError),
}

/// Runs plugin exports. Shared by the HTTP layer, the event dispatcher, the loader (for
/// manifests) and extension points.
pub struct Calls {
    /// Handed to every call, so a plugin can invoke extension points from inside its call.
    pub(super) me: Weak<Calls>,
    engine: Engine,
    pub(super) db: Db,
    pub(super) registry: Arc<Registry>,
    pub(super) clock: Arc<dyn Clock>,
    /// The shop's context, read by plugins through WIT `context`.
    pub(super) shop: Arc<Shop>,
    /// Writes per collection since their planner statistics were refreshed.
    planner: Arc<Planner>,
    /// Woken after a commit that published events.
    pub(crate) events_published: tokio::sync::Notify,
    /// Outgoing mail, queued by calls through the `mail` interface and woken after commit.
    pub(super) mail: Arc<Mailer>,
    /// Each plugin's pending timers, against its cap.
    pub(super) timers: Timers,
    /// Commits per plugin id on this host: a cache of a plugin's answers (layout slots) is
    /// stale once the plugin's number moved.
    commits: std::sync::Mutex<std::collections::HashMap<String, u64>>,
    /// Every call's duration and outcome (and the loader's loads), for `/metrics`.
    pub(super) metrics: Arc<Metrics>,
}

/// One export of the plugin interface, with what it answers.
trait Export {
    type Answer;
    fn call<'a>(
        &'a self,
        instance: &'a Instance,
        store: &'a mut Store<CallState>,
    ) -> impl Future<Output = wasmtime::Result<Self::Answer>> + Send + 'a;
    /// Whether the answer counts as the plugin's own error on the Plugins page.
    fn is_error(answer: &Self::Answer) -> bool;
}

struct Handle(guest::Request);
struct OnEvent(guest::Event);
struct Widget(String);
struct ManifestExport;
struct Provide {
    point: String,
    input: String,
}

impl Export for Handle {
    type Answer = guest::Response;
    async fn call(&self, i: &Instance, s: &mut Store<CallState>) -> wasmtime::Result<Self::Answer> {
        i.handle(s, &self.0).await
    }
    fn is_error(answer: &Self::Answer) -> bool {
        matches!(answer, guest::Response::Failure(_))
    }
}

impl Export for OnEvent {
    type Answer = Result<(), String>;
    async fn call(&self, i: &Instance, s: &mut Store<CallState>) -> wasmtime::Result<Self::Answer> {
        i.on_event(s, &self.0).await
    }
    fn is_error(answer: &Self::Answer) -> bool {
        answer.is_err()
    }
}

impl Export for Widget {
    type Answer = Result<guest::View, String>;
    async fn call(&self, i: &Instance, s: &mut Store<CallState>) -> wasmtime::Result<Self::Answer> {
        i.widget(s, &self.0).await
    }
    fn is_error(answer: &Self::Answer) -> bool {
        answer.is_err()
    }
}

impl Export for ManifestExport {
    type Answer = guest::PluginManifest;
    async fn call(&self, i: &Instance, s: &mut Store<CallState>) -> wasmtime::Result<Self::Answer> {
        i.manifest(s).await
    }
    fn is_error(_: &Self::Answer) -> bool {
        false
    }
}

impl Export for Provide {
    type Answer = Result<String, String>;
    async fn call(&self, i: &Instance, s: &mut Store<CallState>) -> wasmtime::Result<Self::Answer> {
        i.provide(s, &self.point, &self.input).await
    }
    fn is_error(answer: &Self::Answer) -> bool {
        answer.is_err()
    }
}

/// An export run by [`Calls::run`], named for `/metrics` (providers are counted by
/// [`Calls::invoke`], the manifest read by the plugin load metrics).
trait Counted: Export {
    const KIND: ExportKind;
}

impl Counted for Handle {
    const KIND: ExportKind = ExportKind::Handle;
}

impl Counted for OnEvent {
    const KIND: ExportKind = ExportKind::OnEvent;
}

impl Counted for Widget {
    const KIND: ExportKind = ExportKind::Widget;
}

/// Time a provider needs at least; with less left of its invoker's deadline it is not asked.
const MIN_PROVIDER_TIME: Duration = Duration::from_millis(20);

impl Calls {
    pub fn new(
        engine: Engine,
        db: Db,
        registry: Arc<Registry>,
        clock: Arc<dyn Clock>,
        shop: Arc<Shop>,
        mail: Arc<Mailer>,
        metrics: Arc<Metrics>,
    ) -> Arc<Calls> {
        Arc::new_cyclic(|me| Calls {
            me: me.clone(),
            engine,
            db,
            registry,
            clock,
            shop,
            planner: Arc::default(),
            events_published: tokio::sync::Notify::new(),
            mail,
            timers: Timers::default(),
            commits: Default::default(),
            metrics,
        })
    }

    /// How many calls of `plugin` committed writes on this host so far.
    pub fn generation(&self, plugin: &str) -> u64 {
        let commits = self.commits.lock().unwrap_or_else(|p| p.into_inner());
        commits.get(plugin).copied().unwrap_or(0)
    }

    /// Answers a request. The call's writes commit only when the plugin answered with something
    /// other than a `failure` and `accept` could use the answer (an answer the host cannot
    /// show, e.g. a view context that is not JSON, rolls back like a failure).
    pub async fn handle<T, E>(
        &self,
        plugin: &Arc<Plugin>,
        caller: Caller,
        request: guest::Request,
        accept: impl FnOnce(guest::Response) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<CallError> + From<sqlx::Error>,
    {
        let (response, mut state) = self
            .run(plugin, caller, Access::ReadWrite, Handle(request))
            .await?;
        let failed = Handle::is_error(&response);
        let accepted = accept(response)?;
        if !failed {
            self.commit(&mut state).await?;
        }
        Ok(accepted)
    }

    /// Delivers one due event: the handler's writes and the delivery's "done" mark commit
    /// together, or neither does.
    pub async fn on_event(
        &self,
        plugin: &Arc<Plugin>,
        delivery: &Due,
        now: i64,
    ) -> Result<(), DeliveryError> {
        let event = guest::Event {
            id: delivery.event_id,
            topic: delivery.topic.clone(),
            source: delivery.source.clone(),
            payload: delivery.payload.clone(),
            attempt: u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX),
        };
        let caller = Caller {
            locale: "en".into(),
            ..Caller::default()
        };
        let (answer, mut state) = self
            .run(plugin, caller, Access::ReadWrite, OnEvent(event))
            .await?;
        answer.map_err(DeliveryError::Handler)?;
        let conn = state.write_conn().await?;
        outbox::mark_delivered(conn, delivery.event_id, &delivery.subscriber, now).await?;
        self.commit(&mut state).await?;
        Ok(())
    }

    /// Renders a dashboard widget. Read-only: nothing it does is kept.
    pub async fn widget(
        &self,
        plugin: &Arc<Plugin>,
        caller: Caller,
        name: &str,
    ) -> Result<Result<guest::View, String>, CallError> {
        let access = Access::ReadOnly("a dashboard widget");
        let (answer, _) = self
            .run(plugin, caller, access, Widget(name.to_owned()))
            .await?;
        Ok(answer)
    }

    /// Asks every enabled provider of `point`, in ascending priority then plugin id, each in
    /// its own read-only sandbox with its own limits, for `caller`. A provider gets at most half
    /// of the time left before `until` (its invoker's deadline), so a provider that loops is
    /// stopped while its invoker still has time to answer. Every answer comes back as a value:
    /// failures never fail the invoker.
    pub async fn invoke(
        &self,
        point: &str,
        input: &str,
        caller: &Caller,
        until: Instant,
    ) -> Vec<(String, Result<String, String>)> {
        let mut answers = Vec::new();
        for provider in self.registry.providers_of(point) {
            let id = provider.manifest.id.clone();
            let mut limits = self.registry.limits_for(&id);
            let left = until.saturating_duration_since(Instant::now()) / 2;
            if left < MIN_PROVIDER_TIME {
                answers.push((id, Err("not asked: its invoker had no time left".into())));
                continue;
            }
            limits.deadline = limits.deadline.min(left);
            let Some(_slot) = provider.stats.enter(limits.calls) else {
                self.metrics.plugin_refused(&id, ExportKind::Provide);
                answers.push((id, Err(format!("{} is busy", provider.label()))));
                continue;
            };
            let access = Access::ReadOnly("an extension provider");
            let mut state = CallState::new(
                self,
                provider.manifest.clone(),
                limits,
                caller.clone(),
                access,
            );
            state.providing = Some(point.to_owned());
            let peak = state.limiter.peak_handle();
            let started = Instant::now();
            let export = Provide {
                point: point.to_owned(),
                input: input.to_owned(),
            };
            let answer = match self
                .sandboxed(&provider.exports, state, limits, &provider.label(), export)
                .await
            {
                Ok((Ok(json), _)) if serde_json::from_str::<serde_json::Value>(&json).is_ok() => {
                    Ok(json)
                }
                Ok((Ok(_), _)) => Err(format!(
                    "{} answered with text that is not JSON",
                    provider.label()
                )),
                Ok((Err(message), _)) => Err(message),
                Err(err) => Err(err.to_string()),
            };
            let outcome = match &answer {
                Ok(_) => Outcome::Ok,
                Err(_) => Outcome::Error,
            };
            let elapsed = started.elapsed();
            provider
                .points
                .record(point, elapsed, outcome, peak.load(Ordering::Relaxed));
            self.metrics
                .plugin_call(&id, ExportKind::Provide, outcome, elapsed);
            answers.push((id, answer));
        }
        answers
    }

    /// Reads the manifest of a component being loaded, in a sandbox with nothing declared and
    /// nothing granted (see [`super::manifest::Manifest::unloaded`]).
    pub(super) async fn manifest(
        &self,
        exports: &Exports,
        name: &str,
    ) -> Result<guest::PluginManifest, CallError> {
        let placeholder = Arc::new(super::manifest::Manifest::unloaded(name));
        let limits = Limits::default();
        let state = CallState::new(
            self,
            placeholder,
            limits,
            Caller::default(),
            Access::ReadOnly("manifest()"),
        );
        let (manifest, _) = self
            .sandboxed(exports, state, limits, name, ManifestExport)
            .await?;
        Ok(manifest)
    }

    /// Runs `export` of `plugin` for `caller` and records the plugin's numbers; hands back the
    /// answer with the call's state (holding its transaction, if it wrote).
    async fn run<X: Counted>(
        &self,
        plugin: &Arc<Plugin>,
        caller: Caller,
        access: Access,
        export: X,
    ) -> Result<(X::Answer, CallState), CallError> {
        let limits = self.registry.limits_for(&plugin.manifest.id);
        let Some(_slot) = plugin.stats.enter(limits.calls) else {
            self.metrics.plugin_refused(&plugin.manifest.id, X::KIND);
            return Err(CallError::Busy {
                plugin: plugin.label(),
                limit: limits.calls,
            });
        };
        let state = CallState::new(self, plugin.manifest.clone(), limits, caller, access);
        let peak = state.limiter.peak_handle();
        let started = Instant::now();
        let result = self
            .sandboxed(&plugin.exports, state, limits, &plugin.label(), export)
            .await;
        let outcome = match &result {
            Ok((answer, _)) if X::is_error(answer) => Outcome::Error,
            Ok(_) => Outcome::Ok,
            Err(_) => Outcome::Trap,
        };
        let elapsed = started.elapsed();
        plugin
            .stats
            .record(elapsed, outcome, peak.load(Ordering::Relaxed));
        self.metrics
            .plugin_call(&plugin.manifest.id, X::KIND, outcome, elapsed);
        result
    }

    /// Instantiates `exports` in a fresh store holding `state` and runs `export` under `limits`.
    async fn sandboxed<X: Export>(
        &self,
        exports: &Exports,
        state: CallState,
        limits: Limits,
        label: &str,
        export: X,
    ) -> Result<(X::Answer, CallState), CallError> {
        let mut store = self.store(state, limits);
        let future = async {
            let instance = exports.instantiate(&mut store).await?;
            export.call(&instance, &mut store).await
        };
        match tokio::time::timeout(limits.deadline + GRACE, future).await {
            Ok(Ok(answer)) => Ok((answer, store.into_data())),
            Ok(Err(err)) => {
                let err = classify(label, &limits, err);
                tracing::warn!(plugin = %label, error = %err, "plugin call failed");
                Err(err)
            }
            Err(_) => {
                tracing::warn!(plugin = %label, "plugin call abandoned after its deadline");
                Err(CallError::Timeout {
                    plugin: label.to_owned(),
                    limit: limits.deadline,
                })
            }
        }
    }

    /// A store with the memory cap and an epoch deadline that yields to tokio on every tick
    /// and interrupts the guest once `limits.deadline` has passed.
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

    /// Commits a call's transaction, then wakes the WAL checkpoint task (see `db::checkpoint`)
    /// and, if the call published, the event dispatcher (and, if it queued mail, the mail
    /// sender). Collections that have grown by a good part since their planner statistics were
    /// taken get them refreshed (see `planner`): SQLite otherwise keeps planning with the
    /// statistics of a near-empty table.
    async fn commit(&self, state: &mut CallState) -> sqlx::Result<()> {
        let Some(tx) = state.take_transaction() else {
            return Ok(());
        };
        tx.commit().await?;
        self.db.committed();
        {
            let mut commits = self.commits.lock().unwrap_or_else(|p| p.into_inner());
            *commits.entry(state.manifest.id.clone()).or_default() += 1;
        }
        if state.published {
            self.events_published.notify_one();
        }
        if state.mails > 0 {
            self.mail.queued();
        }
        for (collection, writes) in state.written.values() {
            if self.planner.note(&collection.table(), u64::from(*writes)) {
                planner::refresh(&self.db, &self.planner, collection.clone());
            }
        }
        Ok(())
    }
}

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
