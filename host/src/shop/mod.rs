//! The shop's context, a host service (DESIGN rule 10): stores, locales, currencies,
//! countries, tax rates and tax sets, set up on the Settings pages and read by every plugin
//! through WIT `context`. The host owns them so a store code or a tax set means the same in
//! every section.
//!
//! The whole context is small (tens of records), so it is held in memory as one immutable
//! [`Snapshot`]. Every change moves a version row in the same transaction; [`Shop::current`]
//! compares that one row with the cached snapshot's version, so a change made on any host
//! reaches the next plugin call on every host without a restart.

mod error;
mod money;
pub mod records;
mod store;
pub mod usage;

use std::sync::{Arc, RwLock};

pub use error::ShopError;
pub use money::{format_money, major};
use records::{Country, Currency, Locale, Setting, Store, TaxRate, TaxSet};

use crate::db::Db;

/// The context as of one version: every record of every kind, each list in creation order
/// (the first store is the shop's default).
#[derive(Debug, Default)]
pub struct Snapshot {
    pub version: i64,
    pub stores: Vec<Store>,
    pub locales: Vec<Locale>,
    pub currencies: Vec<Currency>,
    pub countries: Vec<Country>,
    pub tax_rates: Vec<TaxRate>,
    pub tax_sets: Vec<TaxSet>,
}

impl Snapshot {
    pub fn tax_rate(&self, code: &str) -> Option<&TaxRate> {
        self.tax_rates.iter().find(|r| r.code == code)
    }

    pub fn currency(&self, code: &str) -> Option<&Currency> {
        self.currencies.iter().find(|c| c.code == code)
    }

    pub fn store(&self, code: &str) -> Option<&Store> {
        self.stores.iter().find(|s| s.code == code)
    }

    /// The rate (hundredths of a percent) tax set `set` applies in `country`: the set's rate
    /// for that country, else its rate for every country.
    pub fn rate_in(&self, set: &str, country: &str) -> Option<u32> {
        let set = self.tax_sets.iter().find(|s| s.code == set)?;
        let rates: Vec<&TaxRate> = set.rates.iter().filter_map(|r| self.tax_rate(r)).collect();
        let country = country.trim().to_ascii_uppercase();
        rates
            .iter()
            .find(|r| !country.is_empty() && r.country == country)
            .or_else(|| rates.iter().find(|r| r.country.is_empty()))
            .map(|r| r.basis_points)
    }
}

/// The cached context and the way to change it.
#[derive(Debug)]
pub struct Shop {
    db: Db,
    cached: RwLock<Arc<Snapshot>>,
}

impl Shop {
    /// The context of `db`, read on first use (its version -1 is never the database's).
    pub fn new(db: Db) -> Shop {
        let unread = Snapshot {
            version: -1,
            ..Snapshot::default()
        };
        Shop {
            db,
            cached: RwLock::new(Arc::new(unread)),
        }
    }

    /// The context as it is now: the cached snapshot unless the database holds a newer
    /// version (changed here or on another host). One single-row read when nothing changed.
    pub async fn current(&self) -> Result<Arc<Snapshot>, ShopError> {
        let mut conn = self.db.pool().acquire().await?;
        let version = store::version(&mut conn).await?;
        let cached = self.cached();
        if cached.version == version {
            return Ok(cached);
        }
        let fresh = Arc::new(store::load(&mut conn).await?);
        self.keep(&fresh);
        Ok(fresh)
    }

    fn cached(&self) -> Arc<Snapshot> {
        self.cached
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the cache unless it already holds a newer version.
    fn keep(&self, snapshot: &Arc<Snapshot>) {
        let mut cached = self.cached.write().unwrap_or_else(|e| e.into_inner());
        if cached.version < snapshot.version {
            *cached = snapshot.clone();
        }
    }

    /// Creates (`editing` none) or changes the record of `S` a form describes. The form is
    /// checked against the context inside the writing transaction (which first moves the
    /// version row, so concurrent changes queue), so no two admins can leave a store naming a
    /// currency the other just deleted.
    pub async fn save<S: Setting>(
        &self,
        form: S::Form,
        editing: Option<&str>,
        now: i64,
    ) -> Result<S, ShopError> {
        let mut tx = self.db.begin_write().await?;
        store::bump(&mut tx).await?;
        let ctx = store::load(&mut tx).await?;
        let exists = S::all(&ctx).iter().any(|r| Some(r.code()) == editing);
        if editing.is_some() && !exists {
            return Err(ShopError::NotFound {
                kind: S::KIND,
                code: editing.unwrap_or_default().to_owned(),
            });
        }
        let record = S::from_form(form, editing, &ctx)?;
        if editing.is_none() && S::all(&ctx).iter().any(|r| r.code() == record.code()) {
            return Err(ShopError::Taken {
                kind: S::KIND,
                code: record.code().to_owned(),
            });
        }
        let body = serde_json::to_string(&record)?;
        let new = editing.is_none();
        store::write(&mut tx, S::KIND, record.code(), &body, now, new).await?;
        tx.commit().await?;
        self.current().await?;
        Ok(record)
    }

    /// Deletes the record `code` of `S`, refused while another record of the context refers
    /// to it or a section answers `host.usage` with a use (`uses`: what the sections said,
    /// asked by the caller before, outside the transaction; see [`usage`]).
    pub async fn delete<S: Setting>(&self, code: &str, uses: Vec<String>) -> Result<(), ShopError> {
        let mut tx = self.db.begin_write().await?;
        store::bump(&mut tx).await?;
        let ctx = store::load(&mut tx).await?;
        let record = S::all(&ctx)
            .iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| ShopError::NotFound {
                kind: S::KIND,
                code: code.to_owned(),
            })?;
        let mut all = record.referenced_by(&ctx);
        all.extend(uses);
        if !all.is_empty() {
            return Err(ShopError::InUse {
                kind: S::KIND,
                code: code.to_owned(),
                uses: all,
            });
        }
        store::delete(&mut tx, S::KIND, code).await?;
        tx.commit().await?;
        self.current().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(code: &str, country: &str, basis_points: u32) -> TaxRate {
        TaxRate {
            code: code.into(),
            name: code.into(),
            country: country.into(),
            basis_points,
        }
    }

    #[test]
    fn a_country_rate_wins_over_the_rate_for_every_country() {
        let ctx = Snapshot {
            tax_rates: vec![
                rate("de", "DE", 1900),
                rate("all", "", 500),
                rate("at", "AT", 2000),
            ],
            tax_sets: vec![TaxSet {
                code: "standard".into(),
                name: "Standard".into(),
                rates: vec!["de".into(), "all".into()],
            }],
            ..Snapshot::default()
        };
        assert_eq!(ctx.rate_in("standard", "DE"), Some(1900));
        assert_eq!(ctx.rate_in("standard", "de"), Some(1900));
        // AT's rate exists but is not in the set.
        assert_eq!(ctx.rate_in("standard", "AT"), Some(500));
        assert_eq!(ctx.rate_in("standard", ""), Some(500));
        assert_eq!(ctx.rate_in("reduced", "DE"), None);
    }
}
