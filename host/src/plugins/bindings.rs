//! Host-side bindings generated from `wit/` (world `section` of `backoffice:plugin@0.1.0`).
//!
//! Every import is async (storage and events touch the database) and trappable (a host failure
//! such as a lost database connection aborts the call instead of lying to the plugin).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "section",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::backoffice::plugin::{
    acl, audit, events, i18n, identity, log, settings, storage, types,
};
pub use self::exports::backoffice::plugin::plugin as guest;
