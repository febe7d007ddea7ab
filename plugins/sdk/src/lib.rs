//! # backoffice-sdk — write a Backoffice section plugin in Rust
//!
//! A thin layer over the wit-bindgen bindings of `backoffice:plugin@0.2.0` (world `section`).
//! The generated types stay the types you use (`Request`, `Response`, `PluginManifest`, …); the
//! SDK adds the methods that make them pleasant: a router, form/query/JSON access, response
//! helpers, typed storage and manifest builders. Nothing here hides the contract: every helper
//! maps to one WIT call or one WIT value, so the plugin guide and the WIT stay the reference.
//!
//! On top of that sits the little framework every section would otherwise grow itself:
//! [`input`] (typed fields from a form or a JSON body, with every error collected, and text
//! rules), [`resource`] (load/create/edit/delete with 404/409 answers and an audit entry per
//! change), [`address`] (the postal address sections exchange), [`csv`] (streamed reading with
//! line numbers; writing with the spreadsheet-formula guard) and [`url`] (percent-encoding and
//! query strings).
//!
//! ```ignore
//! use backoffice_sdk::prelude::*;
//!
//! struct Hello;
//!
//! impl Plugin for Hello {
//!     fn manifest() -> Manifest {
//!         Manifest::new("hello", "Hello", env!("CARGO_PKG_VERSION"))
//!             .nav("Hello", "greetings", "index")
//!             .acl_from(&routes())
//!             .template("index.html", include_str!("../templates/index.html"))
//!     }
//!     fn handle(req: Request) -> Response {
//!         routes().dispatch(&req)
//!     }
//! }
//!
//! fn routes() -> Router {
//!     Router::new().get("greetings", "index", |_req| {
//!         Ok(view("index.html", "Hello", &serde_json::json!({ "name": "world" })))
//!     })
//! }
//!
//! backoffice_sdk::export!(Hello);
//! ```
//!
//! Build with `cargo build --target wasm32-wasip2 --release`: the result is a component.

extern crate self as backoffice_sdk;

pub mod address;
pub mod bindings;
pub mod context;
pub mod csv;
pub mod customers;
pub mod dates;
pub mod extensions;
pub mod input;
pub mod mail;
pub mod manifest;
pub mod media;
pub mod money;
pub mod plugin;
pub mod request;
pub mod resource;
pub mod response;
pub mod router;
pub mod services;
pub mod storage;
pub mod url;
pub mod usage;

pub use plugin::Plugin;

/// The usual imports of a plugin crate.
pub mod prelude {
    pub use crate::Plugin;
    pub use crate::input::{self, Errors, Fields};
    pub use crate::manifest::{AclResource, CollectionDef, Field, FieldKind, Manifest};
    pub use crate::plugin::{Event, Method, Surface};
    pub use crate::request::Request;
    pub use crate::resource::{Out, Resource};
    pub use crate::response::{
        Failure, Reply, Response, View, download, failure, json, json_or_redirect, not_found,
        redirect, view, view_or_json,
    };
    pub use crate::router::Router;
    pub use crate::services;
    pub use crate::storage::{Collection, Op, Page, Record, StorageError, Write};
    pub use crate::url;
}

/// Exports a type implementing [`Plugin`] as the component's `backoffice:plugin/plugin`.
///
/// Use it once, at the root of a `cdylib` crate: `backoffice_sdk::export!(MyPlugin);`. It
/// expands to wit-bindgen's export glue (the canonical-ABI entry points and the custom section
/// that describes the world), so the crate needs `unsafe_code` allowed; see the plugin guide.
#[macro_export]
macro_rules! export {
    ($ty:ident) => {
        $crate::bindings::generated::__export_section!($ty with_types_in $crate::bindings::generated);
    };
}

#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;
}
