//! Currencies (ISO 4217).

use serde::{Deserialize, Serialize};

use super::super::Snapshot;
use super::{Field, Kind, Setting, code, new_code, referring, upper};
use crate::validate::{self, Invalid};

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

    accessors!(currencies);
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
