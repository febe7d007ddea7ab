//! `ensure`: makes the physical tables and indexes match the collections a plugin declares.
//!
//! Owns creating collection tables and migrating their derived structures (field indexes, the
//! full-text index) from the spec last applied to the new one. Must never drop or rewrite
//! records: a field removed from the manifest only loses its index (the values stay in every
//! record and come back indexed if the field is declared again), and a collection removed from
//! the manifest is only marked retired.

use sqlx::{AnyConnection, Connection, Executor};

use super::dialect;
use super::error::{StorageError, StorageResult};
use super::registry::{self, Collection};
use super::spec::{CollectionSpec, FieldSpec, check_specs};
use super::tx;
use crate::db::Engine;

/// Creates or migrates the collections of `plugin_id` so they match `specs`, and records the
/// specs. Runs atomically (a savepoint inside the caller's transaction); on any error nothing
/// changed. Returns the active collections in the order of `specs`.
///
/// Migration rules: new collections get a table; new or changed indexed/unique fields get their
/// index (making a field unique fails with `Invalid` while records share a value); a changed
/// set of searchable fields rebuilds the full-text index from the stored records; indexes of
/// fields no longer indexed are dropped; collections no longer declared are retired, with their
/// records kept (declaring them again brings them back). On SQLite it also takes the planner
/// statistics of each collection that has none yet (see [`analyze`]); statistics taken later
/// are kept, so a restart does not replace them with those of a first look.
pub async fn ensure(
    conn: &mut AnyConnection,
    engine: Engine,
    plugin_id: &str,
    specs: &[CollectionSpec],
    now: i64,
) -> StorageResult<Vec<Collection>> {
    check_specs(plugin_id, specs)?;
    let mut tx = conn.begin().await?;
    let result = ensure_all(&mut tx, engine, plugin_id, specs, now).await;
    tx::finish(tx, result).await
}

async fn ensure_all(
    conn: &mut AnyConnection,
    engine: Engine,
    plugin_id: &str,
    specs: &[CollectionSpec],
    now: i64,
) -> StorageResult<Vec<Collection>> {
    let mut collections = Vec::with_capacity(specs.len());
    for spec in specs {
        let (id, changed) = match registry::find(conn, plugin_id, &spec.name).await? {
            None => {
                let id = registry::insert(conn, plugin_id, spec, now).await?;
                create(conn, engine, &dialect::table(id), spec).await?;
                (id, true)
            }
            Some(entry) => {
                let changed = entry.spec != *spec || entry.retired_at.is_some();
                if changed {
                    migrate(conn, engine, &dialect::table(entry.id), &entry.spec, spec).await?;
                    registry::update(conn, entry.id, spec, now).await?;
                }
                (entry.id, changed)
            }
        };
        if (changed || !has_statistics(conn, engine, &dialect::table(id)).await)
            && let Some(statement) = dialect::analyze(engine, &dialect::table(id))
        {
            run(conn, &statement).await?;
        }
        collections.push(Collection {
            engine,
            id,
            plugin: plugin_id.to_owned(),
            spec: spec.clone(),
        });
    }
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    registry::retire_others(conn, plugin_id, &names, now).await?;
    Ok(collections)
}

/// Refreshes the planner statistics of a collection (SQLite: a full `ANALYZE`, about 250 ms
/// for 100k products with eight indexes; PostgreSQL: nothing, autovacuum does it). The plugin
/// runtime calls it when a collection has grown by a quarter since its last statistics; call
/// it after writing records outside the runtime (benchmarks seed that way).
pub async fn analyze(conn: &mut AnyConnection, collection: &Collection) -> StorageResult<()> {
    if let Some(statement) = dialect::analyze(collection.engine, &collection.table()) {
        run(conn, &statement).await?;
    }
    Ok(())
}

/// Whether SQLite has planner statistics for `table` (PostgreSQL: always, autovacuum keeps
/// them). Before the first `ANALYZE` of a database there is no statistics table at all.
async fn has_statistics(conn: &mut AnyConnection, engine: Engine, table: &str) -> bool {
    let Some(statement) = dialect::statistics_exist(engine) else {
        return true;
    };
    matches!(
        sqlx::query(&statement)
            .bind(table)
            .fetch_optional(&mut *conn)
            .await,
        Ok(Some(_))
    )
}

async fn create(
    conn: &mut AnyConnection,
    engine: Engine,
    table: &str,
    spec: &CollectionSpec,
) -> StorageResult<()> {
    for statement in dialect::create_table(engine, table) {
        run(conn, &statement).await?;
    }
    for field in &spec.fields {
        create_index(conn, engine, table, spec, field).await?;
    }
    let searchable = spec.searchable();
    if !searchable.is_empty() {
        for statement in dialect::create_search(engine, table, &searchable) {
            run(conn, &statement).await?;
        }
    }
    Ok(())
}

async fn migrate(
    conn: &mut AnyConnection,
    engine: Engine,
    table: &str,
    old: &CollectionSpec,
    new: &CollectionSpec,
) -> StorageResult<()> {
    // Indexes of fields that are gone, no longer indexed, or indexed differently.
    for before in &old.fields {
        let Some(kind) = before.index() else { continue };
        let unchanged = new
            .field(&before.name)
            .is_some_and(|after| after.index() == Some(kind) && after.kind == before.kind);
        if !unchanged {
            let name = dialect::field_index_name(table, &before.name, kind);
            run(conn, &dialect::drop_index(&name)).await?;
        }
    }
    // Indexes the new spec wants ("IF NOT EXISTS" keeps unchanged ones as they are).
    for field in &new.fields {
        create_index(conn, engine, table, new, field).await?;
    }
    let (before, after) = (old.searchable(), new.searchable());
    if before != after {
        for statement in dialect::drop_search(engine, table) {
            run(conn, &statement).await?;
        }
        if !after.is_empty() {
            for statement in dialect::create_search(engine, table, &after) {
                run(conn, &statement).await?;
            }
        }
    }
    Ok(())
}

async fn create_index(
    conn: &mut AnyConnection,
    engine: Engine,
    table: &str,
    spec: &CollectionSpec,
    field: &FieldSpec,
) -> StorageResult<()> {
    let Some(statement) = dialect::create_field_index(engine, table, field) else {
        return Ok(());
    };
    match conn.execute(statement.as_str()).await {
        Ok(_) => Ok(()),
        Err(err) if crate::db::is_unique_violation(&err) => Err(StorageError::invalid(format!(
            "collection '{}', field '{}' cannot be unique: existing records share a value",
            spec.name, field.name
        ))),
        Err(err) => Err(err.into()),
    }
}

async fn run(conn: &mut AnyConnection, statement: &str) -> StorageResult<()> {
    conn.execute(statement).await?;
    Ok(())
}
