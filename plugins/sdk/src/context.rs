//! The shop's context (WIT `context`): stores, locales, currencies, countries and tax sets as
//! the admin set them up under Settings. Read them here instead of writing constants: a store
//! or currency added in the Back Office then reaches your section's next call.
//!
//! Within one call the host answers from one snapshot, so repeated reads agree with each other
//! and cost no database query after the first.

use crate::bindings::backoffice::plugin::context as wit;

pub use wit::{Country, Currency, Locale, Store, TaxSet};

/// Every store; the first is the shop's default store (the storefront's).
pub fn stores() -> Vec<Store> {
    wit::stores()
}

/// The shop's default store: the first one (none only in a shop without stores).
pub fn default_store() -> Option<Store> {
    stores().into_iter().next()
}

/// The store `code`, if it exists.
pub fn store(code: &str) -> Option<Store> {
    wit::find_store(code)
}

/// The codes of every store, in order (the first is the default).
pub fn store_codes() -> Vec<String> {
    stores().into_iter().map(|s| s.code).collect()
}

/// Every locale.
pub fn locales() -> Vec<Locale> {
    wit::locales()
}

/// The shop's locale codes, in their order.
pub fn locale_codes() -> Vec<String> {
    locales().into_iter().map(|l| l.code).collect()
}

/// The shop locale for a shopper's `asked` locale (the storefront asks in `en`): the same
/// code, else one of the same language (`en` → `en_US`), else the shop's first locale. Every
/// section that shows per-locale texts on the storefront picks them with this, so a shopper
/// reads the same locale in every slot and page.
pub fn shop_locale(asked: &str) -> String {
    let codes = locale_codes();
    let language = |code: &str| code.split(['_', '-']).next().unwrap_or("").to_owned();
    codes
        .iter()
        .find(|c| c.as_str() == asked)
        .or_else(|| codes.iter().find(|c| language(c) == language(asked)))
        .or_else(|| codes.first())
        .cloned()
        .unwrap_or_else(|| asked.to_owned())
}

/// Checks a locale code against the shop's locales (the error names the field `locales`).
pub fn check_locale(code: &str, errors: &mut crate::input::Errors) {
    if !locales().iter().any(|l| l.code == code) {
        errors.add(
            "locales",
            format!("there is no locale {code} in the shop's settings"),
        );
    }
}

/// Whether a record for `stores` (empty: every store) is shown in the storefront's store (the
/// shop's default store).
pub fn in_store(stores: &[String]) -> bool {
    if stores.is_empty() {
        return true;
    }
    default_store().is_some_and(|s| stores.contains(&s.code))
}

/// Every currency.
pub fn currencies() -> Vec<Currency> {
    wit::currencies()
}

/// The codes of every currency, in order.
pub fn currency_codes() -> Vec<String> {
    currencies().into_iter().map(|c| c.code).collect()
}

/// Every country.
pub fn countries() -> Vec<Country> {
    wit::countries()
}

/// Every tax set.
pub fn tax_sets() -> Vec<TaxSet> {
    wit::tax_sets()
}

/// The rate (hundredths of a percent, `1900` = 19 %) the tax set `code` applies in `country`:
/// its rate for the country, else its rate for every country; `None` when it has neither.
pub fn tax_rate(code: &str, country: &str) -> Option<u32> {
    wit::tax_rate(code, country)
}

/// `amount` minor units of `currency` written for `locale` (`12,34 €` for `de_DE`).
pub fn format_money(amount: i64, currency: &str, locale: &str) -> Result<String, String> {
    wit::format_money(amount, currency, locale)
}

/// The tax included in the gross amount `gross` at `basis_points` (hundredths of a percent),
/// rounded half away from zero: `gross * rate / (10000 + rate)`. Prices are gross.
pub fn included_tax(gross: i64, basis_points: u32) -> i64 {
    let rate = i128::from(basis_points);
    let divisor = 10_000 + rate;
    let scaled = i128::from(gross) * rate * 2;
    let rounded = (scaled + scaled.signum() * divisor) / (divisor * 2);
    i64::try_from(rounded).unwrap_or(if gross < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::included_tax;

    #[test]
    fn tax_in_a_gross_amount_is_rounded_half_up() {
        assert_eq!(included_tax(119, 1900), 19);
        assert_eq!(included_tax(1000, 1900), 160); // 159.66
        assert_eq!(included_tax(495, 1900), 79); // 79.03
        assert_eq!(included_tax(1070, 700), 70);
        assert_eq!(included_tax(1200, 2000), 200);
        assert_eq!(included_tax(0, 1900), 0);
        assert_eq!(included_tax(1000, 0), 0);
        assert_eq!(included_tax(-119, 1900), -19);
    }
}
