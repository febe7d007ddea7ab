//! Host-side bindings generated from `wit/`, one module per contract version the host binds.
//!
//! - The latest, `backoffice:plugin@0.2.0` (world `full-section`: `section` plus the capability
//!   interfaces), generates every host interface a plugin can import. The host services
//!   unchanged since 0.1 keep their `@0.1.0` names in 0.2 (`wit/deps/plugin-0.1.0`), so one
//!   implementation serves plugins of both versions.
//! - [`v0_1`] (the frozen `wit/deps/plugin-0.1.0`, world `section`) generates only the 0.1
//!   `plugin` export: its imports are mapped onto the latest modules with `with`, and
//!   `plugins::contract` forwards its records to the latest ones.
//!
//! Every import is async (storage and events touch the database) and trappable (a host failure
//! such as a lost database connection aborts the call instead of lying to the plugin).

mod latest {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "full-section",
        imports: { default: async | trappable },
        exports: { default: async },
    });
}

/// The frozen contract 0.1: its export only.
pub mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../wit/deps/plugin-0.1.0",
        world: "section",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "backoffice:plugin/types": super::types,
            "backoffice:plugin/identity": super::identity,
            "backoffice:plugin/acl": super::acl,
            "backoffice:plugin/storage": super::storage,
            "backoffice:plugin/events": super::events,
            "backoffice:plugin/i18n": super::i18n,
            "backoffice:plugin/audit": super::audit,
            "backoffice:plugin/log": super::log,
            "backoffice:plugin/settings": super::settings,
        },
    });
}

pub use self::latest::backoffice::plugin0_1_0::{
    acl, audit, customer_accounts, events, i18n, identity, log, settings, storage, types,
};
pub use self::latest::backoffice::plugin0_2_0::context;
pub use self::latest::backoffice::plugin0_2_0::extensions;
pub use self::latest::backoffice::plugin0_2_0::mail;
pub use self::latest::backoffice::plugin0_2_0::media;
pub use self::latest::exports::backoffice::plugin0_2_0::plugin as guest;

/// The world the host links, under the name the runtime uses.
pub type Section = latest::FullSection;
/// A pre-instantiated component of [`Section`].
pub type SectionPre<T> = latest::FullSectionPre<T>;
