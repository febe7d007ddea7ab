//! A query's plan: its sort with the `id` tie-breaker, the keyset predicate "after this row",
//! and the `WHERE` predicates (filter from [`super::filter`], search words).
//!
//! Owns the sort order and keyset semantics (NULL as the smallest value) and splitting search
//! input into words. Must never put a value into SQL text and never sort on anything that
//! [`super::target`] did not resolve.

use serde_json::Value;

use super::dialect;
use super::error::{StorageError, StorageResult};
use super::filter::filter_sql;
use super::query::{Filter, Sort};
use super::record::Document;
use super::registry::Collection;
use super::sql::{Sql, ValueType};
use super::target::{Source, Target, resolve};
use crate::db::Engine;

/// Most sort keys in one query.
pub const MAX_SORT_KEYS: usize = 8;
/// Longest search input, in bytes, and most words in it.
pub const MAX_SEARCH_BYTES: usize = 1000;
pub const MAX_SEARCH_WORDS: usize = 32;

#[derive(Debug, Clone)]
struct Key {
    target: Target,
    descending: bool,
}

/// A query's sort and the collection it runs on.
pub(crate) struct Plan<'c> {
    collection: &'c Collection,
    keys: Vec<Key>,
}

impl<'c> Plan<'c> {
    /// Resolves the sort keys; `id` ends the list (it is unique, later keys could not matter).
    pub fn new(collection: &'c Collection, sort: &[Sort]) -> StorageResult<Plan<'c>> {
        if sort.len() > MAX_SORT_KEYS {
            return Err(StorageError::invalid(format!(
                "{} sort keys given; at most {MAX_SORT_KEYS} are allowed",
                sort.len()
            )));
        }
        let mut keys: Vec<Key> = Vec::with_capacity(sort.len() + 1);
        for s in sort {
            let target = resolve(collection, &s.field)?;
            if keys.iter().any(|k| k.target.name == target.name) {
                return Err(StorageError::invalid(format!(
                    "sort names field '{}' twice",
                    target.name
                )));
            }
            let is_id = target.source == Source::Id;
            keys.push(Key {
                target,
                descending: s.descending,
            });
            if is_id {
                break;
            }
        }
        if keys.last().is_none_or(|k| k.target.source != Source::Id) {
            let descending = keys.last().is_some_and(|k| k.descending);
            keys.push(Key {
                target: resolve(collection, "id")?,
                descending,
            });
        }
        Ok(Plan { collection, keys })
    }

    fn engine(&self) -> Engine {
        self.collection.engine
    }

    /// Identifies the sort, so a cursor is only used with the sort it came from.
    pub fn signature(&self) -> String {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{}:{}", k.target.name, if k.descending { 'd' } else { 'a' }))
            .collect();
        keys.join(",")
    }

    pub fn order_by(&self) -> String {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| {
                let nullable = k.target.source == Source::Field;
                let order = dialect::order(self.engine(), k.descending, nullable);
                format!("{}{order}", k.target.expr)
            })
            .collect();
        keys.join(", ")
    }

    /// The sort values of a record, as the cursor stores them: what the SQL expressions see
    /// (a field value of another type than declared is `null`).
    pub fn values_of(&self, doc: &Document) -> Vec<Value> {
        self.keys
            .iter()
            .map(|k| match k.target.source {
                Source::Id => Value::String(doc.id.clone()),
                Source::CreatedAt => Value::from(doc.created_at),
                Source::UpdatedAt => Value::from(doc.updated_at),
                Source::Field => {
                    let value = doc.data.get(&k.target.name).unwrap_or(&Value::Null);
                    let fits = match k.target.ty {
                        ValueType::Text => value.is_string(),
                        ValueType::Numeric | ValueType::BigInt => value.is_number(),
                        ValueType::Bool => value.is_boolean(),
                    };
                    if fits { value.clone() } else { Value::Null }
                }
            })
            .collect()
    }

    /// Whether the rows after `values` are read in two parts ([`super::query::Part`]): the
    /// first key is a field sorted descending, so its NULLs come last, and the cursor holds a
    /// value for it.
    pub fn nulls_follow(&self, values: &[Value]) -> bool {
        let first = &self.keys[0];
        first.descending
            && first.target.source == Source::Field
            && values.first().is_some_and(|v| !v.is_null())
    }

    /// The predicate "the first sort key is NULL": the second part of a split page.
    pub fn first_is_null(&self) -> String {
        format!("{} IS NULL", self.keys[0].target.expr)
    }

