//! Plugin storage: collections of JSON records owned by one plugin, on SQLite or PostgreSQL.
//!
//! A plugin declares its collections ([`CollectionSpec`]); [`ensure`] creates and migrates their
//! tables and indexes and records the specs in `plugin_collections`. [`open`] / [`lookup`] give a
//! [`Collection`] handle whose methods read and write records by id (one or a batch at a time) and run structured queries
//! (filters in disjunctive normal form, sorts, offset and keyset paging, counts, full-text
//! search).
//!
//! Every operation runs on a connection the caller owns (`&mut AnyConnection`, typically inside
//! the transaction of one plugin call) and is atomic within it: multi-statement steps use a
//! savepoint, so a failed step leaves the caller's transaction usable, and rolling the caller's
//! transaction back undoes everything, full-text rows included.
//!
//! Semantics worth knowing (identical on both engines unless said):
//! - A declared field whose stored value has another JSON type than declared (possible for
//!   records written before the field was declared) reads as null in filters, sorts and search.
//! - Null (or absent) sorts first ascending and last descending; `id` breaks ties, in the
//!   direction of the last sort key. Text compares by code point (case-sensitive).
//! - `contains` ignores ASCII case only; search matches whole words (all of them), with
//!   SQLite's `unicode61` and PostgreSQL's `simple` parsers, which split some text differently.
//! - Returned `data` keeps key order on SQLite; PostgreSQL (JSONB) orders keys its own way.
//! - SQLite chooses indexes from statistics that [`ensure`] and [`analyze`] refresh; after a
//!   bulk import call [`analyze`] (PostgreSQL's autovacuum does this by itself).
//!
//! This module never decides access (own versus granted collections is the plugin runtime's
//! check; `Forbidden` exists for it), never accepts SQL, never puts a value into SQL text, and
//! never drops records. Engine-specific SQL lives in `dialect.rs` only.

mod batch;
mod cursor;
mod dialect;
mod error;
mod filter;
mod merge;
mod plan;
mod query;
mod record;
mod registry;
mod schema;
mod spec;
mod sql;
mod target;
mod tx;
mod values;

#[cfg(test)]
mod tests;

pub use batch::{MAX_BATCH, PutItem};
pub use error::{StorageError, StorageResult};
pub use query::{Condition, DEFAULT_LIMIT, Filter, MAX_LIMIT, Op, Page, Query, Sort};
pub use record::Document;
pub use registry::{Collection, collections, lookup, open, spec};
pub use schema::{analyze, ensure};
pub use spec::{CollectionSpec, FieldKind, FieldSpec, check_plugin_id, check_specs};
