//! Plugin storage: collections of JSON records owned by one plugin, on SQLite or PostgreSQL.
//!
//! A plugin declares its collections ([`CollectionSpec`]); [`ensure`] creates and migrates their
//! tables and indexes and records the specs in `plugin_collections`. [`open`] / [`lookup`] give a
//! [`Collection`] handle whose methods read and write records by id and run structured queries
//! (filters in disjunctive normal form, sorts, offset and keyset paging, counts, full-text
//! search).
//!
//! Every operation runs on a connection the caller owns (`&mut AnyConnection`, typically inside
//! the transaction of one plugin call) and is atomic within it: multi-statement steps use a
//! savepoint, so a failed step leaves the caller's transaction usable, and rolling the caller's
//! transaction back undoes everything, full-text rows included.
//!
//! This module never decides access (own versus granted collections is the plugin runtime's
//! check; `Forbidden` exists for it), never accepts SQL, never puts a value into SQL text, and
//! never drops records. Engine-specific SQL lives in `dialect.rs` only.

mod cursor;
mod dialect;
mod error;
mod merge;
mod plan;
mod query;
mod record;
mod registry;
mod schema;
mod spec;
mod sql;
mod tx;
mod values;

#[cfg(test)]
mod tests;

pub use error::{StorageError, StorageResult};
pub use query::{Condition, DEFAULT_LIMIT, Filter, MAX_LIMIT, Op, Page, Query, Sort};
pub use record::Document;
pub use registry::{Collection, collections, lookup, open, spec};
pub use schema::{analyze, ensure};
pub use spec::{CollectionSpec, FieldKind, FieldSpec, check_plugin_id, check_specs};
