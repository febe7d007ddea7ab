//! `storage`: collections of JSON records, scoped to the calling plugin (see
//! `plugins::collections` for who may use what). Reads before the call's first write use a pooled
//! connection; writes open the call's transaction.

use serde_json::Value;

use super::trap;
use crate::plugins::bindings::storage::{
    self as wit, Document, Filter, Page, PutItem, QuerySpec, StorageError, Written,
};
use crate::plugins::call::CallState;
use crate::plugins::collections::{self, Use};
use crate::storage::{self, Collection};

/// What a host function returns: a trap for host failures, else the plugin-visible result.
type Answer<T> = wasmtime::Result<Result<T, StorageError>>;

/// Unwraps a plugin-visible result, or answers the plugin with its error.
macro_rules! or_answer {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return Ok(Err(error)),
        }
    };
}

fn to_wit_error(err: storage::StorageError) -> StorageError {
    match err {
        storage::StorageError::NotFound => StorageError::NotFound,
        storage::StorageError::UniqueViolation(f) => StorageError::UniqueViolation(f),
        storage::StorageError::Forbidden(m) => StorageError::Forbidden(m),
        storage::StorageError::Invalid(m) => StorageError::Invalid(m),
        storage::StorageError::Conflict(m) => StorageError::Conflict(m),
        storage::StorageError::Internal(detail) => {
            tracing::error!(%detail, "plugin storage failure");
            StorageError::Internal(
                "the host could not complete the storage call; it has been logged".into(),
            )
        }
    }
}

fn to_wit_document(doc: storage::Document) -> Document {
    Document {
        data: Value::Object(doc.data).to_string(),
        id: doc.id,
        version: doc.version,
        created_at: doc.created_at,
        updated_at: doc.updated_at,
    }
}

fn parse_json(what: &str, text: &str) -> Result<Value, StorageError> {
    serde_json::from_str(text)
        .map_err(|e| StorageError::Invalid(format!("{what} is not JSON: {e}")))
}

fn to_filter(filter: Filter) -> Result<storage::Filter, StorageError> {
    let mut any_of = Vec::with_capacity(filter.any_of.len());
    for group in filter.any_of {
        let mut all = Vec::with_capacity(group.len());
        for c in group {
            let op = match c.op {
                wit::Op::Eq => storage::Op::Eq,
                wit::Op::Ne => storage::Op::Ne,
                wit::Op::Lt => storage::Op::Lt,
                wit::Op::Lte => storage::Op::Lte,
                wit::Op::Gt => storage::Op::Gt,
                wit::Op::Gte => storage::Op::Gte,
                wit::Op::InList => storage::Op::InList,
                wit::Op::Prefix => storage::Op::Prefix,
                wit::Op::Contains => storage::Op::Contains,
            };
            let value = parse_json(&format!("the value compared with {}", c.field), &c.value)?;
            all.push(storage::Condition {
                field: c.field,
                op,
                value,
            });
        }
        any_of.push(all);
    }
    Ok(storage::Filter { any_of })
}

fn to_query(q: QuerySpec) -> Result<storage::Query, StorageError> {
    Ok(storage::Query {
        filter: to_filter(q.filter)?,
        sort: q
            .sort
            .into_iter()
            .map(|s| storage::Sort {
                field: s.field,
                descending: s.descending,
            })
            .collect(),
        limit: q.limit,
        offset: q.offset,
        after: q.after,
        search: q.search,
        count_total: q.count_total,
    })
}

impl CallState {
    /// Opens `name` for `usage`, auditing refusals (on the pool: a refusal is recorded even
    /// though the call may roll back).
    async fn collection(
        &mut self,
        name: &str,
        usage: Use,
    ) -> wasmtime::Result<Result<Collection, StorageError>> {
        let key = (name.to_owned(), usage == Use::Write);
        if let Some(c) = self.opened.get(&key) {
            return Ok(Ok(c.clone()));
        }
        let (engine, manifest, label) = (self.db.engine(), self.manifest.clone(), self.label());
        let opened = match usage {
            Use::Read => {
                let mut conn = self.read_conn().await.map_err(|e| trap(&label, e))?;
                collections::open(&mut conn, engine, &manifest, name, usage).await
            }
            Use::Write => {
                if let Some(refusal) = self.refusal() {
                    return Ok(Err(StorageError::Forbidden(refusal)));
                }
                let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
                collections::open(conn, engine, &manifest, name, usage).await
            }
        };
        if let Err(storage::StorageError::Forbidden(reason)) = &opened {
            self.audit_refusal("storage.forbidden", name, reason)
                .await
                .map_err(|e| trap(&label, e))?;
            tracing::warn!(plugin = %manifest.id, version = %manifest.version, collection = name, %reason, "storage access refused");
        }
        if let Ok(c) = &opened {
            self.opened.insert(key, c.clone());
        }
        Ok(opened.map_err(to_wit_error))
    }

