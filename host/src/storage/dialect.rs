//! Every difference between SQLite and PostgreSQL that plugin storage relies on.
//!
//! Owns the physical layout (table, index and FTS names and DDL), the SQL expression that reads a
//! declared field out of a record, how operands are bound per engine, the full-text predicate and
//! its sync statements, and reading unique violations out of database errors. The rest of the
//! module writes portable SQL and asks this file for anything engine-specific.
//!
//! Must never put a value into SQL text: identifiers here come from validated names
//! ([`super::spec`]) and registry ids only, and values are handed to [`Sql::bind`].
//!
//! Physical layout of collection `N` (its id in `plugin_collections`):
//! - SQLite: table `pcol_N (rid INTEGER PRIMARY KEY, id TEXT UNIQUE, data BLOB (JSONB), version,
//!   created_at, updated_at)`; a contentless FTS5 table `pcol_N_fts(body)` keyed by `rid`.
//! - PostgreSQL: table `pcol_N (id TEXT COLLATE "C" PRIMARY KEY, data JSONB, version,
//!   created_at, updated_at)`; a GIN index `pcol_N_search` on `to_tsvector('simple', …)`.
//! - Both: `pcol_N_created` / `pcol_N_updated` on `(created_at|updated_at, id)`; per indexed field
//!   `pcol_N_i_<field>` on `(value, id)`; per unique field a unique `pcol_N_u_<field>` on `(value)`.
//!
//! Semantics kept identical in both engines: a declared field's value is NULL unless the JSON
//! value has the field's type; NULL sorts first ascending and last descending; text compares by
//! code point (PostgreSQL `COLLATE "C"`); `contains` folds ASCII case only.

use serde_json::Value;

use super::spec::{FieldKind, FieldSpec, IndexKind};
use super::sql::{Bind, Sql, ValueType};
use crate::db::Engine;

/// The physical table of collection `id` (unquoted; always `pcol_<digits>`).
pub(crate) fn table(id: i64) -> String {
    format!("pcol_{id}")
}

/// A quoted identifier. Only called with names built from validated parts, which never contain
/// a double quote.
pub(crate) fn quote(ident: &str) -> String {
    debug_assert!(!ident.contains('"'));
    format!("\"{ident}\"")
}

/// The columns of a record as [`super::record`] reads them, `data` as JSON text.
pub(crate) fn record_columns(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "id, json(data) AS data, version, created_at, updated_at",
        Engine::Postgres => "id, CAST(data AS TEXT) AS data, version, created_at, updated_at",
    }
}

/// Statements creating an empty collection table with its timestamp indexes.
pub(crate) fn create_table(engine: Engine, table: &str) -> Vec<String> {
    let t = quote(table);
    let create = match engine {
        Engine::Sqlite => format!(
            "CREATE TABLE IF NOT EXISTS {t} (\
             rid INTEGER PRIMARY KEY, \
             id TEXT NOT NULL UNIQUE, \
             data BLOB NOT NULL, \
             version BIGINT NOT NULL, \
             created_at BIGINT NOT NULL, \
             updated_at BIGINT NOT NULL)"
        ),
        Engine::Postgres => format!(
            "CREATE TABLE IF NOT EXISTS {t} (\
             id TEXT COLLATE \"C\" PRIMARY KEY, \
             data JSONB NOT NULL, \
             version BIGINT NOT NULL, \
             created_at BIGINT NOT NULL, \
             updated_at BIGINT NOT NULL)"
        ),
    };
    vec![
        create,
        format!(
            "CREATE INDEX IF NOT EXISTS {} ON {t} (created_at, id)",
            quote(&format!("{table}_created"))
        ),
        format!(
            "CREATE INDEX IF NOT EXISTS {} ON {t} (updated_at, id)",
            quote(&format!("{table}_updated"))
        ),
    ]
}

/// The placeholder expression that stores a JSON text parameter in the `data` column: SQLite's
/// binary JSONB (3.45+), which `json_extract` reads without parsing text.
pub(crate) fn data_param(engine: Engine, placeholder: &str) -> String {
    match engine {
        Engine::Sqlite => format!("jsonb({placeholder})"),
        Engine::Postgres => format!("CAST({placeholder} AS JSONB)"),
    }
}

/// The column that identifies a row to the FTS table (SQLite only).
pub(crate) fn row_key(engine: Engine) -> Option<&'static str> {
    match engine {
        Engine::Sqlite => Some("rid"),
        Engine::Postgres => None,
    }
}

