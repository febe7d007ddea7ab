//! The process's log: what is logged (`BACKOFFICE_LOG`, an `EnvFilter`, default
//! `info,sqlx=warn`) and how (`--log-format text|json`, or `BACKOFFICE_LOG_FORMAT`).
//!
//! JSON is one object per line for log shippers: `timestamp`, `level`, `target`, the event's
//! fields (`message` among them) at the top level, and `span` with the fields of the innermost
//! span, so a line logged while a request is handled, a plugin's own `log` call included,
//! carries `span.request_id` (see `web::request_log`).

use tracing_subscriber::EnvFilter;

/// The environment variable naming what is logged.
pub const FILTER_ENV: &str = "BACKOFFICE_LOG";
const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the process-wide subscriber writing to stdout; a second call changes nothing.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env(FILTER_ENV).unwrap_or_else(|_| DEFAULT_FILTER.into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
