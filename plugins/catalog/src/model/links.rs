//! Which abstract products carry a label or an option group. The product record holds the ids
//! (`label_ids`, `option_group_ids`: what the product list filters on and the storefront
//! reads); `product_links` holds one record per pair, so a label's or group's products are
//! found by an indexed query instead of a scan. Both are written together, only here.

use std::collections::BTreeSet;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::products::{self, Product, ProductData, products};
use super::values;

/// A kind of thing products are linked to.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// Stored in `product_links.kind`.
    pub name: &'static str,
    /// The product field holding the linked ids.
    pub field: &'static str,
    ids: fn(&ProductData) -> &Vec<String>,
}

pub const LABEL: Kind = Kind {
    name: "label",
    field: "label_ids",
    ids: |p| &p.label_ids,
};

pub const OPTION_GROUP: Kind = Kind {
    name: "option_group",
    field: "option_group_ids",
    ids: |p| &p.option_group_ids,
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkData {
    pub kind: String,
    pub target_id: String,
    pub product_id: String,
}

fn links() -> Collection<LinkData> {
    Collection::new("product_links")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("product_links")
        .field(Field::text("kind").indexed())
        .field(Field::text("target_id").indexed())
        .field(Field::text("product_id").indexed())
}

fn link_id(kind: Kind, target: &str, product: &str) -> String {
    format!("{}~{target}~{product}", kind.name)
}

/// The ids of the products linked to `target`.
pub fn product_ids(kind: Kind, target: &str) -> Result<Vec<String>, Failure> {
    let found = links()
        .query()
        .eq("kind", kind.name)
        .eq("target_id", target)
        .fetch_all()?;
    Ok(found.into_iter().map(|l| l.data.product_id).collect())
}

/// The SKUs of the products linked to `target`, sorted.
pub fn skus(kind: Kind, target: &str) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for id in product_ids(kind, target)? {
        if let Some(p) = products().find(&id)? {
            out.push(p.data.sku);
        }
    }
    out.sort();
    Ok(out)
}

/// Makes exactly the products with `skus` (abstract SKUs) carry `target`; 422 `product <sku>
/// does not exist` for an unknown one. Returns how many products changed.
pub fn set_products(kind: Kind, target: &str, skus: &[String]) -> Result<u64, Failure> {
    let mut wanted = BTreeSet::new();
    for sku in skus {
        let product = products::by_sku(sku)?
            .ok_or_else(|| Failure::unprocessable(format!("product {sku} does not exist")))?;
        wanted.insert(product.id);
    }
    let current: BTreeSet<String> = product_ids(kind, target)?.into_iter().collect();
    let mut changed = 0;
    for id in current.difference(&wanted) {
        unlink(kind, target, id)?;
        changed += 1;
    }
    for id in wanted.difference(&current) {
        let product = products().get(id)?;
        let mut ids = (kind.ids)(&product.data).clone();
        if !ids.iter().any(|t| t == target) {
            ids.push(target.to_owned());
        }
        write_ids(kind, &product, &ids)?;
        let data = LinkData {
            kind: kind.name.into(),
            target_id: target.into(),
            product_id: id.clone(),
        };
        links().put(&link_id(kind, target, id), &data)?;
        changed += 1;
    }
    Ok(changed)
}

/// Unlinks every product from `target` (it is being deleted).
pub fn remove_target(kind: Kind, target: &str) -> Result<u64, Failure> {
    let ids = product_ids(kind, target)?;
    for id in &ids {
        unlink(kind, target, id)?;
    }
    Ok(ids.len() as u64)
}

fn unlink(kind: Kind, target: &str, product_id: &str) -> Result<(), Failure> {
    links().delete(&link_id(kind, target, product_id))?;
    if let Some(product) = products().find(product_id)? {
        let ids: Vec<String> = (kind.ids)(&product.data)
            .iter()
            .filter(|t| *t != target)
            .cloned()
            .collect();
        write_ids(kind, &product, &ids)?;
    }
    Ok(())
}

/// Writes the product's ids of `kind`, then its search text (labels are a list filter).
fn write_ids(kind: Kind, product: &Product, ids: &[String]) -> Result<(), Failure> {
    products().patch(
        &product.id,
        &json!({ kind.field: ids, "updated": values::now() }),
    )?;
    products::reindex(&product.id)
}
