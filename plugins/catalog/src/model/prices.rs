//! Prices per SKU and currency (shared collection `prices`, see the cross-section contract):
//! default and original (strike-through) price, gross and net, and volume tiers. Owns the list
//! of currencies. Pages, the product rules, the CSV import and the storefront call [`set`],
//! [`remove`] and [`resolve`]; nothing else writes `prices`.
//!
//! An abstract product's record also carries a copy of its default prices (`products.prices`,
//! and `products.price` for the default currency, indexed for sorting): [`set`] and [`remove`]
//! keep that copy in step, in the same transaction.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::products::{DEFAULT_CURRENCY, Price, products};
use super::shop;
use super::skus::{self, SkuInfo};
use super::values;

/// A volume price: from `quantity` items on, each costs `gross` (and `net`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeTier {
    pub quantity: i64,
    pub gross: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<i64>,
}

/// The prices of one SKU in one currency, in cents, without the key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceSpec {
    pub gross: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_gross: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_net: Option<i64>,
    /// Ascending by quantity, quantities unique and greater than 1.
    pub volume: Vec<VolumeTier>,
}

/// A record of `prices`: id `<sku>~<currency>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceData {
    pub sku: String,
    pub currency: String,
    #[serde(flatten)]
    pub spec: PriceSpec,
}

pub type PriceRecord = Record<PriceData>;

pub fn prices() -> Collection<PriceData> {
    Collection::new("prices")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("prices")
        .field(Field::text("sku").indexed())
        .field(Field::text("currency"))
        .shared()
}

/// The record id of `sku`'s price in `currency`.
pub fn record_id(sku: &str, currency: &str) -> String {
    format!("{sku}~{currency}")
}

/// 422 unless `currency` is one of the shop's currencies (host Settings).
pub fn check_currency(currency: &str) -> Result<(), Failure> {
    shop::check("currency", currency, shop::currencies())
}

impl PriceSpec {
    /// 422 on negative amounts or volume tiers that are not unique, > 1 and ascending.
    pub fn check(&self) -> Result<(), Failure> {
        let amounts = [
            ("gross", Some(self.gross)),
            ("net", self.net),
            ("original_gross", self.original_gross),
            ("original_net", self.original_net),
        ];
        for (field, cents) in amounts {
            if cents.is_some_and(|c| c < 0) {
                return Err(values::cents_error(field));
            }
        }
        let mut previous = 1;
        for tier in &self.volume {
            if tier.quantity <= 1 {
                return Err(Failure::unprocessable(
                    "volume quantities must be integers greater than 1",
                ));
            }
            if tier.quantity <= previous {
                return Err(Failure::unprocessable(format!(
                    "volume quantities must be unique and ascending ({} after {previous})",
                    tier.quantity
                )));
            }
            previous = tier.quantity;
            if tier.gross < 0 {
                return Err(values::cents_error("volume gross"));
            }
            if tier.net.is_some_and(|c| c < 0) {
                return Err(values::cents_error("volume net"));
            }
        }
        Ok(())
    }

    /// The unit price for `quantity` items: the largest volume tier it reaches, else the
    /// default price.
    pub fn unit_for(&self, quantity: i64) -> Price {
        match self.volume.iter().rev().find(|t| t.quantity <= quantity) {
            Some(tier) => Price {
                gross: tier.gross,
                net: tier.net,
            },
            None => Price {
                gross: self.gross,
                net: self.net,
            },
        }
    }
}

/// `sku`'s price in `currency`, if it has its own.
pub fn get(sku: &str, currency: &str) -> Result<Option<PriceRecord>, Failure> {
    Ok(prices().find(&record_id(sku, currency))?)
}

/// Every price record of `sku`, in the order of the shop's currencies.
pub fn of_sku(sku: &str) -> Result<Vec<PriceRecord>, Failure> {
    let mut out = Vec::new();
    for currency in shop::currencies() {
        if let Some(record) = get(sku, currency)? {
            out.push(record);
        }
    }
    Ok(out)
}

/// Sets (creates or replaces) `sku`'s price in `currency` after checking the currency, the
/// amounts and that the catalog knows the SKU (404 `SKU <sku> not found`). For an abstract
/// product, its record's copy (`prices`, and `price` for the default currency) follows.
pub fn set(sku: &str, currency: &str, spec: PriceSpec) -> Result<PriceRecord, Failure> {
    check_currency(currency)?;
    spec.check()?;
    let info = skus::require(sku)?;
    let record = write(sku, currency, spec)?;
    if info.is_abstract {
        mirror(&info, currency, Some(&record.data.spec))?;
    }
    Ok(record)
}

