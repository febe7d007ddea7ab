//! Turns a filter, a sort, a cursor position and search words into SQL predicates and an
//! `ORDER BY`, binding every value.
//!
//! Owns the query semantics: which fields can be used (`id`, `created_at`, `updated_at`,
//! declared fields), how each operator compares, the sort with its `id` tie-breaker, and the
//! keyset predicate "after this row". Must never put a value into SQL text and never accept an
//! identifier that is not `id`, a timestamp or a declared (validated) field.

use serde_json::Value;

use super::dialect;
use super::error::{StorageError, StorageResult};
use super::query::{Condition, Filter, Op, Sort};
use super::record::Document;
use super::registry::Collection;
use super::spec::FieldKind;
use super::sql::{Sql, ValueType};
use super::values::describe;
use crate::db::Engine;

/// Most sort keys in one query.
pub const MAX_SORT_KEYS: usize = 8;
/// Most conditions in one filter, over all groups.
pub const MAX_CONDITIONS: usize = 256;
/// Most items in one `in_list`.
pub const MAX_IN_LIST: usize = 1000;
/// Longest search input, in bytes, and most words in it.
pub const MAX_SEARCH_BYTES: usize = 1000;
pub const MAX_SEARCH_WORDS: usize = 32;

/// What a filter or sort refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Id,
    CreatedAt,
    UpdatedAt,
    Field,
}

/// A resolved field: its canonical name, SQL expression and comparison type.
#[derive(Debug, Clone)]
struct Target {
    name: String,
    expr: String,
    ty: ValueType,
    source: Source,
}

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

    /// The predicate "comes after the row with these sort values" in this sort order, with NULL
    /// as the smallest value. A leading range bound on the first key lets an index seek.
    pub fn after(&self, values: &[Value], sql: &mut Sql) -> StorageResult<String> {
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
            let nullable = key.target.source == Source::Field;
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

    /// The predicates of a filter and search words (each to be ANDed; none when both are empty).
    pub fn where_clause(
        &self,
        filter: &Filter,
        words: &[String],
        sql: &mut Sql,
    ) -> StorageResult<Vec<String>> {
        let mut predicates = Vec::new();
        if let Some(p) = self.filter(filter, sql)? {
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
                sql,
            ));
        }
        Ok(predicates)
    }

    fn filter(&self, filter: &Filter, sql: &mut Sql) -> StorageResult<Option<String>> {
        let total: usize = filter.any_of.iter().map(Vec::len).sum();
        if total > MAX_CONDITIONS {
            return Err(StorageError::invalid(format!(
                "the filter has {total} conditions; at most {MAX_CONDITIONS} are allowed"
            )));
        }
        let mut groups = Vec::with_capacity(filter.any_of.len());
        for group in &filter.any_of {
            if group.is_empty() {
                // An empty group matches everything, and so does the whole filter.
                return Ok(None);
            }
            let conditions = group
                .iter()
                .map(|c| self.condition(c, sql))
                .collect::<StorageResult<Vec<_>>>()?;
            groups.push(format!("({})", conditions.join(" AND ")));
        }
        Ok(match groups.len() {
            0 => None,
            _ => Some(format!("({})", groups.join(" OR "))),
        })
    }

    fn condition(&self, c: &Condition, sql: &mut Sql) -> StorageResult<String> {
        let target = resolve(self.collection, &c.field)?;
        let e = &target.expr;
        let engine = self.engine();
        let what = || format!("filter '{} {}'", target.name, c.op.label());
        let operand = |value: &Value, sql: &mut Sql| -> StorageResult<String> {
            check_text_operand(value, &what)?;
            dialect::operand(engine, target.ty, value, sql).ok_or_else(|| {
                StorageError::invalid(format!(
                    "{}: the value must be {}, not {}",
                    what(),
                    type_label(target.ty),
                    describe(value)
                ))
            })
        };
        let text_only = || {
            if target.ty == ValueType::Text {
                Ok(())
            } else {
                Err(StorageError::invalid(format!(
                    "{}: only works on text fields",
                    what()
                )))
            }
        };
        Ok(match c.op {
            Op::Eq if c.value.is_null() => format!("{e} IS NULL"),
            Op::Ne if c.value.is_null() => format!("{e} IS NOT NULL"),
            Op::Eq => format!("{e} = {}", operand(&c.value, sql)?),
            Op::Ne => format!("({e} <> {} OR {e} IS NULL)", operand(&c.value, sql)?),
            Op::Lt | Op::Lte | Op::Gt | Op::Gte => {
                let symbol = match c.op {
                    Op::Lt => "<",
                    Op::Lte => "<=",
                    Op::Gt => ">",
                    _ => ">=",
                };
                format!("{e} {symbol} {}", operand(&c.value, sql)?)
            }
            Op::InList => {
                let Value::Array(items) = &c.value else {
                    return Err(StorageError::invalid(format!(
                        "{}: the value must be an array, not {}",
                        what(),
                        describe(&c.value)
                    )));
                };
                if items.len() > MAX_IN_LIST {
                    return Err(StorageError::invalid(format!(
                        "{}: {} items given; at most {MAX_IN_LIST} are allowed",
                        what(),
                        items.len()
                    )));
                }
                if items.is_empty() {
                    "1 = 0".to_owned()
                } else {
                    let placeholders = items
                        .iter()
                        .map(|item| operand(item, sql))
                        .collect::<StorageResult<Vec<_>>>()?;
                    format!("{e} IN ({})", placeholders.join(", "))
                }
            }
            Op::Prefix => {
                text_only()?;
                let Value::String(prefix) = &c.value else {
                    return Err(StorageError::invalid(format!(
                        "{}: the value must be a text, not {}",
                        what(),
                        describe(&c.value)
                    )));
                };
                let low = operand(&c.value, sql)?;
                // Text with the prefix is exactly [prefix, successor(prefix)) by code point.
                match prefix_successor(prefix) {
                    Some(high) => {
                        let high = operand(&Value::String(high), sql)?;
                        format!("({e} >= {low} AND {e} < {high})")
                    }
                    None => format!("{e} >= {low}"),
                }
            }
            Op::Contains => {
                text_only()?;
                let Value::String(needle) = &c.value else {
                    return Err(StorageError::invalid(format!(
                        "{}: the value must be a text, not {}",
                        what(),
                        describe(&c.value)
                    )));
                };
                let needle = operand(&Value::String(needle.to_ascii_lowercase()), sql)?;
                dialect::contains(engine, e, &needle)
            }
        })
    }
}