/// The SQL value of a declared field: typed, and NULL when the JSON value has another type.
/// Queries and indexes use this exact text, so an index always matches its queries.
pub(crate) fn field_expr(engine: Engine, name: &str, kind: FieldKind) -> String {
    // The name goes into a string literal: it must be a validated field name.
    debug_assert!(
        name.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    );
    match engine {
        Engine::Sqlite => {
            let path = format!("'$.\"{name}\"'");
            match kind {
                FieldKind::Text => format!(
                    "(CASE WHEN json_type(data, {path}) = 'text' THEN json_extract(data, {path}) END)"
                ),
                FieldKind::Integer | FieldKind::Number => format!(
                    "(CASE WHEN json_type(data, {path}) IN ('integer', 'real') \
                     THEN json_extract(data, {path}) END)"
                ),
                FieldKind::Boolean => {
                    format!(
                        "(CASE json_type(data, {path}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"
                    )
                }
            }
        }
        Engine::Postgres => {
            let key = format!("'{name}'");
            match kind {
                FieldKind::Text => format!(
                    "((CASE WHEN jsonb_typeof(data -> {key}) = 'string' THEN data ->> {key} END) \
                     COLLATE \"C\")"
                ),
                FieldKind::Integer | FieldKind::Number => format!(
                    "(CASE WHEN jsonb_typeof(data -> {key}) = 'number' \
                     THEN CAST(data -> {key} AS NUMERIC) END)"
                ),
                FieldKind::Boolean => format!(
                    "(CASE WHEN jsonb_typeof(data -> {key}) = 'boolean' \
                     THEN CAST(data -> {key} AS BOOLEAN) END)"
                ),
            }
        }
    }
}

/// The name of a field's index of the given kind.
pub(crate) fn field_index_name(table: &str, field: &str, kind: IndexKind) -> String {
    match kind {
        IndexKind::Plain => format!("{table}_i_{field}"),
        IndexKind::Unique => format!("{table}_u_{field}"),
    }
}

/// The statement creating a field's index, if the field wants one.
pub(crate) fn create_field_index(engine: Engine, table: &str, field: &FieldSpec) -> Option<String> {
    let kind = field.index()?;
    let name = quote(&field_index_name(table, &field.name, kind));
    let expr = field_expr(engine, &field.name, field.kind);
    // PostgreSQL puts NULLs last by default; both engines here sort them first ascending.
    let nulls = match engine {
        Engine::Sqlite => "",
        Engine::Postgres => " NULLS FIRST",
    };
    let t = quote(table);
    Some(match kind {
        IndexKind::Plain => {
            format!("CREATE INDEX IF NOT EXISTS {name} ON {t} ({expr}{nulls}, id)")
        }
        IndexKind::Unique => {
            format!("CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {t} ({expr}{nulls})")
        }
    })
}

/// The statement refreshing the planner statistics of a collection table, where the engine
/// needs one: SQLite has none until told (and without them picks a low-cardinality filter index
/// over an index that serves the sort); PostgreSQL's autovacuum keeps them current.
pub(crate) fn analyze(engine: Engine, table: &str) -> Option<String> {
    match engine {
        Engine::Sqlite => Some(format!("ANALYZE {}", quote(table))),
        Engine::Postgres => None,
    }
}

/// The query answering a row when SQLite has statistics for the table `$1` (none on
/// PostgreSQL, which keeps them itself).
pub(crate) fn statistics_exist(engine: Engine) -> Option<String> {
    match engine {
        Engine::Sqlite => Some("SELECT 1 FROM sqlite_stat1 WHERE tbl = $1 LIMIT 1".to_owned()),
        Engine::Postgres => None,
    }
}

pub(crate) fn drop_index(name: &str) -> String {
    format!("DROP INDEX IF EXISTS {}", quote(name))
}

/// `ORDER BY` suffix for one key. A nullable key sorts NULLs first ascending and last
/// descending (SQLite's default; PostgreSQL needs it spelled out). A column that is never NULL
/// gets no NULLS clause, so PostgreSQL can scan its index backwards.
pub(crate) fn order(engine: Engine, descending: bool, nullable: bool) -> &'static str {
    match (engine == Engine::Postgres && nullable, descending) {
        (false, false) => " ASC",
        (false, true) => " DESC",
        (true, false) => " ASC NULLS FIRST",
        (true, true) => " DESC NULLS LAST",
    }
}

