//! The catalog section: abstract products and categories, prices, stock and availability,
//! labels, options and barcodes (issue #5). README.md in this crate is the contract: actions,
//! fields, errors, events.

mod barcode;
mod categories;
mod input;
mod labels;
mod links;
mod options;
mod prices;
mod products;
mod reservations;
mod skus;
mod stock;
mod warehouses;

use backoffice_sdk::prelude::*;

struct Catalog;

fn routes() -> Router {
    let router = categories::routes(products::routes(Router::new()));
    let router = stock::routes(warehouses::routes(prices::routes(router)));
    barcode::routes(options::routes(labels::routes(router)))
}

/// The templates of prices, stock, labels, options and the low-stock widget.
const MORE_TEMPLATES: &[(&str, &str)] = &[
    (
        "prices/index.html",
        include_str!("../templates/prices/index.html"),
    ),
    (
        "prices/form.html",
        include_str!("../templates/prices/form.html"),
    ),
    (
        "warehouses/index.html",
        include_str!("../templates/warehouses/index.html"),
    ),
    (
        "warehouses/form.html",
        include_str!("../templates/warehouses/form.html"),
    ),
    (
        "warehouses/delete.html",
        include_str!("../templates/warehouses/delete.html"),
    ),
    (
        "stock/edit.html",
        include_str!("../templates/stock/edit.html"),
    ),
    (
        "availability/index.html",
        include_str!("../templates/availability/index.html"),
    ),
    (
        "labels/index.html",
        include_str!("../templates/labels/index.html"),
    ),
    (
        "labels/form.html",
        include_str!("../templates/labels/form.html"),
    ),
    (
        "labels/delete.html",
        include_str!("../templates/labels/delete.html"),
    ),
    (
        "labels/preview.html",
        include_str!("../templates/labels/preview.html"),
    ),
    (
        "options/index.html",
        include_str!("../templates/options/index.html"),
    ),
    (
        "options/form.html",
        include_str!("../templates/options/form.html"),
    ),
    (
        "options/value.html",
        include_str!("../templates/options/value.html"),
    ),
    (
        "widgets/low_stock.html",
        include_str!("../templates/widgets/low_stock.html"),
    ),
];

impl Plugin for Catalog {
    fn manifest() -> Manifest {
        let mut manifest = Manifest::new("catalog", "Catalog", env!("CARGO_PKG_VERSION"))
            .describe("Products, categories, prices, stock, labels and options of the shop")
            .nav("Products", "products", "index")
            .nav("Categories", "categories", "index")
            .nav("Availability", "availability", "index")
            .nav("Warehouses", "warehouses", "index")
            .nav("Labels", "labels", "index")
            .nav("Options", "options", "index")
            .acl_from(&routes())
            .acl("widgets", &["low-stock"])
            .widget("low-stock", "Low stock")
            .subscribe(reservations::ORDER_PLACED)
            .subscribe(reservations::ITEMS_RELEASED)
            .collection(products::collection())
            .collection(categories::collection())
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
        for (name, source) in MORE_TEMPLATES {
            manifest = manifest.template(name, source);
        }
        manifest
            .template(
                "products/index.html",
                include_str!("../templates/products/index.html"),
            )
            .template(
                "products/show.html",
                include_str!("../templates/products/show.html"),
            )
            .template(
                "products/form.html",
                include_str!("../templates/products/form.html"),
            )
            .template(
                "categories/index.html",
                include_str!("../templates/categories/index.html"),
            )
            .template(
                "categories/form.html",
                include_str!("../templates/categories/form.html"),
            )
            .template(
                "categories/delete.html",
                include_str!("../templates/categories/delete.html"),
            )
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn on_event(event: Event) -> Result<(), String> {
        reservations::on_event(&event)
    }

    fn widget(name: String) -> Result<View, String> {
        match name.as_str() {
            "low-stock" => stock::low_stock_widget(),
            other => Err(format!("no widget named `{other}`")),
        }
    }
}

backoffice_sdk::export!(Catalog);
