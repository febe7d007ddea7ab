//! The catalog's dashboard widgets: how many products there are and how many are on sale
//! (`products`), and the SKUs running low (`low-stock`). A widget call never writes.

use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::model::products::products;
use crate::model::stock::{self, AvailabilityData, availability};
use crate::model::variants::variants;

pub const PRODUCTS: &str = "products";
pub const LOW_STOCK: &str = "low-stock";
/// Rows the low-stock widget shows.
const LOW_STOCK_ROWS: u32 = 10;

/// Renders widget `name`; a storage failure is an error the host shows in place of it.
pub fn render(name: &str) -> Result<View, String> {
    match name {
        PRODUCTS => counts(),
        LOW_STOCK => low_stock(),
        other => Err(format!("no widget named `{other}`")),
    }
}

fn widget<T: Serialize>(template: &str, title: &str, ctx: &T) -> Result<View, String> {
    Ok(View {
        template: template.into(),
        title: title.into(),
        context: serde_json::to_string(ctx).map_err(|e| e.to_string())?,
    })
}

#[derive(Debug, Serialize)]
struct Counts {
    products: u64,
    active: u64,
    variants: u64,
}

fn counts() -> Result<View, String> {
    let count = |r: Result<u64, StorageError>| r.map_err(|e| format!("cannot count: {e:?}"));
    let counts = Counts {
        products: count(products().query().count())?,
        active: count(products().query().eq("status", "active").count())?,
        variants: count(variants().query().count())?,
    };
    widget("widgets/products.html", "Products", &counts)
}

/// A low-stock SKU as the widget's chart shows it: a bar of `available`, linking to its stock.
#[derive(Debug, Serialize)]
struct LowItem {
    sku: String,
    available: i64,
    href: String,
}

impl From<AvailabilityData> for LowItem {
    fn from(a: AvailabilityData) -> LowItem {
        LowItem {
            href: url::with_param("/admin/catalog/stock/edit", "sku", &a.sku),
            sku: a.sku,
            available: a.available,
        }
    }
}

#[derive(Debug, Serialize)]
struct LowStock {
    items: Vec<LowItem>,
    threshold: i64,
    total: Option<u64>,
}

/// The SKUs with the least available at or under the threshold.
fn low_stock() -> Result<View, String> {
    let threshold = stock::low_stock_threshold();
    let page = stock::low_stock(availability().query(), threshold)
        .limit(LOW_STOCK_ROWS)
        .count_total()
        .fetch()
        .map_err(|e| format!("{e:?}"))?;
    let ctx = LowStock {
        items: page.records.into_iter().map(|r| r.data.into()).collect(),
        threshold,
        total: page.total,
    };
    widget("widgets/low_stock.html", "Low stock", &ctx)
}
