//! `/metrics` in the Prometheus text format: HTTP requests and, per plugin (labelled with id and
//! version), requests, errors, traps, memory peak and a latency histogram. Scrapers
//! authenticate with an API token of a user allowed `metrics/prometheus/index`.

use std::fmt::Write;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::error::{AppError, AppResult};
use crate::acl::store::permissions_for;
use crate::auth::Identity;
use crate::plugins::stats::{BUCKETS_US, Outcome, Snapshot};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// Counts every HTTP request (status ≥ 500 as an error) into the host's stats.
pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    let outcome = if response.status().is_server_error() {
        Outcome::Error
    } else {
        Outcome::Ok
    };
    state.http_stats().record(started.elapsed(), outcome, 0);
    response
}

async fn metrics(
    State(state): State<AppState>,
    identity: axum::Extension<Identity>,
) -> AppResult<Response> {
    let principal = identity
        .principal
        .as_ref()
        .ok_or(AppError::Unauthenticated)?;
    let permissions = permissions_for(state.db(), principal.user.id).await?;
    if !permissions.can("metrics", "prometheus", "index") {
        return Err(AppError::Forbidden("metrics/prometheus/index".into()));
    }
    let mut out = String::new();
    let http = state.http_stats().snapshot();
    let _ = writeln!(
        out,
        "# HELP backoffice_http_requests_total HTTP requests served.\n# TYPE backoffice_http_requests_total counter"
    );
    let _ = writeln!(out, "backoffice_http_requests_total {}", http.requests);
    let _ = writeln!(
        out,
        "# HELP backoffice_http_errors_total HTTP responses with status 5xx.\n# TYPE backoffice_http_errors_total counter"
    );
    let _ = writeln!(out, "backoffice_http_errors_total {}", http.errors);
    histogram(
        &mut out,
        "backoffice_http_request_duration_seconds",
        "",
        &http,
    );
    let mut families: [(&str, &str, &str, Vec<String>); 4] = [
        (
            "backoffice_plugin_requests_total",
            "counter",
            "Plugin calls (requests, events, widgets).",
            vec![],
        ),
        (
            "backoffice_plugin_errors_total",
            "counter",
            "Plugin calls that failed or answered with a failure.",
            vec![],
        ),
        (
            "backoffice_plugin_traps_total",
            "counter",
            "Plugin calls stopped by a trap, deadline or memory cap.",
            vec![],
        ),
        (
            "backoffice_plugin_memory_peak_bytes",
            "gauge",
            "Largest linear memory a plugin call used.",
            vec![],
        ),
    ];
    let plugins = state.plugins().registry().all();
    for plugin in &plugins {
        let s = plugin.stats.snapshot();
        let labels = format!(
            "plugin=\"{}\",version=\"{}\"",
            plugin.manifest.id, plugin.manifest.version
        );
        let values = [
            s.requests as f64,
            s.errors as f64,
            s.traps as f64,
            s.memory_peak as f64,
        ];
        for (family, value) in families.iter_mut().zip(values) {
            family.3.push(format!("{}{{{labels}}} {value}", family.0));
        }
    }
    for (name, kind, help, lines) in &families {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
    for plugin in &plugins {
        let labels = format!(
            "plugin=\"{}\",version=\"{}\"",
            plugin.manifest.id, plugin.manifest.version
        );
        histogram(
            &mut out,
            "backoffice_plugin_call_duration_seconds",
            &labels,
            &plugin.stats.snapshot(),
        );
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}

fn histogram(out: &mut String, name: &str, labels: &str, s: &Snapshot) {
    let sep = if labels.is_empty() { "" } else { "," };
    let _ = writeln!(out, "# TYPE {name} histogram");
    let mut cumulative = 0;
    for (i, count) in s.buckets.iter().enumerate() {
        cumulative += count;
        let le = BUCKETS_US
            .get(i)
            .map(|us| format!("{}", *us as f64 / 1e6))
            .unwrap_or_else(|| "+Inf".into());
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
        );
    }
    let _ = writeln!(out, "{name}_sum{{{labels}}} {}", s.total_us as f64 / 1e6);
    let _ = writeln!(out, "{name}_count{{{labels}}} {}", s.requests);
}
