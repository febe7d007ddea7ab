//! Finding records: the query types (mirroring WIT `query`, `filter`, `sort`, `page`) and
//! [`Collection::query`] / [`Collection::count`].
//!
//! Owns running a query and assembling its page (limit + 1 fetch, next cursor, optional total).
//! Must never accept SQL: filters, sorts and search words are turned into SQL by
//! [`super::plan`], with every value bound.

use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::cursor;
use super::dialect::{self, quote};
use super::error::{StorageError, StorageResult};
use super::plan::{Plan, search_words};
use super::record::Document;
use super::registry::Collection;
use super::sql::{Bind, Sql};

/// Page size when a query asks for 0.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page.
pub const MAX_LIMIT: u32 = 1000;
/// Search matches above which a sorted page walks the sort's index and tests each record
/// (rather than fetching every match and sorting them): with this many, the first page is
/// found long before the index ends.
const SORT_ORDER_FIRST_ABOVE: u64 = 2000;

/// Comparison operators of a [`Condition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Equal; `null` matches records without a value.
    Eq,
    /// Not equal; records without a value match unless `value` is `null`.
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    /// `value` is a JSON array; matches when the field equals one of its items.
    InList,
    /// Text starts with `value` (case-sensitive).
    Prefix,
    /// Text contains `value`, ignoring ASCII case.
    Contains,
}

impl Op {
    pub fn label(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::InList => "in_list",
            Op::Prefix => "prefix",
            Op::Contains => "contains",
        }
    }
}

/// `field op value`: `field` is `id`, `created_at`, `updated_at` (or `created-at`,
/// `updated-at`) or a declared field.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    pub value: Value,
}

impl Condition {
    pub fn new(field: &str, op: Op, value: Value) -> Self {
        Condition {
            field: field.to_owned(),
            op,
            value,
        }
    }
}

/// Disjunctive normal form: a record matches when it matches every condition of at least one
/// group. No groups matches everything; an empty group matches everything too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub any_of: Vec<Vec<Condition>>,
}

impl Filter {
    /// Matches everything.
    pub fn all() -> Self {
        Filter::default()
    }

    /// True when the filter lets every record through: no groups, or a group without
    /// conditions.
    pub fn matches_all(&self) -> bool {
        self.any_of.is_empty() || self.any_of.iter().any(Vec::is_empty)
    }

    /// One group: all of `conditions`.
    pub fn all_of(conditions: Vec<Condition>) -> Self {
        Filter {
            any_of: vec![conditions],
        }
    }
}

/// One sort key. `id` is always the final tie-breaker (in the direction of the last key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub field: String,
    pub descending: bool,
}

impl Sort {
    pub fn asc(field: &str) -> Self {
        Sort {
            field: field.to_owned(),
            descending: false,
        }
    }

    pub fn desc(field: &str) -> Self {
        Sort {
            field: field.to_owned(),
            descending: true,
        }
    }
}

