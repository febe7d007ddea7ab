//! Typed access to the plugin's collections (and granted ones of other plugins).
//!
//! Records travel through WIT as JSON text; [`Collection<T>`] encodes and decodes them with
//! serde so a plugin works with its own structs. Every call is one WIT `storage` call and part
//! of the request's transaction. Errors stay the WIT [`StorageError`] values: expected failures
//! (`not-found`, `forbidden`, …) are for the plugin to handle, and `?` in a handler turns them
//! into a failure response (see the `From` impl below for the statuses).

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::bindings::backoffice::plugin::storage as wit;
use crate::response::Failure;

pub use wit::{Condition, Document, Filter, Op, QuerySpec, Sort, StorageError, Written};

/// Records per host call of [`Collection::write_many`] (the host's limit).
pub const MAX_BATCH: usize = 1000;

/// A stored record with its data decoded as `T`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<T> {
    pub id: String,
    pub data: T,
    /// Starts at 1 and grows with every write: pass it back for optimistic concurrency.
    pub version: i64,
    /// UTC unix seconds, set by the host.
    pub created_at: i64,
    pub updated_at: i64,
}

/// One page of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub records: Vec<Record<T>>,
    /// All matching records, when [`Query::count_total`] was asked.
    pub total: Option<u64>,
    /// Pass to [`Query::after`] for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A collection whose records decode as `T`: `Collection::<Note>::new("notes")` for one of the
/// plugin's own, `Collection::<Value>::new("<plugin-id>/<collection>")` for another plugin's
/// shared collection that the manifest asks to read (`reads`).
#[derive(Debug, Clone)]
pub struct Collection<T> {
    name: String,
    _record: PhantomData<fn() -> T>,
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Invalid(format!("cannot encode: {e}")))
}

/// A stored record that does not fit `T` is reported as `invalid`: the plugin's own schema
/// changed, or a granted collection is not shaped as expected.
fn decode<T: DeserializeOwned>(doc: Document) -> Result<Record<T>, StorageError> {
    let data = serde_json::from_str(&doc.data)
        .map_err(|e| StorageError::Invalid(format!("record {} does not decode: {e}", doc.id)))?;
    Ok(Record {
        id: doc.id,
        data,
        version: doc.version,
        created_at: doc.created_at,
        updated_at: doc.updated_at,
    })
}

impl<T: Serialize + DeserializeOwned> Collection<T> {
    /// Names a collection; nothing is checked until the first call.
    pub fn new(name: impl Into<String>) -> Self {
        Collection {
            name: name.into(),
            _record: PhantomData,
        }
    }

    /// The collection name as passed to the host.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The record `id`; `Err(NotFound)` when there is none.
    pub fn get(&self, id: &str) -> Result<Record<T>, StorageError> {
        decode(wit::get(&self.name, id)?)
    }

