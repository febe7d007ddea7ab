//! The kinds that are a code and a name: locales and countries.

use serde::{Deserialize, Serialize};

use super::super::Snapshot;
use super::{Field, Kind, Setting, code, new_code, referring, upper};
use crate::validate::{self, Invalid};

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

    accessors!(locales);
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

    accessors!(countries);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_codes_are_language_and_territory() {
        assert!(locale_code("de_DE").is_ok());
        for bad in ["de", "DE_de", "de-DE", "deu_DE"] {
            assert!(locale_code(bad).is_err(), "{bad}");
        }
    }
}