/// What to find and how to page through it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub filter: Filter,
    /// Applied in order; no keys sorts by `id`.
    pub sort: Vec<Sort>,
    /// At most [`MAX_LIMIT`]; 0 means [`DEFAULT_LIMIT`].
    pub limit: u32,
    /// Offset paging. Ignored when `after` is set.
    pub offset: u32,
    /// Keyset paging: the `next_cursor` of the previous page (same sort).
    pub after: Option<String>,
    /// Full-text search over the searchable fields: records containing every word. Input
    /// without letters or digits is ignored. Acts as a filter; the sort is unchanged.
    pub search: Option<String>,
    /// Also count all matching records (a second query).
    pub count_total: bool,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub documents: Vec<Document>,
    /// Present when `count_total` was asked.
    pub total: Option<u64>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl Collection {
    /// Runs a query against the collection.
    pub async fn query(&self, conn: &mut AnyConnection, q: &Query) -> StorageResult<Page> {
        let words = search_words(q.search.as_deref())?;
        let matches = self.search_matches(conn, &words).await?;
        let many_matches = matches.is_some_and(|n| n > SORT_ORDER_FIRST_ABOVE);
        let Select {
            sql,
            plan,
            limit,
            words,
            part,
        } = self.select(q, many_matches, Part::Whole)?;
        let mut rows = sql.query().fetch_all(&mut *conn).await?;
        if part == Part::Values && rows.len() <= limit as usize {
            let tail = self.select(q, many_matches, Part::Nulls)?;
            rows.extend(tail.sql.query().fetch_all(&mut *conn).await?);
        }
        let more = rows.len() > limit as usize;
        let documents = rows
            .iter()
            .take(limit as usize)
            .map(Document::from_row)
            .collect::<StorageResult<Vec<_>>>()?;
        let next_cursor = match documents.last() {
            Some(last) if more => Some(cursor::encode(&plan.signature(), &plan.values_of(last))),
            _ => None,
        };
        let total = match (q.count_total, matches) {
            (false, _) => None,
            (true, Some(n)) if q.filter.matches_all() => Some(n),
            (true, _) => Some(self.count_where(conn, &q.filter, &words).await?),
        };
        Ok(Page {
            documents,
            total,
            next_cursor,
        })
    }

    /// How many records contain every search word, where the engine can tell without reading
    /// records (SQLite's full-text index); `None` without words or on PostgreSQL.
    async fn search_matches(
        &self,
        conn: &mut AnyConnection,
        words: &[String],
    ) -> StorageResult<Option<u64>> {
        if words.is_empty() || self.spec.searchable().is_empty() {
            return Ok(None);
        }
        let Some((statement, text)) = dialect::search_count(self.engine, &self.table(), words)
        else {
            return Ok(None);
        };
        let n: i64 = sqlx::query(&statement)
            .bind(text)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        Ok(Some(u64::try_from(n).unwrap_or_default()))
    }

    /// The page statement of a query (fetching `limit + 1` rows to tell whether more follow),
    /// with search matches tested in sort order when there are `many_matches` and the sort
    /// has an index to walk. Asked for [`Part::Whole`], it answers [`Part::Values`] when the
    /// page is read in two parts; the caller then asks for [`Part::Nulls`] if the values do not
    /// fill the page.
    pub(crate) fn select(
        &self,
        q: &Query,
        many_matches: bool,
        part: Part,
    ) -> StorageResult<Select<'_>> {
        let limit = match q.limit {
            0 => DEFAULT_LIMIT,
            n if n > MAX_LIMIT => {
                return Err(StorageError::invalid(format!(
                    "limit {n} is above the maximum of {MAX_LIMIT}"
                )));
            }
            n => n,
        };
        let words = search_words(q.search.as_deref())?;
        let plan = Plan::new(self, &q.sort)?;
        let after = q
            .after
            .as_deref()
            .map(|c| cursor::decode(c, &plan.signature()))
            .transpose()?;
        let part = match (part, &after) {
            (Part::Whole, Some(values)) if plan.nulls_follow(values) => Part::Values,
            (part, _) => part,
        };

        let mut sql = Sql::new(format!(
            "SELECT {} FROM {}",
            dialect::record_columns(self.engine),
            quote(&self.table())
        ));
        let in_sort_order = many_matches && plan.sorted_by_index();
        let mut predicates = plan.where_clause(&q.filter, &words, in_sort_order, &mut sql)?;
        match (&after, part) {
            (Some(_), Part::Nulls) => predicates.push(plan.first_is_null()),
            (Some(values), _) => {
                predicates.push(plan.after(values, part == Part::Values, &mut sql)?)
            }
            (None, _) => {}
        }
        push_where(&mut sql, &predicates);
        sql.push(&format!(" ORDER BY {}", plan.order_by()));
        let fetch = sql.bind(Bind::Int(i64::from(limit) + 1));
        let offset = if after.is_some() { 0 } else { q.offset };
        let skip = sql.bind(Bind::Int(i64::from(offset)));
        sql.push(&format!(" LIMIT {fetch} OFFSET {skip}"));
        Ok(Select {
            sql,
            plan,
            limit,
            words,
            part,
        })
    }

    /// Counts the records matching `filter`.
    pub async fn count(&self, conn: &mut AnyConnection, filter: &Filter) -> StorageResult<u64> {
        self.count_where(conn, filter, &[]).await
    }

    async fn count_where(
        &self,
        conn: &mut AnyConnection,
        filter: &Filter,
        words: &[String],
    ) -> StorageResult<u64> {
        let plan = Plan::new(self, &[])?;
        let mut sql = Sql::new(format!(
            "SELECT COUNT(*) AS n FROM {}",
            quote(&self.table())
        ));
        let predicates = plan.where_clause(filter, words, false, &mut sql)?;
        push_where(&mut sql, &predicates);
        let n: i64 = sql.query().fetch_one(&mut *conn).await?.try_get("n")?;
        Ok(u64::try_from(n).unwrap_or_default())
    }
}

/// A query's page statement and what reading its rows needs.
pub(crate) struct Select<'c> {
    pub sql: Sql,
    plan: Plan<'c>,
    limit: u32,
    words: Vec<String>,
    part: Part,
}

/// Which records of a keyset page a statement reads. When the first sort key is a field sorted
/// descending, its NULLs come last, and "after the cursor's value `p`" is
/// `e <= p OR e IS NULL`; with that `OR` neither SQLite nor PostgreSQL seeks in the field's
/// index: they sort every record before the page (page 100 of 100,000 orders: 0.3–0.5 s
/// against well under a millisecond). Such a page is read as two ranges an index serves: the
/// values after the cursor, then, only when they do not fill the page, the NULLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Everything after the cursor (or from the start) in one statement.
    Whole,
    /// The records whose first key has a value, after the cursor.
    Values,
    /// The records whose first key is NULL: all of them follow a cursor with a value.
    Nulls,
}

fn push_where(sql: &mut Sql, predicates: &[String]) {
    if !predicates.is_empty() {
        sql.push(" WHERE ");
        sql.push(&predicates.join(" AND "));
    }
}
