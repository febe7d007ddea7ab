//! Writing many records of one collection in one step: [`Collection::put_many`].
//!
//! Why it exists: a bulk import writes thousands of records, and one statement per record (plus
//! its savepoint and full-text sync) costs a database round trip each. Here records without a
//! version condition are written with multi-row `INSERT … ON CONFLICT` statements and the
//! full-text index is brought up to date with one statement per chunk, so the cost per record is
//! SQLite's (or PostgreSQL's) own work. Records with an expected version go one by one through
//! the same path as [`Collection::put`], inside the same step.
//!
//! Owns the batch rules: at most [`MAX_BATCH`] records, ids distinct within a batch, all or
//! nothing (one savepoint: a failure of any record leaves none of them written), results in the
//! order of the items. Must never put a value into SQL text.

use std::collections::HashMap;

use serde_json::{Map, Value};
use sqlx::{AnyConnection, Connection, Row};

use super::dialect::{self, quote};
use super::error::{StorageError, StorageResult};
use super::record::{Document, check_expected};
use super::registry::Collection;
use super::sql::{Bind, Sql};
use super::tx;
use super::values::{check_id, check_record, generate_id};

/// Most records in one [`Collection::put_many`].
pub const MAX_BATCH: usize = 1000;
/// Records per multi-row statement: four parameters each stay far below both engines' limits
/// on bound parameters (SQLite 32,766; PostgreSQL 65,535).
const ROWS_PER_STATEMENT: usize = 250;

/// One record of a [`Collection::put_many`], with the meaning of [`Collection::put`]'s
/// arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct PutItem {
    pub id: Option<String>,
    pub data: Value,
    pub expected_version: Option<i64>,
}

/// A checked item: its id, version condition, decoded data and JSON text.
struct Checked {
    id: String,
    expected: Option<i64>,
    data: Map<String, Value>,
    text: String,
}

/// What the database answered for one written row.
struct Written {
    version: i64,
    created_at: i64,
    /// The row key the full-text index uses (SQLite only).
    row_key: Option<i64>,
}

impl Collection {
    /// Creates or replaces every item like [`Collection::put`] would, all or nothing. A failure
    /// names the item (`item 3: …`) when it is about one item's input; a unique violation or a
    /// version conflict fails the whole batch like it fails a single put.
    pub async fn put_many(
        &self,
        conn: &mut AnyConnection,
        items: Vec<PutItem>,
        now: i64,
    ) -> StorageResult<Vec<Document>> {
        if items.len() > MAX_BATCH {
            return Err(StorageError::invalid(format!(
                "{} records in one batch; at most {MAX_BATCH} are allowed",
                items.len()
            )));
        }
        let checked = check_items(&self.spec, items, now)?;
        let mut tx = conn.begin().await?;
        let result = self.put_checked(&mut tx, &checked, now).await;
        let written = tx::finish(tx, result).await?;
        Ok(checked
            .into_iter()
            .zip(written)
            .map(|(c, w)| Document {
                id: c.id,
                data: c.data,
                version: w.version,
                created_at: w.created_at,
                updated_at: now,
            })
            .collect())
    }

    async fn put_checked(
        &self,
        conn: &mut AnyConnection,
        items: &[Checked],
        now: i64,
    ) -> StorageResult<Vec<Written>> {
        let mut written: Vec<Option<Written>> = items.iter().map(|_| None).collect();
        // Unconditional writes, then creates, go in multi-row statements; replaces of a known
        // version one by one (each needs its own version check and conflict message).
        let group = |want: fn(Option<i64>) -> bool| -> Vec<usize> {
            (0..items.len())
                .filter(|&i| want(items[i].expected))
                .collect()
        };
        for chunk in group(|e| e.is_none()).chunks(ROWS_PER_STATEMENT) {
            let mut rows = self.upsert_rows(conn, items, chunk, now).await?;
            for &i in chunk {
                written[i] = rows.remove(&items[i].id);
            }
            self.sync_search_many(conn, chunk.iter().filter_map(|&i| written[i].as_ref()))
                .await?;
        }
        for chunk in group(|e| e == Some(0)).chunks(ROWS_PER_STATEMENT) {
            self.create_rows(conn, items, chunk, now).await?;
            for &i in chunk {
                written[i] = Some(Written {
                    version: 1,
                    created_at: now,
                    row_key: None,
                });
            }
        }
        for (i, item) in items.iter().enumerate() {
            if written[i].is_none() {
                let (version, created_at) = self
                    .put_in(conn, &item.id, &item.text, item.expected, now)
                    .await?;
                written[i] = Some(Written {
                    version,
                    created_at,
                    row_key: None,
                });
            }
        }
        Ok(written.into_iter().flatten().collect())
    }

    /// `INSERT INTO … VALUES (…), (…) ` for the items at `chunk`, written at `now`. Every
    /// placeholder is used once, in order ([`Sql::in_order`]).
    fn insert_values(&self, items: &[Checked], chunk: &[usize], now: i64) -> Sql {
        let mut sql = Sql::in_order(
            self.engine,
            format!(
                "INSERT INTO {} (id, data, version, created_at, updated_at) VALUES ",
                quote(&self.table())
            ),
        );
        for (n, &i) in chunk.iter().enumerate() {
            let id = sql.bind(Bind::Text(items[i].id.clone()));
            let data =
                dialect::data_param(self.engine, &sql.bind(Bind::Text(items[i].text.clone())));
            let created = sql.bind(Bind::Int(now));
            let updated = sql.bind(Bind::Int(now));
            let separator = if n == 0 { "" } else { ", " };
            sql.push(&format!(
                "{separator}({id}, {data}, 1, {created}, {updated})"
            ));
        }
        sql
    }

