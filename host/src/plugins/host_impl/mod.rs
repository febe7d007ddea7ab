//! The host side of every WIT interface a plugin imports, one file per interface.
//!
//! Each function answers expected failures with the interface's error values; only a failure of
//! the host itself (e.g. the database is gone) becomes a trap, which aborts and rolls back the
//! call.

mod acl;
mod audit;
mod customer_accounts;
mod events;
mod identity;
mod log;
mod settings;
mod storage;

use super::bindings::{i18n, types};
use super::call::CallState;

impl types::Host for CallState {}

impl i18n::Host for CallState {
    /// No translation catalogue exists yet: the key comes back, so a missing translation is
    /// visible instead of blank. The translations section will provide the catalogue.
    async fn translate(
        &mut self,
        key: String,
        _locale: Option<String>,
    ) -> wasmtime::Result<String> {
        Ok(key)
    }
}

/// Turns a host failure (e.g. a lost database connection) into a trap naming the plugin.
pub(crate) fn trap(plugin_label: &str, err: impl std::fmt::Display) -> wasmtime::Error {
    wasmtime::Error::msg(format!("host failure in plugin {plugin_label}: {err}"))
}
