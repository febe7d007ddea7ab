//! The host's metrics: every family `/metrics` exposes is listed in [`FAMILIES`] (name, kind,
//! help), and recorded through the typed methods of [`Metrics`], so a name or a label is
//! written once.
//!
//! The exposition is the Prometheus text format of `metrics-exporter-prometheus`: one `# TYPE`
//! per family, every series of it below. Each host (each `AppState`) owns its recorder rather
//! than installing the process-wide one, because tests run many hosts in one process and each
//! `/metrics` must answer for its own host.
//!
//! Labels are bounded: `plugin` is a loaded plugin's id, `route` a route pattern (never a raw
//! path), `status` an HTTP status, `surface` `backoffice`, `storefront` or `operator` (the
//! probes and `/metrics`), the rest small fixed sets. Histograms of seconds share [`SECONDS_BUCKETS`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use metrics::{Key, Label, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::auth::session::Realm;
use crate::auth::signin::Refusal;
use crate::plugins::stats::Outcome;

/// Bucket bounds of every `_seconds` histogram: 100 µs (a plugin call is ~10 µs of sandbox plus
/// its work) up to 10 s (past any plugin deadline).
pub const SECONDS_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// What a family is, for its `# TYPE` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One metric family: its name (with unit and `_total` as Prometheus names them) and help text.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub kind: Kind,
    pub help: &'static str,
}

const fn family(name: &'static str, kind: Kind, help: &'static str) -> Family {
    Family { name, kind, help }
}

pub const HTTP_REQUESTS: &str = "backoffice_http_requests_total";
pub const HTTP_DURATION: &str = "backoffice_http_request_duration_seconds";
pub const PLUGIN_CALLS: &str = "backoffice_plugin_calls_total";
pub const PLUGIN_CALL_DURATION: &str = "backoffice_plugin_call_duration_seconds";
pub const PLUGIN_MEMORY_PEAK: &str = "backoffice_plugin_memory_peak_bytes";
pub const PLUGIN_CALLS_IN_FLIGHT: &str = "backoffice_plugin_calls_in_flight";
pub const PLUGIN_INFO: &str = "backoffice_plugin_info";
pub const PLUGINS: &str = "backoffice_plugins";
pub const PLUGIN_LOADS: &str = "backoffice_plugin_loads_total";
pub const PLUGIN_LOAD_DURATION: &str = "backoffice_plugin_load_duration_seconds";
pub const PLUGIN_LOAD_FAILURES: &str = "backoffice_plugin_load_failures_total";
pub const EVENT_DELIVERIES: &str = "backoffice_event_deliveries_total";
pub const EVENT_BACKLOG: &str = "backoffice_event_backlog_deliveries";
pub const EVENT_DEAD: &str = "backoffice_event_dead_deliveries";
pub const DB_CONNECTIONS: &str = "backoffice_db_connections";
pub const DB_CONNECTIONS_MAX: &str = "backoffice_db_connections_max";
pub const SESSIONS_ACTIVE: &str = "backoffice_sessions_active";
pub const SIGNIN_REFUSALS: &str = "backoffice_signin_refusals_total";
pub const MAIL_OUTBOX: &str = "backoffice_mail_outbox_messages";
pub const BUILD_INFO: &str = "backoffice_build_info";

/// Every family the host exposes.
pub const FAMILIES: &[Family] = &[
    family(
        HTTP_REQUESTS,
        Kind::Counter,
        "HTTP requests answered, by surface, route pattern, status and plugin (empty for host pages).",
    ),
    family(
        HTTP_DURATION,
        Kind::Histogram,
        "Time from a request's arrival to its response headers, by surface, route pattern and plugin.",
    ),
    family(
        PLUGIN_CALLS,
        Kind::Counter,
        "Plugin calls by export and outcome: ok, error (the plugin answered a failure), trap (crash, deadline or memory cap), refused (its concurrent-call limit was reached).",
    ),
    family(
        PLUGIN_CALL_DURATION,
        Kind::Histogram,
        "Duration of plugin calls (sandbox, instantiation and the plugin's work), by plugin and export.",
    ),
    family(
        PLUGIN_MEMORY_PEAK,
        Kind::Gauge,
        "Largest linear memory one call of the plugin used since it was loaded.",
    ),
    family(
        PLUGIN_CALLS_IN_FLIGHT,
        Kind::Gauge,
        "Calls of the plugin running now.",
    ),
    family(
        PLUGIN_INFO,
        Kind::Gauge,
        "Always 1, for each loaded plugin with its serving version.",
    ),
    family(
        PLUGINS,
        Kind::Gauge,
        "Plugins by state: enabled, disabled, pending (waiting for approval), failed (a file that did not load).",
    ),
    family(
        PLUGIN_LOADS,
        Kind::Counter,
        "Components compiled or loaded from the compile cache, by cache use (hit, miss, off).",
    ),
    family(
        PLUGIN_LOAD_DURATION,
        Kind::Histogram,
        "Time to load a component (compile or cache, pre-instantiate, read and check its manifest), by cache use.",
    ),
    family(
        PLUGIN_LOAD_FAILURES,
        Kind::Counter,
        "Plugin files that failed to load (shown on the Plugins page).",
    ),
    family(
        EVENT_DELIVERIES,
        Kind::Counter,
        "Event deliveries attempted, by subscriber and outcome: delivered, retried (will be tried again), dead (gave up).",
    ),
    family(
        EVENT_BACKLOG,
        Kind::Gauge,
        "Event deliveries due now or being retried, by subscriber (read from the outbox when scraped).",
    ),
    family(
        EVENT_DEAD,
        Kind::Gauge,
        "Event deliveries given up on, waiting for an administrator, by subscriber.",
    ),
    family(
        DB_CONNECTIONS,
        Kind::Gauge,
        "Database pool connections by state: in_use, idle.",
    ),
    family(
        DB_CONNECTIONS_MAX,
        Kind::Gauge,
        "Largest number of connections the database pool opens.",
    ),
    family(
        SESSIONS_ACTIVE,
        Kind::Gauge,
        "Sessions neither idle nor past their lifetime, by realm (admin, customer).",
    ),
    family(
        SIGNIN_REFUSALS,
        Kind::Counter,
        "Refused sign-ins by realm and reason: bad_credentials, blocked, throttled.",
    ),
    family(
        MAIL_OUTBOX,
        Kind::Gauge,
        "Outgoing mail not sent, by status: queued (waiting for an attempt), failed (given up).",
    ),
    family(
        BUILD_INFO,
        Kind::Gauge,
        "Always 1, with the host's version.",
    ),
];

