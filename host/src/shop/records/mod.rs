//! The records of the shop's context and their checks.
//!
//! Each kind is a [`Setting`]: its form, how a form becomes a record (every check names the
//! field it failed on), which other records refer to it, and the fields its pages show. The
//! pages (`web::settings`) and the store (`shop::store`) are written once for all six kinds
//! against this trait. This file holds the trait and the checks the kinds share; each kind
//! lives in a file of its own.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Snapshot;
use crate::validate::Invalid;

/// The kinds of record, as stored in `shop_settings.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Store,
    Locale,
    Currency,
    Country,
    TaxRate,
    TaxSet,
}

impl Kind {
    /// The stored name, also what `host.usage` providers are asked about.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Store => "store",
            Kind::Locale => "locale",
            Kind::Currency => "currency",
            Kind::Country => "country",
            Kind::TaxRate => "tax-rate",
            Kind::TaxSet => "tax-set",
        }
    }

    /// How messages name one record of the kind.
    pub fn label(self) -> &'static str {
        match self {
            Kind::TaxRate => "tax rate",
            Kind::TaxSet => "tax set",
            other => other.key(),
        }
    }
}

/// One field as the pages show it: in the form and as a column of the list.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `number`, `select` or `multi` (several of `options`).
    pub input: &'static str,
    /// The field's current value: text, or a list for `multi`.
    pub value: Value,
    /// For `select` and `multi`: `(value, label)` pairs.
    pub options: Vec<(String, String)>,
    pub help: &'static str,
}

impl Field {
    fn text(name: &'static str, label: &'static str, value: &str, help: &'static str) -> Field {
        Field {
            name,
            label,
            input: "text",
            value: json!(value),
            options: Vec::new(),
            help,
        }
    }

    fn choice(
        name: &'static str,
        label: &'static str,
        value: Value,
        options: Vec<(String, String)>,
        help: &'static str,
    ) -> Field {
        let input = if value.is_array() { "multi" } else { "select" };
        Field {
            name,
            label,
            input,
            value,
            options,
            help,
        }
    }
}

/// The accessors every kind writes alike: its `code` and `name` fields, and its list in the
/// snapshot.
macro_rules! accessors {
    ($list:ident) => {
        fn code(&self) -> &str {
            &self.code
        }
        fn name(&self) -> &str {
            &self.name
        }
        fn all(ctx: &Snapshot) -> &[Self] {
            &ctx.$list
        }
    };
}

/// A kind of record of the shop's context.
pub trait Setting: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    const KIND: Kind;
    /// The page's path segment, e.g. `tax-sets` in `/admin/settings/tax-sets/index`.
    const CONTROLLER: &'static str;
    /// The page's title.
    const TITLE: &'static str;
    /// What the page explains above the list.
    const INTRO: &'static str;
    /// What a create or edit posts.
    type Form: DeserializeOwned + Send;

    fn code(&self) -> &str;
    fn name(&self) -> &str;
    /// Every record of the kind in `ctx`, ordered by code.
    fn all(ctx: &Snapshot) -> &[Self];
    /// Checks `form` against the rest of the context; the record to store. On edit, `code` is
    /// the edited record's (codes never change: other records and sections refer to them).
    fn from_form(form: Self::Form, code: Option<&str>, ctx: &Snapshot) -> Result<Self, Invalid>;
    /// The records of the context that refer to this one, named for a message.
    fn referenced_by(&self, ctx: &Snapshot) -> Vec<String>;
    /// The fields of `record` (or of an empty form) as the pages show them.
    fn fields(record: Option<&Self>, ctx: &Snapshot) -> Vec<Field>;
}

/// A code of `len` characters matching `shape` (e.g. upper-case letters); `what` describes the
/// shape for the message.
fn code(
    label: &str,
    value: &str,
    lens: std::ops::RangeInclusive<usize>,
    shape: impl Fn(char) -> bool,
    what: &str,
) -> Result<String, Invalid> {
    let value = value.trim();
    if lens.contains(&value.chars().count()) && value.chars().all(shape) {
        Ok(value.to_owned())
    } else {
        Err(Invalid::new(label, format!("{label} must be {what}.")))
    }
}

/// The code of a new record, or the edited one's.
fn new_code(
    form_code: &str,
    editing: Option<&str>,
    check: impl Fn(&str) -> Result<String, Invalid>,
) -> Result<String, Invalid> {
    match editing {
        Some(code) => Ok(code.to_owned()),
        None => check(form_code),
    }
}

/// Checks that every one of `values` is a code among `known`, naming the first that is not.
fn known<'a>(
    label: &str,
    values: impl IntoIterator<Item = &'a String>,
    known: &[impl Setting],
) -> Result<(), Invalid> {
    for value in values {
        if !known.iter().any(|k| k.code() == value) {
            return Err(Invalid::new(
                label,
                format!("{label}: {value} is not defined under Settings."),
            ));
        }
    }
    Ok(())
}

/// `(code, "code — name")` for each record: the options of a select.
fn options(records: &[impl Setting]) -> Vec<(String, String)> {
    records
        .iter()
        .map(|r| (r.code().to_owned(), format!("{} — {}", r.code(), r.name())))
        .collect()
}

/// Labels of the records among `records` for which `uses` holds.
fn referring<S: Setting>(records: &[S], uses: impl Fn(&S) -> bool) -> Vec<String> {
    records
        .iter()
        .filter(|r| uses(r))
        .map(|r| format!("{} {}", S::KIND.label(), r.code()))
        .collect()
}

fn upper(c: char) -> bool {
    c.is_ascii_uppercase()
}

mod currency;
mod named;
mod store;
mod tax;

pub use currency::Currency;
pub use named::{Country, Locale};
pub use store::Store;
pub use tax::{TaxRate, TaxSet};
