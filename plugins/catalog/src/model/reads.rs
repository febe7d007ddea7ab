//! The reads that the product and variant rules need, behind one trait so the rules run the
//! same whether their answers come from storage one question at a time ([`Live`], the forms)
//! or from records loaded for a whole chunk of CSV rows at once (the import's
//! `import` chunk, where one query per chunk replaces one per row).

use backoffice_sdk::prelude::*;

use super::categories::categories;
use super::products::{self, Product};
use super::variants::{self, Variant};

/// Questions about other records that validating a product or variant asks.
pub trait Reads {
    /// The abstract product with `sku`, if any.
    fn product_by_sku(&self, sku: &str) -> Result<Option<Product>, Failure>;
    /// The variant with `sku`, if any.
    fn variant_by_sku(&self, sku: &str) -> Result<Option<Variant>, Failure>;
    /// The variants of abstract product `product_id`, by SKU.
    fn variants_of(&self, product_id: &str) -> Result<Vec<Variant>, Failure>;
    /// Whether category `id` exists.
    fn category_exists(&self, id: &str) -> Result<bool, Failure>;
}

/// Asks storage every time: for requests that validate one record.
#[derive(Debug, Clone, Copy)]
pub struct Live;

impl Reads for Live {
    fn product_by_sku(&self, sku: &str) -> Result<Option<Product>, Failure> {
        products::by_sku(sku)
    }

    fn variant_by_sku(&self, sku: &str) -> Result<Option<Variant>, Failure> {
        variants::by_sku(sku)
    }

    fn variants_of(&self, product_id: &str) -> Result<Vec<Variant>, Failure> {
        variants::of_product(product_id)
    }

    fn category_exists(&self, id: &str) -> Result<bool, Failure> {
        Ok(categories().find(id)?.is_some())
    }
}

/// 409 when `sku` is an abstract product's SKU (a variant may not reuse it: stock, prices and
/// orders address sellable SKUs, so abstract and concrete SKUs share one namespace).
pub fn check_not_abstract_sku(reads: &dyn Reads, sku: &str) -> Result<(), Failure> {
    match reads.product_by_sku(sku)? {
        Some(_) => Err(Failure::conflict(format!("SKU {sku} already exists"))),
        None => Ok(()),
    }
}
