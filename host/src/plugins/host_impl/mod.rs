//! The host side of every WIT interface a plugin imports, one file per interface.
//!
//! Each function answers expected failures with the interface's error values; only a failure of
//! the host itself (e.g. the database is gone) becomes a trap, which aborts and rolls back the
//! call.

mod acl;
mod audit;
mod context;
mod customer_accounts;
mod events;
mod extensions;
mod identity;
mod log;
mod mail;
mod media;
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

impl CallState {
    /// Records a refused access in the audit log with plugin, target and caller. Written on the
    /// pool, not in the call's transaction: the refusal stays recorded even when the call rolls
    /// back.
    pub(crate) async fn audit_refusal(
        &mut self,
        action: &str,
        target: &str,
        reason: &str,
    ) -> Result<(), String> {
        let entry = crate::audit::Entry {
            actor_id: self.caller.user.as_ref().map(|u| u.id),
            actor: self
                .caller
                .user
                .as_ref()
                .map(|u| u.email.clone())
                .unwrap_or_else(|| format!("plugin {}", self.manifest.id)),
            action,
            target,
            detail: &format!("{}: {reason}", self.label()),
            ip: &self.caller.ip,
        };
        crate::audit::record(&self.db, entry, self.now)
            .await
            .map_err(|e| e.to_string())
    }
}

/// Turns a host failure (e.g. a lost database connection) into a trap naming the plugin.
pub(crate) fn trap(plugin_label: &str, err: impl std::fmt::Display) -> wasmtime::Error {
    wasmtime::Error::msg(format!("host failure in plugin {plugin_label}: {err}"))
}