    /// Creates the records at `chunk` (version 1) and adds them to the full-text index. One
    /// statement without `RETURNING`: every written row's answer is known, and SQLite's
    /// driver would hand each returned row across threads on its own. An id already taken
    /// fails the batch like a single create does (the chunk's own step is rolled back first,
    /// so what is left with those ids is what was stored before).
    async fn create_rows(
        &self,
        conn: &mut AnyConnection,
        items: &[Checked],
        chunk: &[usize],
        now: i64,
    ) -> StorageResult<()> {
        let ids: Vec<&str> = chunk.iter().map(|&i| items[i].id.as_str()).collect();
        let ids_json = Value::from(ids).to_string();
        let mut sql = self.insert_values(items, chunk, now);
        sql.push(" ON CONFLICT (id) DO NOTHING");
        let mut step = conn.begin().await?;
        let done = sql
            .query()
            .execute(&mut *step)
            .await
            .map_err(|e| self.write_error(e));
        let done = match done {
            Ok(done) => done,
            Err(err) => return tx::finish(step, Err(err)).await,
        };
        if done.rows_affected() < chunk.len() as u64 {
            step.rollback().await?;
            return Err(self.first_taken(conn, &ids_json).await?);
        }
        step.commit().await?;
        let searchable = self.spec.searchable();
        if let Some(index) = dialect::search_add_ids(self.engine, &self.table(), &searchable) {
            sqlx::query(&index)
                .bind(ids_json)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The conflict of a create: the first of `ids` (a JSON array) that is stored.
    async fn first_taken(
        &self,
        conn: &mut AnyConnection,
        ids_json: &str,
    ) -> StorageResult<StorageError> {
        let sql = format!(
            "SELECT id FROM {} WHERE id IN {} ORDER BY id LIMIT 1",
            quote(&self.table()),
            dialect::json_array_items(self.engine, "$1")
        );
        let taken: Option<String> = sqlx::query(&sql)
            .bind(ids_json)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?;
        match taken {
            Some(id) => self.version_conflict(conn, &id, 0).await,
            None => Err(StorageError::Internal(
                "a batch create wrote fewer rows than it was given".into(),
            )),
        }
    }

    /// One multi-row upsert of the items at `chunk`; answers the written rows by id.
    async fn upsert_rows(
        &self,
        conn: &mut AnyConnection,
        items: &[Checked],
        chunk: &[usize],
        now: i64,
    ) -> StorageResult<HashMap<String, Written>> {
        let t = quote(&self.table());
        let mut sql = self.insert_values(items, chunk, now);
        sql.push(&format!(
            " ON CONFLICT (id) DO UPDATE SET data = excluded.data, version = {t}.version + 1, \
             updated_at = excluded.updated_at {}",
            self.returning("id, version, created_at")
        ));
        let rows = sql
            .query()
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| self.write_error(e))?;
        let key = dialect::row_key(self.engine);
        rows.iter()
            .map(|row| {
                let written = Written {
                    version: row.try_get("version")?,
                    created_at: row.try_get("created_at")?,
                    row_key: key.map(|k| row.try_get(k)).transpose()?,
                };
                Ok((row.try_get::<String, _>("id")?, written))
            })
            .collect()
    }

    /// Brings the full-text rows of the written records up to date (SQLite; PostgreSQL's GIN
    /// index follows the table by itself): the old rows of replaced records go one by one (a
    /// record created just now, version 1, has none), the new rows in one statement.
    async fn sync_search_many<'w>(
        &self,
        conn: &mut AnyConnection,
        rows: impl Iterator<Item = &'w Written>,
    ) -> StorageResult<()> {
        let searchable = self.spec.searchable();
        let Some(index) = dialect::search_add_many(self.engine, &self.table(), &searchable) else {
            return Ok(());
        };
        let mut keys = Vec::new();
        for row in rows {
            let Some(key) = row.row_key else { continue };
            if row.version > 1 {
                self.forget_search(conn, key).await?;
            }
            keys.push(key);
        }
        if !keys.is_empty() {
            sqlx::query(&index)
                .bind(Value::from(keys).to_string())
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// Checks every item like a single put would, generates missing ids, and refuses an id that
/// appears twice (which record would win is not something a caller should have to guess).
fn check_items(
    spec: &super::CollectionSpec,
    items: Vec<PutItem>,
    now: i64,
) -> StorageResult<Vec<Checked>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let in_item = |e: StorageError| match e {
            StorageError::Invalid(m) => StorageError::Invalid(format!("item {i}: {m}")),
            other => other,
        };
        if let Some(id) = &item.id {
            check_id(id).map_err(in_item)?;
        }
        check_expected(item.expected_version).map_err(in_item)?;
        let (data, text) = check_record(spec, item.data).map_err(in_item)?;
        let (id, expected) = match item.id {
            Some(id) => (id, item.expected_version),
            None => (generate_id(now), item.expected_version.or(Some(0))),
        };
        if !seen.insert(id.clone()) {
            return Err(StorageError::invalid(format!(
                "item {i}: record id '{id}' appears twice in one batch"
            )));
        }
        out.push(Checked {
            id,
            expected,
            data,
            text,
        });
    }
    Ok(out)
}
