//! The host's other services, in the shape a Rust plugin wants them: typed events and settings,
//! one-word logging, translation and audit.
//!
//! Each function is one WIT import call. Calls that need a request (identity, events, settings
//! writes) must not be made from `manifest`, which the host calls with no request at all.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bindings::backoffice::plugin as wit;

pub use wit::identity::{Customer, User, acting_agent, current_customer, current_user, locale};

/// The `customer-accounts` capability: the host's storefront customer credentials (create with a
/// set-password link, change the email, block). Only for back-office requests; calling it makes
/// the plugin import the capability, which the Plugins page shows.
pub use wit::customer_accounts;

/// True when the current user may perform `action` of `controller` in `section` (e.g. to show
/// an "Edit" button). The host has already checked the action being served.
pub fn can(section: &str, controller: &str, action: &str) -> bool {
    wit::acl::can(section, controller, action)
}

/// Publishes `topic` with `payload` as JSON. It is written to the outbox in this call's
/// transaction and delivered after commit; a failure response or a trap unpublishes it.
pub fn publish<T: Serialize + ?Sized>(topic: &str, payload: &T) -> Result<(), String> {
    let payload = serde_json::to_string(payload).map_err(|e| e.to_string())?;
    wit::events::publish(topic, &payload)
}

/// Publishes `topic` with `payload` like [`publish`], delivered no earlier than `delay_seconds`
/// from now (host clock, at most 366 days). Subscribe to your own topic to get a timer that fires
/// without a request: e.g. `publish_after("sales.timeout", &json!({..}), 3 * 86_400)`. Like every
/// event it is delivered at least once, so the handler must check the timer is still relevant.
pub fn publish_after<T: Serialize + ?Sized>(
    topic: &str,
    payload: &T,
    delay_seconds: u32,
) -> Result<(), String> {
    let payload = serde_json::to_string(payload).map_err(|e| e.to_string())?;
    wit::events::publish_after(topic, &payload, delay_seconds)
}

/// The UI text for `key` in the request's locale (the key itself when untranslated).
pub fn t(key: &str) -> String {
    wit::i18n::translate(key, None)
}

/// The UI text for `key` in `locale`.
pub fn t_in(key: &str, locale: &str) -> String {
    wit::i18n::translate(key, Some(locale))
}

/// Writes an audit entry; the host adds who, when and the plugin id prefix.
pub fn audit(action: &str, target: &str, detail: &str) {
    wit::audit::write(action, target, detail)
}

/// The plugin setting `key` decoded as `T`; `Ok(None)` when unset, `Err` when it does not
/// decode.
pub fn setting<T: DeserializeOwned>(key: &str) -> Result<Option<T>, String> {
    match wit::settings::get(key) {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("setting `{key}` does not decode: {e}")),
    }
}

/// Sets the plugin setting `key`, inside this call's transaction.
pub fn set_setting<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), String> {
    let value = serde_json::to_string(value).map_err(|e| e.to_string())?;
    wit::settings::set(key, &value)
}

/// Logging into the host's log (which adds the plugin id and version).
pub mod log {
    use crate::bindings::backoffice::plugin::log::{Level, log};

    pub fn trace(message: &str) {
        log(Level::Trace, message)
    }
    pub fn debug(message: &str) {
        log(Level::Debug, message)
    }
    pub fn info(message: &str) {
        log(Level::Info, message)
    }
    pub fn warn(message: &str) {
        log(Level::Warn, message)
    }
    pub fn error(message: &str) {
        log(Level::Error, message)
    }
}
