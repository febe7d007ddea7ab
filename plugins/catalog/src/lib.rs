//! The catalog section: abstract and concrete products, attributes, categories, search settings
//! and the storefront's catalog pages (issue #5). README.md in this crate is the contract:
//! actions, fields, errors.

mod attributes;
mod categories;
mod csv;
mod dashboard;
mod input;
mod products;
mod search_settings;
mod storefront;
mod transfer;
mod variants;

use backoffice_sdk::prelude::*;

struct Catalog;

fn routes() -> Router {
    let router = products::routes(Router::new());
    let router = transfer::routes(router);
    let router = variants::routes(router);
    let router = attributes::routes(router);
    let router = categories::routes(router);
    let router = search_settings::routes(router);
    storefront::routes(router)
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
    "search/index.html",
    "storefront/category.html",
    "storefront/product.html",
    "storefront/search.html",
    "widgets/products.html",
];

impl Plugin for Catalog {
    fn manifest() -> Manifest {
        let mut manifest = Manifest::new("catalog", "Catalog", env!("CARGO_PKG_VERSION"))
            .describe("Products, variants, attributes, categories and catalog search")
            .nav("Products", "products", "index")
            .nav("Categories", "categories", "index")
            .nav("Attributes", "attributes", "index")
            .nav("Search & filters", "search", "index")
            .acl_from(&routes())
            .collection(products::collection())
            .collection(variants::collection())
            .collection(attributes::collection())
            .collection(categories::collection())
            .collection(search_settings::collection())
            .widget(dashboard::PRODUCTS, "Products");
        for (name, source) in TEMPLATES {
            manifest = manifest.template(name, source);
        }
        manifest
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn widget(name: String) -> Result<View, String> {
        dashboard::render(&name)
    }
}

backoffice_sdk::export!(Catalog);
