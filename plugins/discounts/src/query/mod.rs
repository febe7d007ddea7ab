//! The decision-rule ("apply when") and collector ("apply to") query strings, Spryker-compatible:
//! a clause is `field operator 'value'`; clauses are joined by `and` / `or`, evaluated left to
//! right (no precedence: `a or b and c` is `(a or b) and c`), and parentheses group.
//!
//! - Operators: `=`, `!=`, `<`, `<=`, `>`, `>=`, `contains`, `does not contain`, `is in`,
//!   `is not in` (the list separated by `;`). Keywords are case-insensitive.
//! - `=`, `!=`, `contains`, `is in` compare text case-insensitively; `<`… accept numeric fields
//!   only, and a numeric field accepts numbers only (money in major units, `12.50`; `time` as
//!   `HH:MM`). The value `*` matches anything non-empty (`!= '*'`: empty).
//! - Values are quoted with `'` or `"`; `\` escapes the quote and itself.
//!
//! Pure: [`parse`] answers the tree or an [`Error`] with the character position (0-based) of
//! the problem; [`eval`](Expr::matches) walks it under a [`Budget`], so no query can make a
//! checkout slow: a query that runs out of budget does not match. Limits: [`MAX_LEN`]
//! characters, [`MAX_CLAUSES`] clauses, [`MAX_DEPTH`] nested parentheses, [`MAX_LIST`] values.

mod eval;
mod lex;
mod parse;
#[cfg(test)]
mod tests;

pub use eval::{Budget, Cart, Item, Scope};
pub use parse::parse;

use serde::{Deserialize, Serialize};

/// The longest query, in characters.
pub const MAX_LEN: usize = 4000;
/// The most clauses in one query.
pub const MAX_CLAUSES: usize = 100;
/// The deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 16;
/// The most values of an `is in` list.
pub const MAX_LIST: usize = 200;

/// Which fields a query may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// "Apply when": the cart's and its items' fields.
    Decision,
    /// "Apply to": an item's fields.
    Collector,
}

/// Why a query is refused: where (a character position) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("at {position}: {message}")]
pub struct Error {
    pub position: usize,
    pub message: String,
}

impl Error {
    fn at(position: usize, message: impl Into<String>) -> Error {
        Error {
            position,
            message: message.into(),
        }
    }
}

/// What a field's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    /// Minor units; written in major units (`12.50`).
    Money,
    Integer,
    /// Minutes of the day; written `HH:MM`.
    Time,
}

/// A field a query may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Sku,
    SubTotal,
    GrandTotal,
    TotalQuantity,
    ItemQuantity,
    ItemPrice,
    CalendarWeek,
    DayOfWeek,
    Month,
    Time,
    Currency,
    PriceMode,
    CustomerGroup,
    CustomerReference,
    CustomerOrderCount,
    Attribute(String),
    Category,
    ProductLabel,
    ShipmentCarrier,
    ShipmentMethod,
    ShipmentPrice,
}

/// The field names, as written, that take no key.
const NAMES: &[(&str, Field)] = &[
    ("sku", Field::Sku),
    ("sub-total", Field::SubTotal),
    ("grand-total", Field::GrandTotal),
    ("total-quantity", Field::TotalQuantity),
    ("item-quantity", Field::ItemQuantity),
    ("item-price", Field::ItemPrice),
    ("calendar-week", Field::CalendarWeek),
    ("day-of-week", Field::DayOfWeek),
    ("month", Field::Month),
    ("time", Field::Time),
    ("currency", Field::Currency),
    ("price-mode", Field::PriceMode),
    ("customer-group", Field::CustomerGroup),
    ("customer-reference", Field::CustomerReference),
    ("customer-order-count", Field::CustomerOrderCount),
    ("category", Field::Category),
    ("product-label", Field::ProductLabel),
    ("shipment-carrier", Field::ShipmentCarrier),
    ("shipment-method", Field::ShipmentMethod),
    ("shipment-price", Field::ShipmentPrice),
];

impl Field {
    /// The field `name` names (`attribute.<key>` included), if any.
    pub fn named(name: &str) -> Option<Field> {
        let lower = name.to_ascii_lowercase();
        if let Some(key) = lower.strip_prefix("attribute.") {
            let ok = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            // Attribute keys keep their case (catalog's keys are case-sensitive).
            return ok.then(|| Field::Attribute(name["attribute.".len()..].to_owned()));
        }
        NAMES
            .iter()
            .find(|(n, _)| *n == lower)
            .map(|(_, f)| f.clone())
    }

    /// The type of its values.
    pub fn ty(&self) -> Type {
        match self {
            Field::SubTotal | Field::GrandTotal | Field::ItemPrice | Field::ShipmentPrice => {
                Type::Money
            }
            Field::TotalQuantity
            | Field::ItemQuantity
            | Field::CalendarWeek
            | Field::DayOfWeek
            | Field::Month
            | Field::CustomerOrderCount => Type::Integer,
            Field::Time => Type::Time,
            _ => Type::Text,
        }
    }

    /// Whether it is an item's field (in a decision rule: any item's).
    pub fn of_item(&self) -> bool {
        matches!(
            self,
            Field::Sku
                | Field::ItemQuantity
                | Field::ItemPrice
                | Field::Attribute(_)
                | Field::Category
                | Field::ProductLabel
        )
    }

    /// Whether a query of `kind` may name it.
    pub fn allowed(&self, kind: Kind) -> bool {
        kind == Kind::Decision || self.of_item()
    }
}

/// The field names a query of `kind` may use, for messages and the form.
pub fn field_names(kind: Kind) -> Vec<&'static str> {
    let mut names: Vec<&str> = NAMES
        .iter()
        .filter(|(_, f)| f.allowed(kind))
        .map(|(n, _)| *n)
        .collect();
    names.push("attribute.<key>");
    names
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    NotContains,
    In,
    NotIn,
}

impl Op {
    /// Whether it compares numbers by order.
    pub fn ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// A clause's value, checked against its field's type when parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `*`: anything non-empty.
    Any,
    /// Lower-cased text.
    Text(String),
    Number(i64),
    /// `is in` lists: lower-cased texts or numbers.
    Texts(Vec<String>),
    Numbers(Vec<i64>),
}

/// `field operator value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub field: Field,
    pub op: Op,
    pub value: Value,
}

/// How two terms join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    And,
    Or,
}

/// A term: a clause or a parenthesised group.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Clause(Clause),
    Group(Expr),
}

/// Terms joined left to right: `first (join term)*`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub first: Box<Term>,
    pub rest: Vec<(Join, Term)>,
}