    /// The record `id`, or `None` when there is none.
    pub fn find(&self, id: &str) -> Result<Option<Record<T>>, StorageError> {
        match self.get(id) {
            Ok(r) => Ok(Some(r)),
            Err(StorageError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Stores a new record under an id the host generates.
    pub fn insert(&self, data: &T) -> Result<Record<T>, StorageError> {
        decode(wit::put(&self.name, None, &encode(data)?, None)?)
    }

    /// Creates or replaces the record `id`.
    pub fn put(&self, id: &str, data: &T) -> Result<Record<T>, StorageError> {
        decode(wit::put(&self.name, Some(id), &encode(data)?, None)?)
    }

    /// Creates the record `id` only if there is none yet; `Err(Conflict)` when it exists (e.g.
    /// someone else created it meanwhile).
    pub fn create(&self, id: &str, data: &T) -> Result<Record<T>, StorageError> {
        decode(wit::put(&self.name, Some(id), &encode(data)?, Some(0))?)
    }

    /// Replaces the record `id` only if its stored version is still `expected_version`;
    /// `Err(Conflict)` when someone else wrote it meanwhile.
    pub fn replace(
        &self,
        id: &str,
        data: &T,
        expected_version: i64,
    ) -> Result<Record<T>, StorageError> {
        decode(wit::put(
            &self.name,
            Some(id),
            &encode(data)?,
            Some(expected_version),
        )?)
    }

    /// Writes many records with few host calls (one per [`MAX_BATCH`] writes): for bulk work
    /// such as imports, where one call per record would cost a database round trip each.
    /// Each host call is all or nothing; like every write, all of them are undone when the
    /// request fails. Answers each record's id and new version, in order.
    pub fn write_many(&self, writes: &[Write<'_, T>]) -> Result<Vec<Written>, StorageError> {
        let mut out = Vec::with_capacity(writes.len());
        for chunk in writes.chunks(MAX_BATCH) {
            let items = chunk
                .iter()
                .map(|w| {
                    let (id, data, expected) = match w {
                        Write::Put(id, data) => (id, data, None),
                        Write::Create(id, data) => (id, data, Some(0)),
                        Write::Replace(id, data, version) => (id, data, Some(*version)),
                    };
                    Ok(wit::PutItem {
                        id: Some((*id).to_owned()),
                        data: encode(*data)?,
                        expected_version: expected,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            out.extend(wit::put_many(&self.name, &items)?);
        }
        Ok(out)
    }

    /// Merges `changes` (a JSON object; RFC 7386 merge patch: `null` removes a key) into the
    /// record `id`.
    pub fn patch<C: Serialize + ?Sized>(
        &self,
        id: &str,
        changes: &C,
    ) -> Result<Record<T>, StorageError> {
        decode(wit::patch(&self.name, id, &encode(changes)?, None)?)
    }

    /// Deletes the record `id`; `Err(NotFound)` when there was none.
    pub fn delete(&self, id: &str) -> Result<(), StorageError> {
        wit::delete(&self.name, id)
    }

    /// Starts a query: everything, default order and page size, until narrowed.
    pub fn query(&self) -> Query<T> {
        Query {
            collection: self.name.clone(),
            spec: QuerySpec {
                filter: Filter { any_of: Vec::new() },
                sort: Vec::new(),
                limit: 0,
                offset: 0,
                after: None,
                search: None,
                count_total: false,
            },
            _record: PhantomData,
        }
    }
}

/// One record of [`Collection::write_many`], with the meaning of the single-record method of
/// the same name.
#[derive(Debug, Clone, Copy)]
pub enum Write<'a, T> {
    /// Creates or replaces the record, like [`Collection::put`].
    Put(&'a str, &'a T),
    /// Creates the record; a conflict if it exists, like [`Collection::create`].
    Create(&'a str, &'a T),
    /// Replaces the stored version given, like [`Collection::replace`].
    Replace(&'a str, &'a T, i64),
}

/// A query being built; nothing is sent until [`Query::fetch`] or [`Query::count`].
///
/// Conditions added with [`Query::filter`] (and the shorthands) must all hold (AND);
/// [`Query::or`] starts another group that may hold instead (OR).
#[derive(Debug, Clone)]
pub struct Query<T> {
    collection: String,
    spec: QuerySpec,
    _record: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Query<T> {
    /// Adds `field op value` to the current group. `field` is `id`, `created-at`, `updated-at`
    /// or a declared field.
    pub fn filter(mut self, field: &str, op: Op, value: impl Into<Value>) -> Self {
        let condition = Condition {
            field: field.into(),
            op,
            value: value.into().to_string(),
        };
        match self.spec.filter.any_of.last_mut() {
            Some(group) => group.push(condition),
            None => self.spec.filter.any_of.push(vec![condition]),
        }
        self
    }

    /// `field == value`.
    pub fn eq(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, Op::Eq, value)
    }

    /// Starts a new group of conditions: records matching it also match the query.
    pub fn or(mut self) -> Self {
        if self
            .spec
            .filter
            .any_of
            .last()
            .is_some_and(|g| !g.is_empty())
        {
            self.spec.filter.any_of.push(Vec::new());
        }
        self
    }

    /// Sorts ascending by `field` (after any earlier sorts).
    pub fn sort(mut self, field: &str) -> Self {
        self.spec.sort.push(Sort {
            field: field.into(),
            descending: false,
        });
        self
    }

    /// Sorts descending by `field` (after any earlier sorts).
    pub fn sort_desc(mut self, field: &str) -> Self {
        self.spec.sort.push(Sort {
            field: field.into(),
            descending: true,
        });
        self
    }

    /// Page size, at most 1000 (the host's default is 50).
    pub fn limit(mut self, limit: u32) -> Self {
        self.spec.limit = limit;
        self
    }

    /// Offset paging; ignored by the host when [`Query::after`] is set.
    pub fn offset(mut self, offset: u32) -> Self {
        self.spec.offset = offset;
        self
    }

    /// Keyset paging: the `next_cursor` of the previous page.
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.spec.after = Some(cursor.into());
        self
    }

    /// Full-text search over the collection's searchable fields.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.spec.search = Some(text.into());
        self
    }

    /// Also counts all matching records (a second query on the host).
    pub fn count_total(mut self) -> Self {
        self.spec.count_total = true;
        self
    }

    /// The query as it will be sent, for logging and tests.
    pub fn spec(&self) -> &QuerySpec {
        &self.spec
    }

    fn filter_spec(&self) -> Filter {
        let mut filter = self.spec.filter.clone();
        filter.any_of.retain(|g| !g.is_empty());
        filter
    }

    /// Runs the query.
    pub fn fetch(self) -> Result<Page<T>, StorageError> {
        let mut spec = self.spec.clone();
        spec.filter = self.filter_spec();
        let page = wit::query(&self.collection, &spec)?;
        Ok(Page {
            records: page
                .documents
                .into_iter()
                .map(decode)
                .collect::<Result<_, _>>()?,
            total: page.total,
            next_cursor: page.next_cursor,
        })
    }

    /// The first matching record, if any (one host call asking for one record): a lookup by
    /// a unique field.
    pub fn first(self) -> Result<Option<Record<T>>, StorageError> {
        Ok(self.limit(1).fetch()?.records.into_iter().next())
    }

    /// Every matching record, following the pages (1000 per host call). For sets that are
    /// known to fit in memory, such as a product's variants or the records of an import chunk.
    pub fn fetch_all(self) -> Result<Vec<Record<T>>, StorageError> {
        let mut spec = self.spec.clone();
        spec.filter = self.filter_spec();
        spec.limit = 1000;
        let mut out = Vec::new();
        loop {
            let page = wit::query(&self.collection, &spec)?;
            for doc in page.documents {
                out.push(decode(doc)?);
            }
            match page.next_cursor {
                Some(next) => spec.after = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Counts the matching records (filters only; search, sort and paging do not apply).
    pub fn count(self) -> Result<u64, StorageError> {
        wit::count(&self.collection, &self.filter_spec())
    }
}

/// How a storage error reaches the user when a handler uses `?`. `internal` details stay in
/// the host's log.
impl From<StorageError> for Failure {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => Failure::not_found("not found"),
            StorageError::UniqueViolation(field) => {
                Failure::conflict(format!("duplicate value for {field}"))
            }
            StorageError::Forbidden(m) => Failure::forbidden(format!("forbidden: {m}")),
            StorageError::Invalid(m) => Failure::bad_request(format!("invalid: {m}")),
            StorageError::Conflict(m) => Failure::conflict(format!("conflict: {m}")),
            StorageError::Internal(_) => Failure::internal("internal storage error"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_group_into_and_or() {
        let q = Collection::<Value>::new("notes")
            .query()
            .eq("pinned", true)
            .filter("created", Op::Gte, 10)
            .or()
            .or()
            .eq("title", "x")
            .sort_desc("created")
            .limit(5)
            .after("c1")
            .search("milk")
            .count_total();
        let spec = q.spec();
        assert_eq!(spec.filter.any_of.len(), 2);
        assert_eq!(spec.filter.any_of[0].len(), 2);
        assert_eq!(spec.filter.any_of[0][0].value, "true");
        assert_eq!(spec.filter.any_of[1][0].value, "\"x\"");
        assert_eq!(spec.sort[0].field, "created");
        assert!(spec.sort[0].descending);
        assert_eq!(spec.limit, 5);
        assert_eq!(spec.after.as_deref(), Some("c1"));
        assert_eq!(spec.search.as_deref(), Some("milk"));
        assert!(spec.count_total);
    }

    #[test]
    fn a_trailing_empty_group_is_not_sent() {
        let q = Collection::<Value>::new("notes").query().eq("a", 1).or();
        assert_eq!(q.filter_spec().any_of.len(), 1);
        let all = Collection::<Value>::new("notes").query().or();
        assert!(all.filter_spec().any_of.is_empty());
    }

    #[test]
    fn decode_reports_records_that_do_not_fit() {
        #[derive(serde::Deserialize, serde::Serialize, Debug)]
        struct Note {
            title: String,
        }
        let doc = |data: &str| Document {
            id: "n1".into(),
            data: data.into(),
            version: 1,
            created_at: 0,
            updated_at: 0,
        };
        let ok: Record<Note> = decode(doc(r#"{"title":"a"}"#)).unwrap();
        assert_eq!(ok.data.title, "a");
        let bad = decode::<Note>(doc(r#"{"title":1}"#)).unwrap_err();
        assert!(matches!(bad, StorageError::Invalid(m) if m.starts_with("record n1")));
    }

    #[test]
    fn storage_errors_map_to_statuses() {
        let status = |e| Failure::from(e).status;
        assert_eq!(status(StorageError::NotFound), 404);
        assert_eq!(status(StorageError::Forbidden("notes/notes".into())), 403);
        assert_eq!(status(StorageError::Invalid("x".into())), 400);
        assert_eq!(status(StorageError::UniqueViolation("sku".into())), 409);
        assert_eq!(status(StorageError::Conflict("v".into())), 409);
        let internal = Failure::from(StorageError::Internal("db down".into()));
        assert_eq!(internal.message, "internal storage error");
    }
}