/// Removes `sku`'s price in `currency`: 404 when it has none; 422 for an abstract product's
/// default-currency price (a product always has one; change it instead).
pub fn remove(sku: &str, currency: &str) -> Result<(), Failure> {
    check_currency(currency)?;
    let info = skus::require(sku)?;
    if info.is_abstract && currency == DEFAULT_CURRENCY {
        return Err(Failure::unprocessable(format!(
            "a product's {DEFAULT_CURRENCY} price cannot be removed; change it instead"
        )));
    }
    match prices().delete(&record_id(sku, currency)) {
        Ok(()) => {}
        Err(StorageError::NotFound) => {
            return Err(Failure::not_found(format!(
                "SKU {sku} has no {currency} price"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    if info.is_abstract {
        mirror(&info, currency, None)?;
    }
    Ok(())
}

/// The price of one unit of a sellable SKU in `currency` when `quantity` are bought.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    /// The SKU whose record was used: the SKU itself, or its abstract product's.
    pub from_sku: String,
    pub currency: String,
    pub quantity: i64,
    /// The unit price after volume tiers.
    pub unit: Price,
    /// The strike-through price, when set.
    pub original: Option<Price>,
}

/// The unit price of `sku` for `quantity` items in `currency`: its own record, else its
/// abstract product's, with the volume tier `quantity` reaches. `None` when neither has a
/// price in that currency (or the SKU is unknown).
pub fn resolve(sku: &str, currency: &str, quantity: i64) -> Result<Option<Resolved>, Failure> {
    let mut record = get(sku, currency)?;
    if record.is_none()
        && let Some(info) = skus::find(sku)?
        && !info.is_abstract
    {
        record = get(info.abstract_sku(), currency)?;
    }
    Ok(record.map(|r| {
        let spec = &r.data.spec;
        Resolved {
            from_sku: r.data.sku.clone(),
            currency: currency.to_owned(),
            quantity,
            unit: spec.unit_for(quantity),
            original: spec.original_gross.map(|gross| Price {
                gross,
                net: spec.original_net,
            }),
        }
    }))
}

/// Called by the product form after it saved the product: the product's default-currency
/// gross and net go into its `prices` record; original price and volume tiers stay.
pub fn store_default(sku: &str, price: &Price) -> Result<(), Failure> {
    let mut spec = get(sku, DEFAULT_CURRENCY)?
        .map(|r| r.data.spec)
        .unwrap_or_default();
    spec.gross = price.gross;
    spec.net = price.net;
    spec.check()?;
    write(sku, DEFAULT_CURRENCY, spec)?;
    Ok(())
}

/// Moves every price record of `old` to `new` (a product's SKU was renamed).
pub fn rename_sku(old: &str, new: &str) -> Result<(), Failure> {
    for record in of_sku(old)? {
        prices().delete(&record.id)?;
        write(new, &record.data.currency, record.data.spec)?;
    }
    Ok(())
}

fn write(sku: &str, currency: &str, spec: PriceSpec) -> Result<PriceRecord, Failure> {
    let data = PriceData {
        sku: sku.to_owned(),
        currency: currency.to_owned(),
        spec,
    };
    Ok(prices().put(&record_id(sku, currency), &data)?)
}

/// Keeps the abstract product's copy of its prices in step (`None`: removed).
fn mirror(info: &SkuInfo, currency: &str, spec: Option<&PriceSpec>) -> Result<(), Failure> {
    let price = spec.map(|s| json!({"gross": s.gross, "net": s.net}));
    let mut changes = json!({"prices": {currency: price}, "updated": values::now()});
    if currency == DEFAULT_CURRENCY
        && let Some(spec) = spec
    {
        changes["price"] = json!(spec.gross);
    }
    products().patch(&info.product.id, &changes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(quantity: i64, gross: i64) -> VolumeTier {
        VolumeTier {
            quantity,
            gross,
            net: None,
        }
    }

    #[test]
    fn volume_tiers_must_be_unique_ascending_and_above_one() {
        let mut spec = PriceSpec {
            gross: 1000,
            net: Some(840),
            volume: vec![tier(5, 900), tier(10, 800)],
            ..PriceSpec::default()
        };
        assert!(spec.check().is_ok());
        spec.volume = vec![tier(10, 800), tier(5, 900)];
        assert_eq!(
            spec.check().unwrap_err().message,
            "volume quantities must be unique and ascending (5 after 10)"
        );
        spec.volume = vec![tier(5, 900), tier(5, 800)];
        assert_eq!(spec.check().unwrap_err().status, 422);
        spec.volume = vec![tier(1, 900)];
        assert_eq!(
            spec.check().unwrap_err().message,
            "volume quantities must be integers greater than 1"
        );
        spec.volume = vec![tier(2, -1)];
        assert_eq!(
            spec.check().unwrap_err().message,
            "volume gross must be a non-negative integer of minor units (cents)"
        );
    }

    #[test]
    fn the_unit_price_follows_the_largest_tier_reached() {
        let spec = PriceSpec {
            gross: 1000,
            net: Some(840),
            volume: vec![tier(5, 900), tier(10, 800)],
            ..PriceSpec::default()
        };
        assert_eq!(spec.unit_for(1).gross, 1000);
        assert_eq!(spec.unit_for(1).net, Some(840));
        assert_eq!(spec.unit_for(4).gross, 1000);
        assert_eq!(spec.unit_for(5).gross, 900);
        assert_eq!(spec.unit_for(5).net, None);
        assert_eq!(spec.unit_for(9).gross, 900);
        assert_eq!(spec.unit_for(100).gross, 800);
    }
}
