//! The catalog section (issue #5): abstract and concrete products, attributes, categories,
//! prices, stock and availability, labels, options, barcodes, search settings, CSV transfer
//! and the storefront's catalog pages. README.md in this crate is the contract: actions,
//! fields, errors, events.

mod attributes;
mod barcode;
mod categories;
mod csv;
mod dashboard;
mod import;
mod input;
mod labels;
mod links;
mod options;
mod prices;
mod products;
mod reads;
mod reservations;
mod search_settings;
mod skus;
mod stock;
mod storefront;
mod transfer;
mod variants;
mod warehouses;

use backoffice_sdk::prelude::*;

struct Catalog;

fn routes() -> Router {
    let router = products::routes(Router::new());
    let router = transfer::routes(variants::routes(router));
    let router = attributes::routes(categories::routes(router));
    let router = stock::routes(warehouses::routes(prices::routes(router)));
    let router = barcode::routes(options::routes(labels::routes(router)));
    storefront::routes(search_settings::routes(router))
}

/// `(name, source)` of templates under `templates/`, embedded at compile time.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

/// Bundled templates, overridable by a theme as `catalog/<name>`.
const TEMPLATES: &[(&str, &str)] = templates![
    "products/index.html",
    "products/show.html",
    "products/form.html",
    "products/import.html",
    "variants/form.html",
    "attributes/index.html",
    "attributes/form.html",
    "attributes/inputs.html",
    "categories/index.html",
    "categories/form.html",
    "categories/delete.html",
    "categories/products.html",
    "prices/index.html",
    "prices/form.html",
    "warehouses/index.html",
    "warehouses/form.html",
    "warehouses/delete.html",
    "stock/edit.html",
    "availability/index.html",
    "labels/index.html",
    "labels/form.html",
    "labels/delete.html",
    "labels/preview.html",
    "options/index.html",
    "options/form.html",
    "options/value.html",
    "search/index.html",
    "storefront/category.html",
    "storefront/product.html",
    "storefront/search.html",
    "widgets/products.html",
    "widgets/low_stock.html",
];

impl Plugin for Catalog {
    fn manifest() -> Manifest {
        let mut manifest = Manifest::new("catalog", "Catalog", env!("CARGO_PKG_VERSION"))
            .describe("Products, variants, categories, prices, stock, labels, options and search")
            .nav("Products", "products", "index")
            .nav("Categories", "categories", "index")
            .nav("Attributes", "attributes", "index")
            .nav("Availability", "availability", "index")
            .nav("Warehouses", "warehouses", "index")
            .nav("Labels", "labels", "index")
            .nav("Options", "options", "index")
            .nav("Search & filters", "search", "index")
            .acl_from(&routes())
            .acl("widgets", &[dashboard::PRODUCTS, stock::LOW_STOCK_WIDGET])
            .widget(dashboard::PRODUCTS, "Products")
            .widget(stock::LOW_STOCK_WIDGET, "Low stock")
            .subscribe(reservations::ORDER_PLACED)
            .subscribe(reservations::ITEMS_RELEASED)
            .collection(products::collection())
            .collection(variants::collection())
            .collection(attributes::collection())
            .collection(categories::collection())
            .collection(search_settings::collection())
            .collection(prices::collection())
            .collection(warehouses::collection())
            .collection(reservations::collection())
            .collection(labels::collection())
            .collection(links::collection());
        for collection in stock::collections()
            .into_iter()
            .chain(options::collections())
        {
            manifest = manifest.collection(collection);
        }
        for (name, source) in TEMPLATES {
            manifest = manifest.template(name, source);
        }
        manifest
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn on_event(event: Event) -> Result<(), String> {
        reservations::on_event(&event)
    }

    fn widget(name: String) -> Result<View, String> {
        match name.as_str() {
            dashboard::PRODUCTS => dashboard::render(),
            stock::LOW_STOCK_WIDGET => stock::low_stock_widget(),
            other => Err(format!("no widget named `{other}`")),
        }
    }
}

backoffice_sdk::export!(Catalog);