    /// Counts `n` writes to `c` (see [`CallState::written`]).
    fn wrote(&mut self, name: &str, c: &Collection, n: u32) {
        self.written
            .entry(name.to_owned())
            .or_insert_with(|| (c.clone(), 0))
            .1 += n;
    }
}

impl wit::Host for CallState {
    async fn get(&mut self, collection: String, id: String) -> Answer<Document> {
        let c = or_answer!(self.collection(&collection, Use::Read).await?);
        let label = self.label();
        let mut conn = self.read_conn().await.map_err(|e| trap(&label, e))?;
        Ok(c.get(&mut conn, &id)
            .await
            .map(to_wit_document)
            .map_err(to_wit_error))
    }

    async fn put(
        &mut self,
        collection: String,
        id: Option<String>,
        data: String,
        expected: Option<i64>,
    ) -> Answer<Document> {
        let data = or_answer!(parse_json("the record", &data));
        let c = or_answer!(self.collection(&collection, Use::Write).await?);
        self.wrote(&collection, &c, 1);
        let (label, now) = (self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        Ok(c.put(conn, id.as_deref(), data, expected, now)
            .await
            .map(to_wit_document)
            .map_err(to_wit_error))
    }

    async fn put_many(&mut self, collection: String, items: Vec<PutItem>) -> Answer<Vec<Written>> {
        let mut batch = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            batch.push(storage::PutItem {
                id: item.id,
                data: or_answer!(parse_json(&format!("item {i}"), &item.data)),
                expected_version: item.expected_version,
            });
        }
        let c = or_answer!(self.collection(&collection, Use::Write).await?);
        self.wrote(
            &collection,
            &c,
            u32::try_from(batch.len()).unwrap_or(u32::MAX),
        );
        let (label, now) = (self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        Ok(c.put_many(conn, batch, now)
            .await
            .map(|docs| {
                docs.into_iter()
                    .map(|d| Written {
                        id: d.id,
                        version: d.version,
                    })
                    .collect()
            })
            .map_err(to_wit_error))
    }

    async fn patch(
        &mut self,
        collection: String,
        id: String,
        changes: String,
        expected: Option<i64>,
    ) -> Answer<Document> {
        let changes = or_answer!(parse_json("the changes", &changes));
        let c = or_answer!(self.collection(&collection, Use::Write).await?);
        self.wrote(&collection, &c, 1);
        let (label, now) = (self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        Ok(c.patch(conn, &id, changes, expected, now)
            .await
            .map(to_wit_document)
            .map_err(to_wit_error))
    }

    async fn delete(&mut self, collection: String, id: String) -> Answer<()> {
        let c = or_answer!(self.collection(&collection, Use::Write).await?);
        let label = self.label();
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        Ok(c.delete(conn, &id).await.map_err(to_wit_error))
    }

    async fn query(&mut self, collection: String, q: QuerySpec) -> Answer<Page> {
        let query = or_answer!(to_query(q));
        let c = or_answer!(self.collection(&collection, Use::Read).await?);
        let label = self.label();
        let mut conn = self.read_conn().await.map_err(|e| trap(&label, e))?;
        Ok(c.query(&mut conn, &query)
            .await
            .map(|page| Page {
                documents: page.documents.into_iter().map(to_wit_document).collect(),
                total: page.total,
                next_cursor: page.next_cursor,
            })
            .map_err(to_wit_error))
    }

    async fn count(&mut self, collection: String, filter: Filter) -> Answer<u64> {
        let filter = or_answer!(to_filter(filter));
        let c = or_answer!(self.collection(&collection, Use::Read).await?);
        let label = self.label();
        let mut conn = self.read_conn().await.map_err(|e| trap(&label, e))?;
        Ok(c.count(&mut conn, &filter).await.map_err(to_wit_error))
    }
}
