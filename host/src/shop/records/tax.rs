//! Tax rates and tax sets.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::super::Snapshot;
use super::{Field, Kind, Setting, code, known, new_code, options, referring};
use crate::validate::{self, Invalid};

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

    accessors!(tax_rates);
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

    accessors!(tax_sets);
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
}
