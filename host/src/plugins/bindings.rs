//! Host-side bindings generated from `wit/` (world `full-section` of `backoffice:plugin@0.1.0`:
//! the `section` world plus the capability interfaces, see `wit/customer-accounts.wit`). A
//! component built against `section` links the same way: it simply imports less.
//!
//! Every import is async (storage and events touch the database) and trappable (a host failure
//! such as a lost database connection aborts the call instead of lying to the plugin).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "full-section",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::backoffice::plugin::{
    acl, audit, customer_accounts, events, i18n, identity, log, settings, storage, types,
};
pub use self::exports::backoffice::plugin::plugin as guest;

/// The world the host links, under the name the runtime uses.
pub type Section = FullSection;
/// A pre-instantiated component of [`Section`].
pub type SectionPre<T> = FullSectionPre<T>;
