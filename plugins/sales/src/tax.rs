//! The tax included in gross prices, from the shop's tax sets (host Settings, WIT `context`):
//! each line at its product's tax set's rate for the shipping country, shipping at its shipment
//! method's tax set's rate there. Prices are gross; net prices are not supported yet.
//!
//! A tax set without a rate for the country (and none for every country) taxes nothing there:
//! the Settings page says so; the order records the rate each item was taxed at.

use backoffice_sdk::context;

/// The rate (hundredths of a percent) a product of `tax_set` is taxed at in `country`; an empty
/// tax set is the shop's first (what catalog defaults to).
pub fn rate(tax_set: &str, country: &str) -> u32 {
    let set = if tax_set.is_empty() {
        context::tax_sets()
            .into_iter()
            .next()
            .map(|s| s.code)
            .unwrap_or_default()
    } else {
        tax_set.to_owned()
    };
    context::tax_rate(&set, country).unwrap_or(0)
}

/// The country a cart's tax is estimated for before an address is known: the default store's
/// first country.
pub fn estimate_country() -> String {
    context::default_store()
        .and_then(|s| s.countries.into_iter().next())
        .unwrap_or_default()
}

/// The rate and the tax of `method`'s price in `country`, at the method's tax set.
pub fn of_shipping(method: &crate::shipping::Method, country: &str) -> (u32, i64) {
    let rate = rate(&method.tax_set, country);
    (rate, context::included_tax(method.price, rate))
}
