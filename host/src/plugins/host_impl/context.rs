//! `context`: the shop's stores, locales, currencies, countries and tax sets, read-only.
//!
//! A call reads one snapshot ([`CallState::context`]): taken at its first read, so a change
//! saved meanwhile on the Settings pages reaches the next call, never half of this one.

use std::sync::Arc;

use super::trap;
use crate::plugins::bindings::context;
use crate::plugins::call::CallState;
use crate::shop::{Snapshot, format_money, records};

impl CallState {
    async fn snapshot(&mut self) -> wasmtime::Result<Arc<Snapshot>> {
        if let Some(ctx) = &self.context {
            return Ok(ctx.clone());
        }
        let ctx = self
            .shop
            .current()
            .await
            .map_err(|e| trap(&self.label(), e))?;
        self.context = Some(ctx.clone());
        Ok(ctx)
    }
}

fn store(s: &records::Store) -> context::Store {
    context::Store {
        code: s.code.clone(),
        name: s.name.clone(),
        default_locale: s.default_locale.clone(),
        locales: s.locales.clone(),
        default_currency: s.default_currency.clone(),
        currencies: s.currencies.clone(),
        countries: s.countries.clone(),
        timezone: s.timezone.clone(),
    }
}

impl context::Host for CallState {
    async fn stores(&mut self) -> wasmtime::Result<Vec<context::Store>> {
        Ok(self.snapshot().await?.stores.iter().map(store).collect())
    }

    async fn find_store(&mut self, code: String) -> wasmtime::Result<Option<context::Store>> {
        Ok(self.snapshot().await?.store(&code).map(store))
    }

    async fn locales(&mut self) -> wasmtime::Result<Vec<context::Locale>> {
        let ctx = self.snapshot().await?;
        Ok(ctx
            .locales
            .iter()
            .map(|l| context::Locale {
                code: l.code.clone(),
                name: l.name.clone(),
            })
            .collect())
    }

    async fn currencies(&mut self) -> wasmtime::Result<Vec<context::Currency>> {
        let ctx = self.snapshot().await?;
        Ok(ctx
            .currencies
            .iter()
            .map(|c| context::Currency {
                code: c.code.clone(),
                name: c.name.clone(),
                symbol: c.symbol.clone(),
                minor_units: c.minor_units,
            })
            .collect())
    }

    async fn countries(&mut self) -> wasmtime::Result<Vec<context::Country>> {
        let ctx = self.snapshot().await?;
        Ok(ctx
            .countries
            .iter()
            .map(|c| context::Country {
                code: c.code.clone(),
                name: c.name.clone(),
            })
            .collect())
    }

    async fn tax_sets(&mut self) -> wasmtime::Result<Vec<context::TaxSet>> {
        let ctx = self.snapshot().await?;
        Ok(ctx
            .tax_sets
            .iter()
            .map(|s| context::TaxSet {
                code: s.code.clone(),
                name: s.name.clone(),
            })
            .collect())
    }

    async fn tax_rate(&mut self, code: String, country: String) -> wasmtime::Result<Option<u32>> {
        Ok(self.snapshot().await?.rate_in(&code, &country))
    }

    async fn format_money(
        &mut self,
        amount: i64,
        currency: String,
        locale: String,
    ) -> wasmtime::Result<Result<String, String>> {
        let ctx = self.snapshot().await?;
        Ok(match ctx.currency(&currency) {
            Some(c) => Ok(format_money(amount, c, &locale)),
            None => Err(format!("unknown currency {currency:?}")),
        })
    }
}