/// Binds `value` as an operand compared with a target of type `ty` and returns the placeholder
/// expression, or `None` when the JSON value does not have that type.
pub(crate) fn operand(
    engine: Engine,
    ty: ValueType,
    value: &Value,
    sql: &mut Sql,
) -> Option<String> {
    match (ty, value) {
        (ValueType::Text, Value::String(s)) => Some(sql.bind(Bind::Text(s.clone()))),
        (ValueType::BigInt, Value::Number(n)) => n.as_i64().map(|i| sql.bind(Bind::Int(i))),
        (ValueType::Numeric, Value::Number(n)) => match engine {
            // The exact decimal text, cast like the field expression: no float rounding, and the
            // comparison stays NUMERIC so the expression index applies.
            Engine::Postgres => {
                let placeholder = sql.bind(Bind::Text(n.to_string()));
                Some(format!("CAST({placeholder} AS NUMERIC)"))
            }
            Engine::Sqlite => Some(match n.as_i64() {
                Some(i) => sql.bind(Bind::Int(i)),
                None => sql.bind(Bind::Real(n.as_f64()?)),
            }),
        },
        (ValueType::Bool, Value::Bool(b)) => Some(match engine {
            Engine::Postgres => sql.bind(Bind::Bool(*b)),
            Engine::Sqlite => sql.bind(Bind::Int(i64::from(*b))),
        }),
        _ => None,
    }
}

/// `haystack` contains the already ASCII-lower-cased `needle` placeholder, ignoring ASCII case.
pub(crate) fn contains(engine: Engine, haystack: &str, needle: &str) -> String {
    match engine {
        Engine::Sqlite => format!("instr(lower({haystack}), {needle}) > 0"),
        Engine::Postgres => format!("strpos(lower({haystack}), {needle}) > 0"),
    }
}

// ---- full-text search ----

/// The text a record contributes to full-text search: its searchable fields, space-separated.
fn search_document(engine: Engine, fields: &[&str]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| format!("coalesce({}, '')", field_expr(engine, f, FieldKind::Text)))
        .collect();
    parts.join(" || ' ' || ")
}

fn fts_table(table: &str) -> String {
    format!("{table}_fts")
}

fn search_index(table: &str) -> String {
    format!("{table}_search")
}

/// Statements building the full-text index over `fields` from the records already stored.
pub(crate) fn create_search(engine: Engine, table: &str, fields: &[&str]) -> Vec<String> {
    let t = quote(table);
    let doc = search_document(engine, fields);
    match engine {
        Engine::Sqlite => {
            let fts = quote(&fts_table(table));
            vec![
                format!(
                    "CREATE VIRTUAL TABLE {fts} USING fts5(body, content='', \
                     contentless_delete=1, tokenize='unicode61 remove_diacritics 0')"
                ),
                format!("INSERT INTO {fts} (rowid, body) SELECT rid, {doc} FROM {t}"),
            ]
        }
        Engine::Postgres => vec![format!(
            "CREATE INDEX {} ON {t} USING GIN (to_tsvector('simple', {doc}))",
            quote(&search_index(table))
        )],
    }
}

/// Statements removing the full-text index (derived data only; records are untouched).
pub(crate) fn drop_search(engine: Engine, table: &str) -> Vec<String> {
    match engine {
        Engine::Sqlite => vec![format!("DROP TABLE IF EXISTS {}", quote(&fts_table(table)))],
        Engine::Postgres => vec![drop_index(&search_index(table))],
    }
}

/// The statement adding the FTS row of the record with row key `$1`, run after every write of
/// it once its old row (if any) is gone ([`search_forget`]). SQLite only: PostgreSQL's GIN
/// index follows the table by itself.
pub(crate) fn search_add(engine: Engine, table: &str, fields: &[&str]) -> Option<String> {
    search_insert(engine, table, fields, "rid = $1")
}

/// Like [`search_add`] for many records at once: `$1` is a JSON array of row keys.
pub(crate) fn search_add_many(engine: Engine, table: &str, fields: &[&str]) -> Option<String> {
    search_insert(
        engine,
        table,
        fields,
        &format!("rid IN {}", json_array_items(engine, "$1")),
    )
}

/// Like [`search_add_many`], with `$1` a JSON array of record ids (of records just created,
/// whose row keys the caller did not ask for).
pub(crate) fn search_add_ids(engine: Engine, table: &str, fields: &[&str]) -> Option<String> {
    search_insert(
        engine,
        table,
        fields,
        &format!("id IN {}", json_array_items(engine, "$1")),
    )
}

