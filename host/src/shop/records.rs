//! The records of the shop's context and their checks.
//!
//! Each kind is a [`Setting`]: its form, how a form becomes a record (every check names the
//! field it failed on), which other records refer to it, and the fields its pages show. The
//! pages (`web::settings`) and the store (`shop::store`) are written once for all six kinds
//! against this trait.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Snapshot;
use crate::validate::{self, Invalid};

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

    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn all(ctx: &Snapshot) -> &[Self] {
        &ctx.stores
    }

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

/// A locale the shop is translated into.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Locale {
    pub code: String,
    pub name: String,
}

/// The form of the kinds that are a code and a name.
#[derive(Debug, Deserialize)]
pub struct NamedForm {
    #[serde(default)]
    code: String,
    name: String,
}

/// `language_TERRITORY`: two lower-case letters, `_`, two upper-case letters.
fn locale_code(value: &str) -> Result<String, Invalid> {
    let bytes = value.trim().as_bytes();
    let ok = bytes.len() == 5
        && bytes[..2].iter().all(u8::is_ascii_lowercase)
        && bytes[2] == b'_'
        && bytes[3..].iter().all(u8::is_ascii_uppercase);
    if ok {
        Ok(value.trim().to_owned())
    } else {
        Err(Invalid::new(
            "Code",
            "Code must look like de_DE: language, '_', territory.",
        ))
    }
}

impl Setting for Locale {
    const KIND: Kind = Kind::Locale;
    const CONTROLLER: &'static str = "locales";
    const TITLE: &'static str = "Locales";
    const INTRO: &'static str = "The languages (with their territory) the shop is translated into. Stores choose theirs from this list.";
    type Form = NamedForm;

    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn all(ctx: &Snapshot) -> &[Self] {
        &ctx.locales
    }
    fn from_form(form: NamedForm, editing: Option<&str>, _: &Snapshot) -> Result<Self, Invalid> {
        Ok(Locale {
            code: new_code(&form.code, editing, locale_code)?,
            name: validate::text("Name", &form.name, 100)?,
        })
    }
    fn referenced_by(&self, ctx: &Snapshot) -> Vec<String> {
        referring(&ctx.stores, |s| s.locales.contains(&self.code))
    }
    fn fields(locale: Option<&Self>, _: &Snapshot) -> Vec<Field> {
        vec![
            Field::text(
                "code",
                "Code",
                locale.map(|l| l.code.as_str()).unwrap_or_default(),
                "e.g. de_DE; cannot change later.",
            ),
            Field::text(
                "name",
                "Name",
                locale.map(|l| l.name.as_str()).unwrap_or_default(),
                "",
            ),
        ]
    }
}

/// A currency (ISO 4217).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Currency {
    pub code: String,
    pub name: String,
    pub symbol: String,
    pub minor_units: u8,
}

#[derive(Debug, Deserialize)]
pub struct CurrencyForm {
    #[serde(default)]
    code: String,
    name: String,
    symbol: String,
    minor_units: String,
}

impl Setting for Currency {
    const KIND: Kind = Kind::Currency;
    const CONTROLLER: &'static str = "currencies";
    const TITLE: &'static str = "Currencies";
    const INTRO: &'static str = "Currencies prices are kept in. Amounts travel as integers of the minor unit (cents for two minor units).";
    type Form = CurrencyForm;

    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn all(ctx: &Snapshot) -> &[Self] {
        &ctx.currencies
    }
    fn from_form(form: CurrencyForm, editing: Option<&str>, _: &Snapshot) -> Result<Self, Invalid> {
        let minor_units = form
            .minor_units
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|m| *m <= 4)
            .ok_or_else(|| {
                Invalid::new(
                    "Minor units",
                    "Minor units must be a whole number from 0 to 4.",
                )
            })?;
        Ok(Currency {
            code: new_code(&form.code, editing, |c| {
                code(
                    "Code",
                    c,
                    3..=3,
                    upper,
                    "three upper-case letters (ISO 4217), e.g. EUR",
                )
            })?,
            name: validate::text("Name", &form.name, 100)?,
            symbol: validate::text("Symbol", &form.symbol, 8)?,
            minor_units,
        })
    }
    fn referenced_by(&self, ctx: &Snapshot) -> Vec<String> {
        referring(&ctx.stores, |s| s.currencies.contains(&self.code))
    }
    fn fields(currency: Option<&Self>, _: &Snapshot) -> Vec<Field> {
        let text = |f: fn(&Currency) -> &str| currency.map(f).unwrap_or_default();
        let minor = currency.map_or("2".to_owned(), |c| c.minor_units.to_string());
        vec![
            Field::text(
                "code",
                "Code",
                text(|c| &c.code),
                "ISO 4217, e.g. EUR; cannot change later.",
            ),
            Field::text("name", "Name", text(|c| &c.name), ""),
            Field::text("symbol", "Symbol", text(|c| &c.symbol), "e.g. €"),
            Field {
                input: "number",
                ..Field::text(
                    "minor_units",
                    "Minor units",
                    &minor,
                    "Digits after the decimal separator: 2 for EUR, 0 for JPY.",
                )
            },
        ]
    }
}

