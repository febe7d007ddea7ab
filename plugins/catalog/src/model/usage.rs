//! Catalog's answers to the host's `host.usage` question (see `backoffice_sdk::usage`): which
//! products sell in a store, which prices are in a currency, which products and option groups
//! are taxed as a tax set, which products show a media file. The host refuses to delete a setting while catalog names a use.

use backoffice_sdk::prelude::*;
use backoffice_sdk::url::encode;
use backoffice_sdk::usage::{Question, Use, Uses};

use super::images;
use super::options::option_groups;
use super::prices::prices;
use super::products::{products, token};

/// Uses listed per kind of record (the rest are counted).
const SHOWN: u32 = 5;

/// The uses of the host record `question` names.
pub fn answer(question: &Question) -> Result<Uses, Failure> {
    let code = question.code.as_str();
    let mut uses = Uses::default();
    let product = |r: &Record<super::products::ProductData>| Use {
        label: format!("product {}", r.data.sku),
        href: Some(format!("/admin/catalog/products/show?id={}", encode(&r.id))),
    };
    match question.kind.as_str() {
        "store" => uses.add(
            products()
                .query()
                .search(token('s', code))
                .limit(SHOWN)
                .count_total()
                .fetch()?,
            product,
        ),
        "tax-set" => {
            uses.add(
                products()
                    .query()
                    .eq("tax_class", code)
                    .limit(SHOWN)
                    .count_total()
                    .fetch()?,
                product,
            );
            uses.add(
                option_groups()
                    .query()
                    .eq("tax_class", code)
                    .limit(SHOWN)
                    .count_total()
                    .fetch()?,
                |r| Use {
                    label: format!("option group {}", r.data.name),
                    href: Some(format!("/admin/catalog/options/edit?id={}", encode(&r.id))),
                },
            );
        }
        "currency" => uses.add(
            prices()
                .query()
                .eq("currency", code)
                .limit(SHOWN)
                .count_total()
                .fetch()?,
            |r| Use {
                label: format!("price of {}", r.data.sku),
                href: Some(format!(
                    "/admin/catalog/prices/index?sku={}",
                    encode(&r.data.sku)
                )),
            },
        ),
        "media" => images::add_uses(&mut uses, code)?,
        _ => {}
    }
    Ok(uses)
}
