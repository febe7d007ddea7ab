//! `log`: plugin log lines go into the host's log, tagged with plugin id and version.

use crate::plugins::bindings::log::{self, Level};
use crate::plugins::call::CallState;

/// Longest message kept; a plugin cannot flood the log with megabyte lines.
const MAX_MESSAGE: usize = 4096;

impl log::Host for CallState {
    async fn log(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let plugin = &self.manifest.id;
        let version = &self.manifest.version;
        let message: String = message.chars().take(MAX_MESSAGE).collect();
        match level {
            Level::Trace => tracing::trace!(plugin, version, "{message}"),
            Level::Debug => tracing::debug!(plugin, version, "{message}"),
            Level::Info => tracing::info!(plugin, version, "{message}"),
            Level::Warn => tracing::warn!(plugin, version, "{message}"),
            Level::Error => tracing::error!(plugin, version, "{message}"),
        }
        Ok(())
    }
}
