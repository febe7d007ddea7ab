//! The catalog's pages: one module per Back Office controller (plus the storefront routes and
//! the dashboard widgets). A handler reads its input (query, form or JSON through the SDK's
//! `Fields`), calls `crate::model`, and answers a view, JSON or a redirect. Pages depend on
//! the model, never the other way round; no page holds a rule the import or another page
//! would need.

mod attributes;
mod barcodes;
mod categories;
mod facets;
mod images;
mod labels;
mod options;
mod prices;
mod products;
mod search;
mod stock;
mod storefront;
mod transfer;
mod variants;
mod warehouses;
pub mod widgets;

use backoffice_sdk::prelude::*;

/// Every admin and storefront route of the catalog.
pub fn routes() -> Router {
    let router = products::routes(Router::new());
    let router = transfer::routes(variants::routes(router));
    let router = attributes::routes(categories::routes(router));
    let router = stock::routes(warehouses::routes(prices::routes(router)));
    let router = barcodes::routes(options::routes(labels::routes(router)));
    let router = images::routes(router);
    storefront::routes(search::routes(router))
}
