//! The catalog section (issue #5): abstract and concrete products, attributes, categories,
//! prices, stock and availability, labels, options, barcodes, search settings, CSV transfer
//! and the storefront's catalog pages. README.md in this crate is the contract: actions,
//! fields, errors, events.
//!
//! Two layers: `model` (records, rules, reads; no request or response) under `pages`
//! (handlers and forms, one module per controller). This file only assembles the manifest.

mod model;
mod pages;

use backoffice_sdk::prelude::*;

use model::{
    attributes, categories, images, labels, links, options, prices, products, reservations,
    search_settings, stock, usage, variants, warehouses,
};
use pages::{routes, widgets};

struct Catalog;

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
    "images/form.html",
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
            .acl("widgets", &[widgets::PRODUCTS, widgets::LOW_STOCK])
            .widget(widgets::PRODUCTS, "Products")
            .widget(widgets::LOW_STOCK, "Low stock")
            .subscribe(reservations::ORDER_PLACED)
            .subscribe(reservations::ITEMS_RELEASED)
            .provides(backoffice_sdk::usage::POINT, 0)
            .collection(products::collection())
            .collection(variants::collection())
            .collection(attributes::collection())
            .collection(categories::collection())
            .collection(search_settings::collection())
            .collection(prices::collection())
            .collection(warehouses::collection())
            .collection(reservations::collection())
            .collection(labels::collection())
            .collection(links::collection())
            .collection(images::collection());
        for collection in stock::collections()
            .into_iter()
            .chain(options::collections())
        {
            manifest = manifest.collection(collection);
        }
        manifest.templates(TEMPLATES)
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn on_event(event: Event) -> Result<(), String> {
        event.check_source()?;
        reservations::on_event(&event)
    }

    fn widget(name: String) -> Result<View, String> {
        widgets::render(&name)
    }

    fn provide(point: String, input: String) -> Result<String, String> {
        match point.as_str() {
            backoffice_sdk::usage::POINT => backoffice_sdk::usage::answer(&input, usage::answer),
            _ => Err(format!("catalog does not provide {point}")),
        }
    }
}

backoffice_sdk::export!(Catalog);
