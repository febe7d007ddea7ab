//! The catalog section: abstract products and categories (first slice of issue #5).
//! README.md in this crate is the contract: actions, fields, errors.

mod categories;
mod input;
mod products;

use backoffice_sdk::prelude::*;

struct Catalog;

fn routes() -> Router {
    categories::routes(products::routes(Router::new()))
}

impl Plugin for Catalog {
    fn manifest() -> Manifest {
        Manifest::new("catalog", "Catalog", env!("CARGO_PKG_VERSION"))
            .describe("Products and categories of the shop")
            .nav("Products", "products", "index")
            .nav("Categories", "categories", "index")
            .acl_from(&routes())
            .collection(products::collection())
            .collection(categories::collection())
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
}

backoffice_sdk::export!(Catalog);
