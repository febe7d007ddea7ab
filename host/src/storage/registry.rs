//! The host's record of plugin collections (`plugin_collections`) and the [`Collection`] handle.
//!
//! Owns reading and writing registry rows: which collections a plugin has, the spec last applied
//! to each, and which physical table holds its records. Must never create or alter collection
//! tables (that is [`super::schema`]) and never decide access (that is the caller's).

use sqlx::{AnyConnection, Row};

use super::dialect;
use super::error::{StorageError, StorageResult};
use super::spec::{self, COLLECTION_NAME_MAX, CollectionSpec};
use super::sql::{Bind, Sql};
use crate::db::Engine;

/// An active collection of one plugin: what record operations and queries run against.
/// Cheap to clone; valid until the plugin's specs are ensured again.
#[derive(Debug, Clone)]
pub struct Collection {
    pub(crate) engine: Engine,
    pub(crate) id: i64,
    pub(crate) plugin: String,
    pub(crate) spec: CollectionSpec,
}

impl Collection {
    /// The plugin that owns the collection.
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The spec last applied by `ensure`.
    pub fn spec(&self) -> &CollectionSpec {
        &self.spec
    }

    /// Whether other plugins may be granted read access.
    pub fn shared(&self) -> bool {
        self.spec.shared
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The physical table (unquoted).
    pub(crate) fn table(&self) -> String {
        dialect::table(self.id)
    }
}

/// The active collection `name` of `plugin`, or `None` when there is none (or the names are not
/// valid names at all).
pub async fn lookup(
    conn: &mut AnyConnection,
    engine: Engine,
    plugin: &str,
    name: &str,
) -> StorageResult<Option<Collection>> {
    let valid = spec::check_plugin_id(plugin).is_ok()
        && spec::check_name("collection", name, COLLECTION_NAME_MAX, false).is_ok();
    if !valid {
        return Ok(None);
    }
    Ok(find(conn, plugin, name)
        .await?
        .filter(|row| row.retired_at.is_none())
        .map(|row| row.into_collection(engine, plugin)))
}

/// Like [`lookup`], but a missing collection is `Invalid` with a message naming it.
pub async fn open(
    conn: &mut AnyConnection,
    engine: Engine,
    plugin: &str,
    name: &str,
) -> StorageResult<Collection> {
    lookup(conn, engine, plugin, name).await?.ok_or_else(|| {
        StorageError::invalid(format!("plugin '{plugin}' has no collection '{name}'"))
    })
}

/// The spec of an active collection, for the caller's existence and `shared` checks.
pub async fn spec(
    conn: &mut AnyConnection,
    engine: Engine,
    plugin: &str,
    name: &str,
) -> StorageResult<Option<CollectionSpec>> {
    Ok(lookup(conn, engine, plugin, name).await?.map(|c| c.spec))
}

/// All active collections of a plugin, by name.
pub async fn collections(
    conn: &mut AnyConnection,
    engine: Engine,
    plugin: &str,
) -> StorageResult<Vec<Collection>> {
    let rows = sqlx::query(
        "SELECT id, spec FROM plugin_collections \
         WHERE plugin_id = $1 AND retired_at IS NULL ORDER BY name",
    )
    .bind(plugin)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Collection {
                engine,
                id: row.try_get("id")?,
                plugin: plugin.to_owned(),
                spec: parse_spec(&row.try_get::<String, _>("spec")?)?,
            })
        })
        .collect()
}

/// A registry row, retired or not.
pub(crate) struct Entry {
    pub id: i64,
    pub spec: CollectionSpec,
    pub retired_at: Option<i64>,
}

impl Entry {
    fn into_collection(self, engine: Engine, plugin: &str) -> Collection {
        Collection {
            engine,
            id: self.id,
            plugin: plugin.to_owned(),
            spec: self.spec,
        }
    }
}

pub(crate) async fn find(
    conn: &mut AnyConnection,
    plugin: &str,
    name: &str,
) -> StorageResult<Option<Entry>> {
    let row = sqlx::query(
        "SELECT id, spec, retired_at FROM plugin_collections WHERE plugin_id = $1 AND name = $2",
    )
    .bind(plugin)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Entry {
        id: row.try_get("id")?,
        spec: parse_spec(&row.try_get::<String, _>("spec")?)?,
        retired_at: row.try_get("retired_at")?,
    }))
}

/// Registers a new collection and returns its id.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    plugin: &str,
    spec: &CollectionSpec,
    now: i64,
) -> StorageResult<i64> {
    let row = sqlx::query(
        "INSERT INTO plugin_collections (plugin_id, name, spec, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(plugin)
    .bind(&spec.name)
    .bind(spec_json(spec)?)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// Records the applied spec of an existing collection and makes it active again.
pub(crate) async fn update(
    conn: &mut AnyConnection,
    id: i64,
    spec: &CollectionSpec,
    now: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE plugin_collections SET spec = $1, updated_at = $2, retired_at = NULL WHERE id = $3",
    )
    .bind(spec_json(spec)?)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks the plugin's active collections not in `keep` as retired (their records stay).
pub(crate) async fn retire_others(
    conn: &mut AnyConnection,
    plugin: &str,
    keep: &[&str],
    now: i64,
) -> StorageResult<()> {
    let mut sql = Sql::default();
    let at = sql.bind(Bind::Int(now));
    let owner = sql.bind(Bind::Text(plugin.to_owned()));
    sql.push(&format!(
        "UPDATE plugin_collections SET retired_at = {at} \
         WHERE plugin_id = {owner} AND retired_at IS NULL"
    ));
    if !keep.is_empty() {
        let names: Vec<String> = keep
            .iter()
            .map(|n| sql.bind(Bind::Text((*n).to_owned())))
            .collect();
        sql.push(&format!(" AND name NOT IN ({})", names.join(", ")));
    }
    sql.query().execute(&mut *conn).await?;
    Ok(())
}

fn spec_json(spec: &CollectionSpec) -> StorageResult<String> {
    serde_json::to_string(spec).map_err(|e| StorageError::Internal(format!("encoding a spec: {e}")))
}

fn parse_spec(text: &str) -> StorageResult<CollectionSpec> {
    serde_json::from_str(text)
        .map_err(|e| StorageError::Internal(format!("reading a stored collection spec: {e}")))
}