fn search_insert(engine: Engine, table: &str, fields: &[&str], rows: &str) -> Option<String> {
    if fields.is_empty() || engine != Engine::Sqlite {
        return None;
    }
    Some(format!(
        "INSERT INTO {} (rowid, body) SELECT rid, {} FROM {} WHERE {rows}",
        quote(&fts_table(table)),
        search_document(engine, fields),
        quote(table)
    ))
}

/// `(SELECT …)` of the items of the JSON array text in `placeholder`, for `x IN …`: one
/// parameter however many items.
pub(crate) fn json_array_items(engine: Engine, placeholder: &str) -> String {
    match engine {
        Engine::Sqlite => format!("(SELECT value FROM json_each({placeholder}))"),
        Engine::Postgres => {
            format!("(SELECT json_array_elements_text(CAST({placeholder} AS JSON)))")
        }
    }
}

/// The statement removing the FTS row of a deleted record with row key `$1` (SQLite).
pub(crate) fn search_forget(engine: Engine, table: &str, fields: &[&str]) -> Option<String> {
    if fields.is_empty() || engine != Engine::Sqlite {
        return None;
    }
    Some(format!(
        "DELETE FROM {} WHERE rowid = $1",
        quote(&fts_table(table))
    ))
}

/// SQLite's FTS5 query text for the search words: each quoted, all required.
fn match_text(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    quoted.join(" ")
}

/// The statement counting the records that contain every word of `$1` (SQLite: straight from
/// the full-text index, without reading a record; `None` on PostgreSQL, where the GIN index
/// answers through the table), and its `$1`.
pub(crate) fn search_count(
    engine: Engine,
    table: &str,
    words: &[String],
) -> Option<(String, String)> {
    match engine {
        Engine::Sqlite => {
            let fts = quote(&fts_table(table));
            Some((
                format!("SELECT COUNT(*) AS n FROM {fts} WHERE {fts} MATCH $1"),
                match_text(words),
            ))
        }
        Engine::Postgres => None,
    }
}

/// The predicate "record matches the search words", binding them into `sql`. `words` are
/// non-empty runs of letters and digits ([`super::query`] splits user input), so neither
/// engine's query syntax can be triggered by them; all words must occur.
///
/// `in_sort_order` (SQLite): many records match, so let the sort's index drive and test each
/// record against the matches (`+rid` keeps SQLite from fetching every match by row id and
/// sorting them all, which for a common word at 100k records costs 20 ms for 50 rows).
pub(crate) fn search_predicate(
    engine: Engine,
    table: &str,
    fields: &[&str],
    words: &[String],
    in_sort_order: bool,
    sql: &mut Sql,
) -> String {
    match engine {
        Engine::Sqlite => {
            let placeholder = sql.bind(Bind::Text(match_text(words)));
            let fts = quote(&fts_table(table));
            let key = if in_sort_order { "+rid" } else { "rid" };
            format!("{key} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH {placeholder})")
        }
        Engine::Postgres => {
            let placeholder = sql.bind(Bind::Text(words.join(" ")));
            format!(
                "to_tsvector('simple', {}) @@ plainto_tsquery('simple', {placeholder})",
                search_document(engine, fields)
            )
        }
    }
}

// ---- errors ----

/// What a unique violation was about.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UniqueHit {
    /// A declared unique field of the collection.
    Field(String),
    /// Something else, e.g. the record id.
    Other,
}

/// Reads a unique violation of `table` out of a database error; `None` for any other error.
/// PostgreSQL reports the index as the constraint; SQLite names an expression index in its
/// message ("UNIQUE constraint failed: index 'pcol_1_u_sku'").
pub(crate) fn unique_violation(table: &str, err: &sqlx::Error) -> Option<UniqueHit> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    if !db.is_unique_violation() {
        return None;
    }
    let prefix = format!("{table}_u_");
    let from_constraint = db
        .constraint()
        .and_then(|c| c.strip_prefix(&prefix))
        .map(str::to_owned);
    let from_message = || {
        let message = db.message();
        let start = message.find(&format!("'{prefix}"))? + 1 + prefix.len();
        let rest = &message[start..];
        Some(rest[..rest.find('\'')?].to_owned())
    };
    Some(match from_constraint.or_else(from_message) {
        Some(field) => UniqueHit::Field(field),
        None => UniqueHit::Other,
    })
}