/// Where the recorder says a metric comes from (it only keeps the name and labels).
static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// Which export of a plugin ran, for the `export` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Handle,
    OnEvent,
    Widget,
    Provide,
}

impl Export {
    fn as_str(self) -> &'static str {
        match self {
            Export::Handle => "handle",
            Export::OnEvent => "on-event",
            Export::Widget => "widget",
            Export::Provide => "provide",
        }
    }
}

/// How an event delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// Failed, and will be tried again.
    Retried,
    /// Failed for the last time.
    Dead,
}

/// How a component's code was had: from the compile cache, compiled into it, or compiled with
/// no cache configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    Hit,
    Miss,
    Off,
}

/// One answered HTTP request, as counted.
#[derive(Debug)]
pub struct HttpRequest<'a> {
    pub surface: &'static str,
    pub route: &'a str,
    pub status: u16,
    /// The plugin that answered, or `""` for the host's own pages.
    pub plugin: &'a str,
    pub elapsed: Duration,
}

/// The host's recorder and what it rendered last.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    /// The label values each scrape-time gauge was last given, so that a value no longer
    /// reported (a plugin removed, a subscriber with nothing pending) drops to 0 instead of
    /// repeating its last number forever.
    reported: Mutex<HashMap<&'static str, BTreeSet<Vec<Label>>>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets(SECONDS_BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        for family in FAMILIES {
            let help = family.help.into();
            match family.kind {
                Kind::Counter => recorder.describe_counter(family.name.into(), None, help),
                Kind::Gauge => recorder.describe_gauge(family.name.into(), None, help),
                Kind::Histogram => recorder.describe_histogram(family.name.into(), None, help),
            }
        }
        let handle = recorder.handle();
        let metrics = Metrics {
            recorder,
            handle,
            reported: Mutex::default(),
        };
        metrics
            .gauge(
                BUILD_INFO,
                vec![label("version", env!("CARGO_PKG_VERSION"))],
            )
            .set(1.0);
        metrics
    }

    /// The exposition: every family with its series, in the Prometheus text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Folds the histogram samples recorded since the last time into their buckets. Run
    /// periodically (`server::serve` does): without it, a host nobody scrapes keeps every
    /// sample.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    pub fn http_request(&self, request: &HttpRequest<'_>) {
        let plugin = label("plugin", request.plugin);
        let surface = label("surface", request.surface);
        let route = label("route", request.route);
        self.histogram(
            HTTP_DURATION,
            vec![surface.clone(), route.clone(), plugin.clone()],
        )
        .record(request.elapsed.as_secs_f64());
        let status = label("status", request.status.to_string());
        self.counter(HTTP_REQUESTS, vec![surface, route, status, plugin])
            .increment(1);
    }

    /// A plugin call that ran (`elapsed` long) and how it ended.
    pub fn plugin_call(&self, plugin: &str, export: Export, outcome: Outcome, elapsed: Duration) {
        let outcome = match outcome {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Trap => "trap",
        };
        let labels = vec![label("plugin", plugin), label("export", export.as_str())];
        self.histogram(PLUGIN_CALL_DURATION, labels.clone())
            .record(elapsed.as_secs_f64());
        self.plugin_calls(labels, outcome);
    }

    /// A call that was not started: the plugin was at its concurrent-call limit.
    pub fn plugin_refused(&self, plugin: &str, export: Export) {
        let labels = vec![label("plugin", plugin), label("export", export.as_str())];
        self.plugin_calls(labels, "refused");
    }

    fn plugin_calls(&self, mut labels: Vec<Label>, outcome: &'static str) {
        labels.push(label("outcome", outcome));
        self.counter(PLUGIN_CALLS, labels).increment(1);
    }

    /// A component loaded (compiled or from the cache) and checked, in `elapsed`.
    pub fn plugin_loaded(&self, cache: CacheUse, elapsed: Duration) {
        let cache = label(
            "cache",
            match cache {
                CacheUse::Hit => "hit",
                CacheUse::Miss => "miss",
                CacheUse::Off => "off",
            },
        );
        self.histogram(PLUGIN_LOAD_DURATION, vec![cache.clone()])
            .record(elapsed.as_secs_f64());
        self.counter(PLUGIN_LOADS, vec![cache]).increment(1);
    }

    pub fn plugin_load_failed(&self) {
        self.counter(PLUGIN_LOAD_FAILURES, Vec::new()).increment(1);
    }

    pub fn event_delivery(&self, subscriber: &str, outcome: Delivery) {
        let outcome = match outcome {
            Delivery::Delivered => "delivered",
            Delivery::Retried => "retried",
            Delivery::Dead => "dead",
        };
        let labels = vec![label("subscriber", subscriber), label("outcome", outcome)];
        self.counter(EVENT_DELIVERIES, labels).increment(1);
    }

    pub fn signin_refused(&self, realm: Realm, refusal: &Refusal) {
        let reason = match refusal {
            Refusal::BadCredentials => "bad_credentials",
            Refusal::Blocked => "blocked",
            Refusal::Locked => "throttled",
        };
        let labels = vec![label("realm", realm.as_str()), label("reason", reason)];
        self.counter(SIGNIN_REFUSALS, labels).increment(1);
    }

    /// Sets the gauge `name` (with fixed `labels`) to `value`.
    pub fn set(&self, name: &'static str, labels: Vec<Label>, value: f64) {
        self.gauge(name, labels).set(value);
    }

    /// Sets gauge `name` for each `(labels, number)`; the label sets reported last time and
    /// missing now drop to 0.
    pub fn set_each(&self, name: &'static str, values: Vec<(Vec<Label>, f64)>) {
        let now: BTreeSet<Vec<Label>> = values.iter().map(|(l, _)| l.clone()).collect();
        let gone: Vec<Vec<Label>> = {
            let mut reported = self.reported.lock().unwrap_or_else(|p| p.into_inner());
            let before = reported.insert(name, now.clone()).unwrap_or_default();
            before.difference(&now).cloned().collect()
        };
        let zeros = gone.into_iter().map(|labels| (labels, 0.0));
        for (labels, number) in values.into_iter().chain(zeros) {
            self.gauge(name, labels).set(number);
        }
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> metrics::Counter {
        self.recorder
            .register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn gauge(&self, name: &'static str, labels: Vec<Label>) -> metrics::Gauge {
        self.recorder
            .register_gauge(&Key::from_parts(name, labels), &METADATA)
    }

    fn histogram(&self, name: &'static str, labels: Vec<Label>) -> metrics::Histogram {
        self.recorder
            .register_histogram(&Key::from_parts(name, labels), &METADATA)
    }
}

/// A label; values are copied (label values of the recorder are owned strings).
pub fn label(key: &'static str, value: impl Into<String>) -> Label {
    Label::new(key, value.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_has_one_type_line_whatever_its_series() {
        let metrics = Metrics::new();
        for plugin in ["a", "b"] {
            metrics.plugin_call(
                plugin,
                Export::Handle,
                Outcome::Ok,
                Duration::from_millis(2),
            );
            metrics.plugin_call(
                plugin,
                Export::Handle,
                Outcome::Trap,
                Duration::from_millis(9),
            );
        }
        let text = metrics.render();
        for family in [PLUGIN_CALLS, PLUGIN_CALL_DURATION] {
            let types = text
                .lines()
                .filter(|l| l.starts_with(&format!("# TYPE {family} ")))
                .count();
            assert_eq!(types, 1, "{family} in\n{text}");
        }
        assert!(text.contains(
            "backoffice_plugin_calls_total{plugin=\"b\",export=\"handle\",outcome=\"trap\"} 1"
        ));
        assert!(text.contains(
            "backoffice_plugin_call_duration_seconds_bucket{plugin=\"a\",export=\"handle\",le=\"0.0025\"} 1"
        ));
    }

    #[test]
    fn a_gauge_value_no_longer_reported_drops_to_zero() {
        let metrics = Metrics::new();
        let of = |s: &str| vec![label("subscriber", s)];
        metrics.set_each(EVENT_BACKLOG, vec![(of("a"), 3.0)]);
        metrics.set_each(EVENT_BACKLOG, vec![(of("b"), 1.0)]);
        let text = metrics.render();
        assert!(text.contains("backoffice_event_backlog_deliveries{subscriber=\"a\"} 0"));
        assert!(text.contains("backoffice_event_backlog_deliveries{subscriber=\"b\"} 1"));
    }
}
