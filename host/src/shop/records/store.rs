//! Stores: a shop front with its languages, currencies and countries.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::super::Snapshot;
use super::{Field, Kind, Setting, code, known, new_code, options, upper};
use crate::validate::{self, Invalid};

/// A store: a shop front with its languages, currencies and countries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Store {
    pub code: String,
    pub name: String,
    pub default_locale: String,
    pub locales: Vec<String>,
    pub default_currency: String,
    pub currencies: Vec<String>,
    pub countries: Vec<String>,
    pub timezone: String,
}

/// The store form; lists may be left out (an HTML form sends nothing for no box ticked).
#[derive(Debug, Deserialize)]
pub struct StoreForm {
    #[serde(default)]
    code: String,
    name: String,
    default_locale: String,
    #[serde(default)]
    locales: Vec<String>,
    default_currency: String,
    #[serde(default)]
    currencies: Vec<String>,
    #[serde(default)]
    countries: Vec<String>,
    timezone: String,
}

/// Adds `value` to `list` unless it is there: a default is always one of the offered.
fn with(mut list: Vec<String>, value: &str) -> Vec<String> {
    if !list.iter().any(|v| v == value) {
        list.insert(0, value.to_owned());
    }
    list.dedup();
    list
}

/// An IANA time zone name's shape (`Area/City`, letters, digits, `_`, `-`, `+`, `/`); the name
/// itself is the admin's to get right.
fn timezone(value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-+/".contains(c))
        && (value == "UTC" || value.contains('/'));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(Invalid::new(
            "Time zone",
            "Time zone must be an IANA name such as Europe/Berlin, or UTC.",
        ))
    }
}

impl Setting for Store {
    const KIND: Kind = Kind::Store;
    const CONTROLLER: &'static str = "stores";
    const TITLE: &'static str = "Stores";
    const INTRO: &'static str = "A store is a shop front with its own languages, currencies and the countries it sells to. Sections key per-store data (products' stores, orders) by its code.";
    type Form = StoreForm;

    accessors!(stores);

    fn from_form(form: StoreForm, editing: Option<&str>, ctx: &Snapshot) -> Result<Self, Invalid> {
        let code = new_code(&form.code, editing, |c| {
            code(
                "Code",
                c,
                2..=8,
                |c| upper(c) || c.is_ascii_digit(),
                "2 to 8 upper-case letters or digits, e.g. DE",
            )
        })?;
        let default_locale = form.default_locale.trim().to_owned();
        let default_currency = form.default_currency.trim().to_owned();
        let store = Store {
            code,
            name: validate::text("Name", &form.name, 100)?,
            locales: with(form.locales, &default_locale),
            currencies: with(form.currencies, &default_currency),
            default_locale,
            default_currency,
            countries: form.countries,
            timezone: timezone(&form.timezone)?,
        };
        known("Default locale", [&store.default_locale], &ctx.locales)?;
        known("Locales", &store.locales, &ctx.locales)?;
        known(
            "Default currency",
            [&store.default_currency],
            &ctx.currencies,
        )?;
        known("Currencies", &store.currencies, &ctx.currencies)?;
        known("Countries", &store.countries, &ctx.countries)?;
        Ok(store)
    }

    fn referenced_by(&self, _: &Snapshot) -> Vec<String> {
        Vec::new()
    }

    fn fields(store: Option<&Self>, ctx: &Snapshot) -> Vec<Field> {
        let text = |f: fn(&Store) -> &str| store.map(f).unwrap_or_default();
        let list = |f: fn(&Store) -> &Vec<String>| json!(store.map(f).cloned().unwrap_or_default());
        vec![
            Field::text(
                "code",
                "Code",
                text(|s| &s.code),
                "Upper-case, e.g. DE; cannot change later.",
            ),
            Field::text("name", "Name", text(|s| &s.name), ""),
            Field::choice(
                "default_locale",
                "Default locale",
                json!(text(|s| &s.default_locale)),
                options(&ctx.locales),
                "",
            ),
            Field::choice(
                "locales",
                "Locales",
                list(|s| &s.locales),
                options(&ctx.locales),
                "The default is always included.",
            ),
            Field::choice(
                "default_currency",
                "Default currency",
                json!(text(|s| &s.default_currency)),
                options(&ctx.currencies),
                "",
            ),
            Field::choice(
                "currencies",
                "Currencies",
                list(|s| &s.currencies),
                options(&ctx.currencies),
                "The default is always included.",
            ),
            Field::choice(
                "countries",
                "Countries",
                list(|s| &s.countries),
                options(&ctx.countries),
                "Where the store sells and ships to.",
            ),
            Field::text(
                "timezone",
                "Time zone",
                text(|s| &s.timezone),
                "An IANA name, e.g. Europe/Berlin.",
            ),
        ]
    }
}
