//! The catalog's dashboard widget: how many products there are, and how many are on sale.

use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::products::products;
use crate::variants::variants;

pub const PRODUCTS: &str = "products";

#[derive(Debug, Serialize)]
struct Counts {
    products: u64,
    active: u64,
    variants: u64,
}

/// Renders the widget; a storage failure is an error the host shows in place of the widget.
pub fn render() -> Result<View, String> {
    let count = |r: Result<u64, StorageError>| r.map_err(|e| format!("cannot count: {e:?}"));
    let counts = Counts {
        products: count(products().query().count())?,
        active: count(products().query().eq("status", "active").count())?,
        variants: count(variants().query().count())?,
    };
    let context = serde_json::to_string(&counts).map_err(|e| e.to_string())?;
    Ok(View {
        template: "widgets/products.html".into(),
        title: "Products".into(),
        context,
    })
}
