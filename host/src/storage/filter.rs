//! Filters in disjunctive normal form turned into SQL: every operator's meaning, with every value
//! bound.
//!
//! Owns what `eq`, `ne`, `lt` … `in_list`, `prefix` and `contains` match, and the checks on their
//! values (type of the field, array for `in_list`, no NUL). Must never put a value into SQL text.

use serde_json::Value;

use super::dialect;
use super::error::{StorageError, StorageResult};
use super::query::{Condition, Filter, Op};
use super::registry::Collection;
use super::sql::{Sql, ValueType};
use super::target::{resolve, type_label};
use super::values::describe;

/// Most conditions in one filter, over all groups.
pub const MAX_CONDITIONS: usize = 256;
/// Most items in one `in_list`.
pub const MAX_IN_LIST: usize = 1000;

/// The predicate of a filter, or `None` when it matches everything.
pub(crate) fn filter_sql(
    collection: &Collection,
    filter: &Filter,
    sql: &mut Sql,
) -> StorageResult<Option<String>> {
    let total: usize = filter.any_of.iter().map(Vec::len).sum();
    if total > MAX_CONDITIONS {
        return Err(StorageError::invalid(format!(
            "the filter has {total} conditions; at most {MAX_CONDITIONS} are allowed"
        )));
    }
    // An empty group matches everything, and so does the whole filter. Decided before any
    // condition binds a value: a bound value without its placeholder fails on PostgreSQL
    // (found by `storage::tests::fuzz`).
    if filter.matches_all() {
        return Ok(None);
    }
    let mut groups = Vec::with_capacity(filter.any_of.len());
    for group in &filter.any_of {
        let conditions = group
            .iter()
            .map(|c| condition(collection, c, sql))
            .collect::<StorageResult<Vec<_>>>()?;
        groups.push(format!("({})", conditions.join(" AND ")));
    }
    Ok(match groups.len() {
        0 => None,
        _ => Some(format!("({})", groups.join(" OR "))),
    })
}

fn condition(collection: &Collection, c: &Condition, sql: &mut Sql) -> StorageResult<String> {
    let target = resolve(collection, &c.field)?;
    let e = &target.expr;
    let engine = collection.engine;
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
}