/// A country (ISO 3166-1 alpha-2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Country {
    pub code: String,
    pub name: String,
}

impl Setting for Country {
    const KIND: Kind = Kind::Country;
    const CONTROLLER: &'static str = "countries";
    const TITLE: &'static str = "Countries";
    const INTRO: &'static str = "Countries stores sell to and tax rates apply in.";
    type Form = NamedForm;

    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn all(ctx: &Snapshot) -> &[Self] {
        &ctx.countries
    }
    fn from_form(form: NamedForm, editing: Option<&str>, _: &Snapshot) -> Result<Self, Invalid> {
        Ok(Country {
            code: new_code(&form.code, editing, |c| {
                code(
                    "Code",
                    c,
                    2..=2,
                    upper,
                    "two upper-case letters (ISO 3166), e.g. DE",
                )
            })?,
            name: validate::text("Name", &form.name, 100)?,
        })
    }
    fn referenced_by(&self, ctx: &Snapshot) -> Vec<String> {
        let mut uses = referring(&ctx.stores, |s| s.countries.contains(&self.code));
        uses.extend(referring(&ctx.tax_rates, |r| r.country == self.code));
        uses
    }
    fn fields(country: Option<&Self>, _: &Snapshot) -> Vec<Field> {
        vec![
            Field::text(
                "code",
                "Code",
                country.map(|c| c.code.as_str()).unwrap_or_default(),
                "ISO 3166 alpha-2, e.g. DE; cannot change later.",
            ),
            Field::text(
                "name",
                "Name",
                country.map(|c| c.name.as_str()).unwrap_or_default(),
                "",
            ),
        ]
    }
}

/// A tax rate: a percentage in one country, or in every country (`country` empty).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaxRate {
    pub code: String,
    pub name: String,
    /// Empty: every country without a rate of its own in the set.
    pub country: String,
    /// Hundredths of a percent: 1900 is 19.00 %.
    pub basis_points: u32,
}

#[derive(Debug, Deserialize)]
pub struct TaxRateForm {
    #[serde(default)]
    code: String,
    name: String,
    #[serde(default)]
    country: String,
    /// A percentage with at most two decimals, e.g. `19` or `7.5`.
    percent: String,
}

