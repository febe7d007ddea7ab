//! Which SKU is what: the one place that answers "does this SKU exist, which abstract product
//! does it belong to". Prices, stock and labels ask here.

use backoffice_sdk::prelude::*;

use super::products::{self, Product, products};
use super::variants;

/// A SKU known to the catalog.
#[derive(Debug, Clone)]
pub struct SkuInfo {
    pub sku: String,
    /// The abstract product: the SKU's own product, or a variant's parent.
    pub product: Product,
    /// True when `sku` is the abstract product's own SKU.
    pub is_abstract: bool,
}

impl SkuInfo {
    /// The abstract product's SKU, where prices fall back to.
    pub fn abstract_sku(&self) -> &str {
        &self.product.data.sku
    }
}

/// What `sku` is — an abstract product's SKU or a variant's — or `None` when unknown.
pub fn find(sku: &str) -> Result<Option<SkuInfo>, Failure> {
    if let Some(product) = products::by_sku(sku)? {
        return Ok(Some(SkuInfo {
            sku: sku.to_owned(),
            product,
            is_abstract: true,
        }));
    }
    match variants::by_sku(sku)? {
        Some(variant) => Ok(Some(SkuInfo {
            sku: sku.to_owned(),
            product: products().load(&variant.data.abstract_id)?,
            is_abstract: false,
        })),
        None => Ok(None),
    }
}

/// Like [`find`], but 404 `SKU <sku> not found` when unknown (and 422 for a malformed SKU).
pub fn require(sku: &str) -> Result<SkuInfo, Failure> {
    products::check_sku(sku)?;
    find(sku)?.ok_or_else(|| Failure::not_found(format!("SKU {sku} not found")))
}
