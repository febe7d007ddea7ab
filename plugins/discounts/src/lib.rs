//! The discounts section: cart rules with Spryker-compatible decision-rule ("apply when") and
//! collector ("apply to") queries in the Back Office, applied to a cart through sales'
//! extension point `sales.cart-discounts`. README.md in this crate is the contract.

pub mod apply;
mod codes;
mod input;
mod model;
mod pages;
mod provide;
pub mod query;

use backoffice_sdk::prelude::*;

struct Discounts;

fn routes() -> Router {
    codes::routes(pages::routes(Router::new()))
}

/// Bundled templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "discounts/index.html",
        include_str!("../templates/discounts/index.html"),
    ),
    (
        "discounts/form.html",
        include_str!("../templates/discounts/form.html"),
    ),
];

impl Plugin for Discounts {
    fn manifest() -> Manifest {
        Manifest::new("discounts", "Discounts", env!("CARGO_PKG_VERSION"))
            .describe("Cart rules and vouchers with decision-rule and collector queries")
            .nav("Discounts", "discounts", "index")
            .acl_from(&routes())
            .collection(model::discounts_collection())
            .collection(codes::codes_collection())
            .subscribe(codes::PLACED_TOPIC)
            .provides(provide::POINT, 10)
            .templates(TEMPLATES)
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn on_event(event: Event) -> Result<(), String> {
        event.check_source()?;
        match event.topic.as_str() {
            codes::PLACED_TOPIC => codes::order_placed(&event.payload),
            other => Err(format!("no handler for event topic `{other}`")),
        }
    }

    fn provide(point: String, input: String) -> Result<String, String> {
        match point.as_str() {
            provide::POINT => provide::answer(&input),
            _ => Err(format!("extension point `{point}` is not provided")),
        }
    }
}

backoffice_sdk::export!(Discounts);
