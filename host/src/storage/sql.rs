//! A statement under construction: SQL text plus the values bound to its `$n` placeholders.
//!
//! Owns placeholder numbering and the hand-off of values to sqlx. Must never format a value into
//! the SQL text: values only ever travel as bound parameters.

use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;

use crate::db::Engine;

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bind {
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

/// SQL text with its bound values, in placeholder order.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    binds: Vec<Bind>,
    /// Placeholders are anonymous `?`, see [`Sql::in_order`].
    anonymous: bool,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Sql {
            text: text.into(),
            ..Sql::default()
        }
    }

    /// A statement whose placeholders are each written into the text exactly once, in the
    /// order they were bound. On SQLite they are then anonymous `?`: its driver looks every
    /// named parameter up by a linear scan over all names, which for a multi-row insert of a
    /// thousand parameters is quadratic (3–4% of a bulk import's CPU time).
    pub fn in_order(engine: Engine, text: impl Into<String>) -> Self {
        Sql {
            text: text.into(),
            binds: Vec::new(),
            anonymous: engine == Engine::Sqlite,
        }
    }

    /// Registers a value and returns its placeholder (`$n`, or `?`), to be written into the
    /// text.
    pub fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        if self.anonymous {
            "?".to_owned()
        } else {
            format!("${}", self.binds.len())
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// The sqlx query with every value bound.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut query = sqlx::query(&self.text);
        for bind in &self.binds {
            query = match bind {
                Bind::Int(v) => query.bind(*v),
                Bind::Real(v) => query.bind(*v),
                Bind::Text(v) => query.bind(v.as_str()),
                Bind::Bool(v) => query.bind(*v),
            };
        }
        query
    }
}

/// How a filter or sort target compares, which decides how its operands are bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueType {
    /// Text, compared by code point in both engines.
    Text,
    /// A BIGINT column (`created_at`, `updated_at`).
    BigInt,
    /// A JSON number (integer or number fields), compared numerically.
    Numeric,
    /// A JSON boolean.
    Bool,
}
