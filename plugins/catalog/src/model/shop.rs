//! What catalog reads of the shop's context (host Settings, WIT `context`): the stores a
//! product can be sold in, the currencies prices are kept in and the tax sets a product is
//! taxed as. Read per call, never copied: a store added under Settings shows in the next form.
//!
//! A plugin instance lives for one call, so each list is read from the host once per call and
//! kept in a `OnceLock` for the rest of it (an import checks thousands of rows against them).

use std::sync::OnceLock;

use backoffice_sdk::context;
use backoffice_sdk::prelude::*;

/// The stores' codes; the first is the shop's default store (the storefront's).
pub fn stores() -> &'static [String] {
    static STORES: OnceLock<Vec<String>> = OnceLock::new();
    STORES.get_or_init(context::store_codes)
}

/// The currencies' codes, in the order of the Settings page.
pub fn currencies() -> &'static [String] {
    static CURRENCIES: OnceLock<Vec<String>> = OnceLock::new();
    CURRENCIES.get_or_init(context::currency_codes)
}

/// The tax sets' codes; the first is what a product without one is taxed as.
pub fn tax_sets() -> &'static [String] {
    static TAX_SETS: OnceLock<Vec<String>> = OnceLock::new();
    TAX_SETS.get_or_init(|| context::tax_sets().into_iter().map(|s| s.code).collect())
}

/// The storefront's store: the shop's default (first) store.
pub fn default_store() -> &'static str {
    stores().first().map_or("", String::as_str)
}

/// 422 naming `field` unless `value` is one of `known` (a list of the shop's codes).
pub fn check(field: &str, value: &str, known: &[String]) -> Result<(), Failure> {
    if known.iter().any(|k| k == value) {
        Ok(())
    } else {
        Err(Failure::unprocessable(format!(
            "{field} {value} does not exist (under Settings: {})",
            known.join(", ")
        )))
    }
}

/// The tax set a product or option group is taxed as: `value` when one is given (checked),
/// else the first tax set.
pub fn tax_set_or_default(value: &str) -> Result<String, Failure> {
    let value = value.trim();
    if value.is_empty() {
        return tax_sets()
            .first()
            .cloned()
            .ok_or_else(|| Failure::unprocessable("no tax set exists: add one under Settings"));
    }
    check("tax_class", value, tax_sets())?;
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn an_unknown_code_is_refused_with_the_known_ones() {
        let known = ["EUR".to_owned(), "CHF".to_owned()];
        assert!(check("currency", "CHF", &known).is_ok());
        assert_eq!(
            check("currency", "GBP", &known).unwrap_err().message,
            "currency GBP does not exist (under Settings: EUR, CHF)"
        );
    }
}
