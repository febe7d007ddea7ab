//! The shipping section: carriers and shipment methods (prices per store and currency, free
//! shipping thresholds, delivery times, availability conditions) in the Back Office, and the
//! methods offered to a cart through sales' extension point `sales.shipment-methods`.
//! README.md in this crate is the contract: manifest, collections, actions, the answer.

mod carriers;
mod list;
mod method_input;
mod methods;
mod model;
mod offers;

use backoffice_sdk::prelude::*;
use backoffice_sdk::url::encode;
use backoffice_sdk::usage::{self, Use, Uses};

struct Shipping;

fn routes() -> Router {
    methods::routes(carriers::routes(Router::new()))
}

/// Bundled templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "carriers/index.html",
        include_str!("../templates/carriers/index.html"),
    ),
    (
        "carriers/form.html",
        include_str!("../templates/carriers/form.html"),
    ),
    (
        "methods/index.html",
        include_str!("../templates/methods/index.html"),
    ),
    (
        "methods/form.html",
        include_str!("../templates/methods/form.html"),
    ),
];

/// The methods that use the host's store or tax set `q.code` (the host asks before a delete).
fn uses(q: &usage::Question) -> Result<Uses, Failure> {
    let mut uses = Uses::default();
    let query = model::methods().query().limit(5).count_total();
    let page = match q.kind.as_str() {
        "store" => query.filter("store_index", Op::Contains, model::store_token(&q.code)),
        "tax-set" => query.eq("tax_set", q.code.as_str()),
        _ => return Ok(uses),
    };
    uses.add(page.fetch()?, |m| Use {
        label: format!("shipment method {}", m.data.key),
        href: Some(format!("/admin/shipping/methods/edit?id={}", encode(&m.id))),
    });
    Ok(uses)
}

impl Plugin for Shipping {
    fn manifest() -> Manifest {
        Manifest::new("shipping", "Shipping", env!("CARGO_PKG_VERSION"))
            .describe("Carriers, shipment methods, prices per store and currency, delivery times")
            .nav("Shipment methods", "methods", "index")
            .nav("Carriers", "carriers", "index")
            .acl_from(&routes())
            .collection(model::carriers_collection())
            .collection(model::methods_collection())
            .provides(offers::POINT, 10)
            .provides(usage::POINT, 0)
            .templates(TEMPLATES)
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn provide(point: String, input: String) -> Result<String, String> {
        match point.as_str() {
            offers::POINT => offers::answer(&input),
            usage::POINT => usage::answer(&input, uses),
            _ => Err(format!("extension point `{point}` is not provided")),
        }
    }
}

backoffice_sdk::export!(Shipping);