    /// The predicate "comes after the row with these sort values" in this sort order, with NULL
    /// as the smallest value. A leading range bound on the first key lets an index seek.
    /// `without_nulls` leaves out the records whose first key is NULL (see
    /// [`Plan::nulls_follow`]): `e <= p OR e IS NULL` would make both engines give up the
    /// index range and sort every record before the page.
    pub fn after(
        &self,
        values: &[Value],
        without_nulls: bool,
        sql: &mut Sql,
    ) -> StorageResult<String> {
        let bad = || StorageError::invalid("cursor does not fit this query");
        if values.len() != self.keys.len() {
            return Err(bad());
        }
        let mut alternatives = Vec::new();
        let mut equal_so_far: Vec<String> = Vec::new();
        let mut bound = None;
        for (i, (key, value)) in self.keys.iter().zip(values).enumerate() {
            let e = &key.target.expr;
            let placeholder = if value.is_null() {
                if key.target.source != Source::Field {
                    return Err(bad());
                }
                None
            } else if value.as_str().is_some_and(|s| s.contains('\0')) {
                return Err(bad());
            } else {
                Some(dialect::operand(self.engine(), key.target.ty, value, sql).ok_or_else(bad)?)
            };
            let nullable = key.target.source == Source::Field && !(i == 0 && without_nulls);
            let beyond = match (&placeholder, key.descending) {
                (None, false) => Some(format!("{e} IS NOT NULL")),
                (None, true) => None,
                (Some(p), false) => Some(format!("{e} > {p}")),
                (Some(p), true) if nullable => Some(format!("({e} < {p} OR {e} IS NULL)")),
                (Some(p), true) => Some(format!("{e} < {p}")),
            };
            if i == 0 {
                bound = match (&placeholder, key.descending) {
                    (Some(p), false) => Some(format!("{e} >= {p}")),
                    (Some(p), true) if nullable => Some(format!("({e} <= {p} OR {e} IS NULL)")),
                    (Some(p), true) => Some(format!("{e} <= {p}")),
                    (None, _) => None,
                };
            }
            if let Some(beyond) = beyond {
                let mut all = equal_so_far.clone();
                all.push(beyond);
                alternatives.push(format!("({})", all.join(" AND ")));
            }
            equal_so_far.push(match &placeholder {
                None => format!("{e} IS NULL"),
                Some(p) => format!("{e} = {p}"),
            });
        }
        let after = if alternatives.is_empty() {
            "1 = 0".to_owned()
        } else {
            format!("({})", alternatives.join(" OR "))
        };
        Ok(match bound {
            Some(bound) => format!("{bound} AND {after}"),
            None => after,
        })
    }

    /// Whether the first sort key has an index that yields records in sort order.
    pub fn sorted_by_index(&self) -> bool {
        let first = &self.keys[0].target;
        match first.source {
            Source::Id | Source::CreatedAt | Source::UpdatedAt => true,
            Source::Field => self
                .collection
                .spec
                .fields
                .iter()
                .any(|f| f.name == first.name && f.index().is_some()),
        }
    }

    /// The predicates of a filter and search words (each to be ANDed; none when both are
    /// empty). `search_in_sort_order`: see [`dialect::search_predicate`].
    pub fn where_clause(
        &self,
        filter: &Filter,
        words: &[String],
        search_in_sort_order: bool,
        sql: &mut Sql,
    ) -> StorageResult<Vec<String>> {
        let mut predicates = Vec::new();
        if let Some(p) = filter_sql(self.collection, filter, sql)? {
            predicates.push(p);
        }
        if !words.is_empty() {
            let searchable = self.collection.spec.searchable();
            if searchable.is_empty() {
                return Err(StorageError::invalid(format!(
                    "collection '{}' has no searchable fields",
                    self.collection.name()
                )));
            }
            predicates.push(dialect::search_predicate(
                self.engine(),
                &self.collection.table(),
                &searchable,
                words,
                search_in_sort_order,
                sql,
            ));
        }
        Ok(predicates)
    }
}

/// The words of a search input: runs of letters and digits. Nothing to search for (no input, or
/// no letters or digits in it) is an empty list.
pub(crate) fn search_words(input: Option<&str>) -> StorageResult<Vec<String>> {
    let Some(input) = input else {
        return Ok(Vec::new());
    };
    if input.len() > MAX_SEARCH_BYTES {
        return Err(StorageError::invalid(format!(
            "search is {} bytes long; at most {MAX_SEARCH_BYTES} are allowed",
            input.len()
        )));
    }
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.len() > MAX_SEARCH_WORDS {
        return Err(StorageError::invalid(format!(
            "search has {} words; at most {MAX_SEARCH_WORDS} are allowed",
            words.len()
        )));
    }
    Ok(words)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn search_words_drop_query_syntax() {
        let words = search_words(Some("  \"red\" OR shirt* -x NEAR(a) ")).unwrap();
        assert_eq!(words, ["red", "OR", "shirt", "x", "NEAR", "a"]);
        assert!(search_words(Some("?!")).unwrap().is_empty());
        assert!(search_words(None).unwrap().is_empty());
    }
}