/// Resolves a field name of a filter or sort.
fn resolve(collection: &Collection, field: &str) -> StorageResult<Target> {
    let column = |name: &str, ty| Target {
        name: name.to_owned(),
        expr: name.to_owned(),
        ty,
        source: match name {
            "id" => Source::Id,
            "created_at" => Source::CreatedAt,
            _ => Source::UpdatedAt,
        },
    };
    match field {
        "id" => Ok(column("id", ValueType::Text)),
        "created_at" | "created-at" => Ok(column("created_at", ValueType::BigInt)),
        "updated_at" | "updated-at" => Ok(column("updated_at", ValueType::BigInt)),
        _ => match collection.spec.field(field) {
            Some(f) => Ok(Target {
                name: f.name.clone(),
                expr: dialect::field_expr(collection.engine, &f.name, f.kind),
                ty: match f.kind {
                    FieldKind::Text => ValueType::Text,
                    FieldKind::Integer | FieldKind::Number => ValueType::Numeric,
                    FieldKind::Boolean => ValueType::Bool,
                },
                source: Source::Field,
            }),
            None => {
                let declared: Vec<&str> = collection
                    .spec
                    .fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect();
                let mut known = vec!["id", "created_at", "updated_at"];
                known.extend(declared);
                Err(StorageError::invalid(format!(
                    "collection '{}' has no field '{field}' to filter or sort on (known: {})",
                    collection.name(),
                    known.join(", ")
                )))
            }
        },
    }
}

fn type_label(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Text => "a text",
        ValueType::BigInt => "an integer",
        ValueType::Numeric => "a number",
        ValueType::Bool => "a boolean",
    }
}

fn check_text_operand(value: &Value, what: &dyn Fn() -> String) -> StorageResult<()> {
    match value {
        Value::String(s) if s.contains('\0') => Err(StorageError::invalid(format!(
            "{}: the value contains a NUL character",
            what()
        ))),
        _ => Ok(()),
    }
}

/// The smallest text greater than every text starting with `prefix`, or `None` when there is
/// none (empty prefix, or only U+10FFFF).
fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last as u32 {
            0xD7FF => Some('\u{E000}'),
            n => char::from_u32(n + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
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
    fn prefix_successor_bounds_exactly_the_texts_with_the_prefix() {
        assert_eq!(prefix_successor("abc").as_deref(), Some("abd"));
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_successor(""), None);
        assert_eq!(prefix_successor("\u{10FFFF}"), None);
    }

    #[test]
    fn search_words_drop_query_syntax() {
        let words = search_words(Some("  \"red\" OR shirt* -x NEAR(a) ")).unwrap();
        assert_eq!(words, ["red", "OR", "shirt", "x", "NEAR", "a"]);
        assert!(search_words(Some("?!")).unwrap().is_empty());
        assert!(search_words(None).unwrap().is_empty());
    }
}