/// Hundredths of a percent from `19`, `7.5` or `19.00` (at most two decimals, 0 to 100).
pub fn basis_points(percent: &str) -> Result<u32, Invalid> {
    let refuse = || {
        Invalid::new(
            "Percent",
            "Percent must be a number from 0 to 100 with at most two decimals, e.g. 19 or 7.5.",
        )
    };
    let percent = percent.trim().replace(',', ".");
    let (whole, fraction) = percent.split_once('.').unwrap_or((&percent, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 3
        || fraction.len() > 2
        || !digits(whole)
        || !digits(fraction)
    {
        return Err(refuse());
    }
    let whole: u32 = whole.parse().map_err(|_| refuse())?;
    let fraction: u32 = format!("{fraction:0<2}").parse().map_err(|_| refuse())?;
    let points = whole * 100 + fraction;
    if points > 10_000 {
        return Err(refuse());
    }
    Ok(points)
}

/// `1900` → `19.00`.
pub fn percent(basis_points: u32) -> String {
    format!("{}.{:02}", basis_points / 100, basis_points % 100)
}

/// A lower-case code: letters, digits and `-`, 1 to 32 characters.
fn slug(value: &str) -> Result<String, Invalid> {
    code(
        "Code",
        value,
        1..=32,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
        "1 to 32 lower-case letters, digits or '-', e.g. standard",
    )
}

impl Setting for TaxRate {
    const KIND: Kind = Kind::TaxRate;
    const CONTROLLER: &'static str = "tax-rates";
    const TITLE: &'static str = "Tax rates";
    const INTRO: &'static str = "A rate applies in one country, or in every country that has no rate of its own in the tax set.";
    type Form = TaxRateForm;

    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn all(ctx: &Snapshot) -> &[Self] {
        &ctx.tax_rates
    }
    fn from_form(
        form: TaxRateForm,
        editing: Option<&str>,
        ctx: &Snapshot,
    ) -> Result<Self, Invalid> {
        let rate = TaxRate {
            code: new_code(&form.code, editing, slug)?,
            name: validate::text("Name", &form.name, 100)?,
            country: form.country.trim().to_owned(),
            basis_points: basis_points(&form.percent)?,
        };
        if !rate.country.is_empty() {
            known("Country", [&rate.country], &ctx.countries)?;
        }
        // A set holds one rate per country: moving this rate must not give a set two.
        for set in ctx.tax_sets.iter().filter(|s| s.rates.contains(&rate.code)) {
            let others = set.rates.iter().filter(|r| **r != rate.code);
            if others
                .filter_map(|r| ctx.tax_rate(r))
                .any(|r| r.country == rate.country)
            {
                return Err(Invalid::new(
                    "Country",
                    format!(
                        "Country: tax set {} already has a rate for {}.",
                        set.code,
                        country_label(&rate.country)
                    ),
                ));
            }
        }
        Ok(rate)
    }
    fn referenced_by(&self, ctx: &Snapshot) -> Vec<String> {
        referring(&ctx.tax_sets, |s| s.rates.contains(&self.code))
    }
    fn fields(rate: Option<&Self>, ctx: &Snapshot) -> Vec<Field> {
        let text = |f: fn(&TaxRate) -> &str| rate.map(f).unwrap_or_default();
        let mut countries = vec![(String::new(), "Every country".to_owned())];
        countries.extend(options(&ctx.countries));
        let percent = rate.map(|r| percent(r.basis_points)).unwrap_or_default();
        vec![
            Field::text(
                "code",
                "Code",
                text(|r| &r.code),
                "e.g. de-standard; cannot change later.",
            ),
            Field::text("name", "Name", text(|r| &r.name), ""),
            Field::choice(
                "country",
                "Country",
                json!(text(|r| &r.country)),
                countries,
                "",
            ),
            Field::text(
                "percent",
                "Percent",
                &percent,
                "Up to two decimals, e.g. 19 or 7.5.",
            ),
        ]
    }
}

fn country_label(country: &str) -> &str {
    if country.is_empty() {
        "every country"
    } else {
        country
    }
}

/// A tax set: what products are taxed as, one rate per country.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaxSet {
    pub code: String,
    pub name: String,
    /// Codes of its tax rates.
    pub rates: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct TaxSetForm {
    #[serde(default)]
    code: String,
    name: String,
    #[serde(default)]
    rates: Vec<String>,
}

impl Setting for TaxSet {
    const KIND: Kind = Kind::TaxSet;
    const CONTROLLER: &'static str = "tax-sets";
    const TITLE: &'static str = "Tax sets";
    const INTRO: &'static str = "Products are taxed as a tax set. At checkout the set's rate for the shipping country applies, else its rate for every country. Prices are gross (tax included).";
    type Form = TaxSetForm;

    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn all(ctx: &Snapshot) -> &[Self] {
        &ctx.tax_sets
    }
    fn from_form(
        mut form: TaxSetForm,
        editing: Option<&str>,
        ctx: &Snapshot,
    ) -> Result<Self, Invalid> {
        form.rates.dedup();
        known("Rates", &form.rates, &ctx.tax_rates)?;
        let mut countries = Vec::new();
        for rate in form.rates.iter().filter_map(|r| ctx.tax_rate(r)) {
            if countries.contains(&rate.country.as_str()) {
                return Err(Invalid::new(
                    "Rates",
                    format!(
                        "Rates: two rates for {}; a set holds one rate per country.",
                        country_label(&rate.country)
                    ),
                ));
            }
            countries.push(&rate.country);
        }
        Ok(TaxSet {
            code: new_code(&form.code, editing, slug)?,
            name: validate::text("Name", &form.name, 100)?,
            rates: form.rates,
        })
    }
    fn referenced_by(&self, _: &Snapshot) -> Vec<String> {
        Vec::new()
    }
    fn fields(set: Option<&Self>, ctx: &Snapshot) -> Vec<Field> {
        let rates = ctx
            .tax_rates
            .iter()
            .map(|r| {
                (
                    r.code.clone(),
                    format!(
                        "{} — {} % in {}",
                        r.name,
                        percent(r.basis_points),
                        country_label(&r.country)
                    ),
                )
            })
            .collect();
        vec![
            Field::text(
                "code",
                "Code",
                set.map(|s| s.code.as_str()).unwrap_or_default(),
                "e.g. standard; cannot change later.",
            ),
            Field::text(
                "name",
                "Name",
                set.map(|s| s.name.as_str()).unwrap_or_default(),
                "",
            ),
            Field::choice(
                "rates",
                "Rates",
                json!(set.map(|s| s.rates.clone()).unwrap_or_default()),
                rates,
                "At most one per country, and one for every country.",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_have_at_most_two_decimals_and_stay_within_100() {
        assert_eq!(basis_points("19").unwrap(), 1900);
        assert_eq!(basis_points("7.5").unwrap(), 750);
        assert_eq!(basis_points("7,25").unwrap(), 725);
        assert_eq!(basis_points("100.00").unwrap(), 10_000);
        for bad in ["", "-1", "100.01", "7.125", "abc", "1e2", ".5"] {
            assert!(basis_points(bad).is_err(), "{bad}");
        }
        assert_eq!(percent(1900), "19.00");
        assert_eq!(percent(750), "7.50");
    }

    #[test]
    fn locale_codes_are_language_and_territory() {
        assert!(locale_code("de_DE").is_ok());
        for bad in ["de", "DE_de", "de-DE", "deu_DE"] {
            assert!(locale_code(bad).is_err(), "{bad}");
        }
    }
}
