//! The wit-bindgen output for world `full-section` of `backoffice:plugin@0.1.0`: the `section`
//! world plus the capability interfaces (`customer-accounts`). The linker keeps only the imports
//! a plugin calls, so a plugin that never calls a capability does not ask for it.
//!
//! Generated once, here, so every plugin shares the same types and the SDK can add methods to
//! them. Nothing in this module is written by hand; plugins rarely need it directly (the rest of
//! the SDK re-exports what they use), but it is public so any host call stays reachable.
//!
//! `runtime_path` and `default_bindings_module` point through `::backoffice_sdk`, so the code
//! that `export!` expands inside a plugin crate resolves without that crate depending on
//! `wit-bindgen` itself.

#![allow(missing_docs, clippy::all, unsafe_op_in_unsafe_fn)]

wit_bindgen::generate!({
    world: "full-section",
    path: "../../wit",
    additional_derives: [PartialEq],
    pub_export_macro: true,
    export_macro_name: "__export_section",
    default_bindings_module: "::backoffice_sdk::bindings",
    runtime_path: "::backoffice_sdk::__private::wit_bindgen::rt",
});
