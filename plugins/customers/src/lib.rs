//! The customers section: customer accounts, addresses, groups, B2B companies (units, users,
//! roles), data protection, the "new customers" dashboard widget and the storefront's "my
//! account" pages. README.md in this crate is the contract: collections, actions, errors.

mod addresses;
mod assistances;
mod b2b;
mod customers;
mod groups;
mod model;
mod privacy;
mod rules;
mod storefront;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// The host event of a storefront registration.
const REGISTERED: &str = "host.customer-registered";
const WIDGET: &str = "new-customers";
/// The widget counts customers created in this many days.
const WIDGET_DAYS: i64 = 7;

struct Customers;

fn routes() -> Router {
    storefront::routes(privacy::routes(b2b::routes(groups::routes(
        addresses::routes(customers::routes(Router::new())),
    ))))
}

/// Every template, by the name views use.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "customers/index.html",
        include_str!("../templates/customers/index.html"),
    ),
    (
        "customers/show.html",
        include_str!("../templates/customers/show.html"),
    ),
    (
        "customers/form.html",
        include_str!("../templates/customers/form.html"),
    ),
    (
        "customers/link.html",
        include_str!("../templates/customers/link.html"),
    ),
    (
        "addresses/index.html",
        include_str!("../templates/addresses/index.html"),
    ),
    (
        "addresses/form.html",
        include_str!("../templates/addresses/form.html"),
    ),
    (
        "addresses/fields.html",
        include_str!("../templates/addresses/fields.html"),
    ),
    (
        "groups/index.html",
        include_str!("../templates/groups/index.html"),
    ),
    (
        "groups/show.html",
        include_str!("../templates/groups/show.html"),
    ),
    (
        "groups/form.html",
        include_str!("../templates/groups/form.html"),
    ),
    (
        "companies/index.html",
        include_str!("../templates/companies/index.html"),
    ),
    (
        "companies/show.html",
        include_str!("../templates/companies/show.html"),
    ),
    (
        "companies/form.html",
        include_str!("../templates/companies/form.html"),
    ),
    (
        "privacy/index.html",
        include_str!("../templates/privacy/index.html"),
    ),
    (
        "storefront/profile.html",
        include_str!("../templates/storefront/profile.html"),
    ),
    (
        "storefront/addresses.html",
        include_str!("../templates/storefront/addresses.html"),
    ),
    (
        "storefront/privacy.html",
        include_str!("../templates/storefront/privacy.html"),
    ),
    (
        "widgets/new-customers.html",
        include_str!("../templates/widgets/new-customers.html"),
    ),
];

#[derive(Debug, Deserialize)]
struct Registered {
    customer_id: i64,
    email: String,
}

#[derive(Debug, Serialize)]
struct WidgetContext {
    count: u64,
    days: i64,
    latest: Vec<customers::CustomerOut>,
}

impl Plugin for Customers {
    fn manifest() -> Manifest {
        let mut m = Manifest::new("customers", "Customers", env!("CARGO_PKG_VERSION"))
            .describe("Customer accounts, addresses, groups, B2B companies and data protection")
            .nav("Customers", "customers", "index")
            .nav("Customer groups", "groups", "index")
            .nav("Companies", "companies", "index")
            .nav("Data protection", "privacy", "index")
            .acl_from(&routes())
            .subscribe(REGISTERED)
            .reads(assistances::READS.0, assistances::READS.1)
            .widget(WIDGET, "New customers (last 7 days)");
        for c in model::collections() {
            m = m.collection(c);
        }
        m.templates(TEMPLATES)
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    /// `host.customer-registered`: the new account gets its profile (idempotent, so a
    /// redelivery or a first visit that came earlier changes nothing).
    fn on_event(event: Event) -> Result<(), String> {
        event.check_source()?;
        if event.topic != REGISTERED {
            return Err(format!("no handler for event topic `{}`", event.topic));
        }
        let payload: Registered =
            serde_json::from_str(&event.payload).map_err(|e| format!("bad payload: {e}"))?;
        storefront::ensure_profile(payload.customer_id, &payload.email)
            .map(|_| ())
            .map_err(|f| f.message)
    }

    fn widget(name: String) -> Result<View, String> {
        if name != WIDGET {
            return Err(format!("no widget named `{name}`"));
        }
        let since = rules::now() - WIDGET_DAYS * 86_400;
        let page = model::customers()
            .query()
            .filter("created", Op::Gte, since)
            .sort_desc("created")
            .limit(5)
            .count_total()
            .fetch()
            .map_err(|e| format!("{e:?}"))?;
        let ctx = WidgetContext {
            count: page.total.unwrap_or(0),
            days: WIDGET_DAYS,
            latest: page
                .records
                .into_iter()
                .map(customers::CustomerOut::from)
                .collect(),
        };
        match view("widgets/new-customers.html", "New customers", &ctx) {
            Response::View(v) => Ok(v),
            _ => Err("the widget context does not encode".into()),
        }
    }
}

backoffice_sdk::export!(Customers);
