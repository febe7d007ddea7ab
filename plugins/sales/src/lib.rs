//! The sales section: storefront cart and checkout, Back Office orders with a per-item state
//! machine (process as data, timeouts through host timers), the order matrix and dashboard
//! widgets. README.md in this crate is the contract: manifest, collections, actions, events,
//! errors.

mod assisted;
mod catalog;
mod checkout;
mod counters;
mod customers;
mod discounts;
mod events;
mod input;
mod matrix;
mod model;
mod notices;
mod orders;
mod payments;
mod process;
mod shipping;
mod stats;
mod stock;
mod storefront;
mod tax;
mod transitions;

use backoffice_sdk::prelude::*;

struct Sales;

fn routes() -> Router {
    let router = orders::routes(Router::new()).get("orders", "matrix", matrix::index);
    storefront::routes(payments::routes(router))
}

/// Bundled templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "orders/index.html",
        include_str!("../templates/orders/index.html"),
    ),
    (
        "orders/show.html",
        include_str!("../templates/orders/show.html"),
    ),
    (
        "orders/address.html",
        include_str!("../templates/orders/address.html"),
    ),
    (
        "orders/address-fields.html",
        include_str!("../templates/orders/address-fields.html"),
    ),
    (
        "orders/create.html",
        include_str!("../templates/orders/create.html"),
    ),
    (
        "orders/matrix.html",
        include_str!("../templates/orders/matrix.html"),
    ),
    (
        "payments/index.html",
        include_str!("../templates/payments/index.html"),
    ),
    (
        "storefront/cart.html",
        include_str!("../templates/storefront/cart.html"),
    ),
    (
        "storefront/checkout.html",
        include_str!("../templates/storefront/checkout.html"),
    ),
    (
        "storefront/confirmation.html",
        include_str!("../templates/storefront/confirmation.html"),
    ),
    (
        "storefront/my-orders.html",
        include_str!("../templates/storefront/my-orders.html"),
    ),
    (
        "widgets/orders-per-day.html",
        include_str!("../templates/widgets/orders-per-day.html"),
    ),
    (
        "widgets/orders-by-state.html",
        include_str!("../templates/widgets/orders-by-state.html"),
    ),
    (
        "widgets/top-products.html",
        include_str!("../templates/widgets/top-products.html"),
    ),
];

impl Plugin for Sales {
    fn manifest() -> Manifest {
        let router = routes();
        let mut m = Manifest::new("sales", "Sales", env!("CARGO_PKG_VERSION"))
            .describe("Carts, checkout, orders and their processes")
            .nav("Orders", "orders", "index")
            .nav("Order matrix", "orders", "matrix")
            .nav("Create order", "orders", "create")
            .nav("Payment methods", "payments", "index")
            .acl_from(&router)
            .acl(
                "widgets",
                &matrix::WIDGETS.iter().map(|w| w.0).collect::<Vec<_>>(),
            )
            .collection(model::orders_collection())
            .collection(model::order_rows_collection())
            .collection(model::carts_collection())
            .collection(stock::collection())
            .collection(checkout::sequences_collection())
            .collection(payments::collection())
            .collection(discounts::uses_collection())
            .invokes(shipping::POINT)
            .invokes(discounts::POINT)
            .subscribe(transitions::TIMEOUT_TOPIC)
            .subscribe(events::ANONYMISED_TOPIC);
        for c in stats::collections() {
            m = m.collection(c);
        }
        for (plugin, collection) in catalog::READS.iter().chain(customers::READS) {
            m = m.reads(plugin, collection);
        }
        for (name, source) in TEMPLATES.iter().chain(notices::TEMPLATES) {
            m = m.template(name, source);
        }
        for (name, title) in matrix::WIDGETS {
            m = m.widget(name, title);
        }
        m
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn on_event(event: Event) -> Result<(), String> {
        event.check_source()?;
        events::handle(event)
    }

    fn widget(name: String) -> Result<View, String> {
        matrix::widget(&name)
    }
}

backoffice_sdk::export!(Sales);
