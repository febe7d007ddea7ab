//! The wit-bindgen output for world `full-section` of `backoffice:plugin@0.2.0`: the `section`
//! world plus the capability interfaces (`customer-accounts`). The linker keeps only the imports
//! a plugin calls, so a plugin that never calls a capability does not ask for it.
//!
//! The host services unchanged since 0.1 keep their `@0.1.0` names in the 0.2 world, so
//! wit-bindgen puts them under `backoffice::plugin0_1_0` and the 0.2 items under
//! `backoffice::plugin0_2_0`; [`backoffice::plugin`] and [`exports::backoffice::plugin`] gather
//! them again under one path per side, the one the SDK and plugins use.
//!
//! Generated once, here, so every plugin shares the same types and the SDK can add methods to
//! them. Nothing in this module is written by hand; plugins rarely need it directly (the rest of
//! the SDK re-exports what they use), but it is public so any host call stays reachable.
//!
//! `runtime_path` and `default_bindings_module` point through `::backoffice_sdk`, so the code
//! that `export!` expands inside a plugin crate resolves without that crate depending on
//! `wit-bindgen` itself.

#[doc(hidden)]
#[allow(missing_docs, clippy::all, unsafe_op_in_unsafe_fn)]
pub mod generated {
    wit_bindgen::generate!({
        world: "full-section",
        path: "../../wit",
        // The host services come from the frozen 0.1 package (`wit/deps`): generate them here.
        generate_all,
        additional_derives: [PartialEq],
        pub_export_macro: true,
        export_macro_name: "__export_section",
        default_bindings_module: "::backoffice_sdk::bindings::generated",
        runtime_path: "::backoffice_sdk::__private::wit_bindgen::rt",
    });
}

/// The host interfaces a plugin imports.
pub mod backoffice {
    pub mod plugin {
        pub use super::super::generated::backoffice::plugin0_1_0::*;
        pub use super::super::generated::backoffice::plugin0_2_0::context;
        pub use super::super::generated::backoffice::plugin0_2_0::extensions;
        pub use super::super::generated::backoffice::plugin0_2_0::mail;
        pub use super::super::generated::backoffice::plugin0_2_0::media;
    }
}

/// The interface a plugin exports.
pub mod exports {
    pub mod backoffice {
        pub mod plugin {
            pub use crate::bindings::generated::exports::backoffice::plugin0_2_0::plugin;
        }
    }
}
