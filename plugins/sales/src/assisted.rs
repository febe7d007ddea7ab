//! Assisted orders: an admin places an order for a customer picked from the customers section
//! (their email, account and default addresses) or for a guest whose email is typed.

use backoffice_sdk::address::Address;
use backoffice_sdk::prelude::*;
use backoffice_sdk::services::audit;
use serde::{Deserialize, Serialize};

use crate::catalog::DEFAULT_CURRENCY;
use crate::checkout::{self, Placer};
use crate::customers::{self, Customer};
use crate::input;
use crate::model::CartLine;
use crate::orders::{actor, done};

/// The assisted-order form: a customer search (`find`) over the customers section, the picked
/// customer (`customer`, their reference) with their default addresses prefilled, or a guest's
/// typed email (`email`).
#[derive(Serialize)]
struct CreateContext {
    /// Methods offered in the default store and currency (before country and items are known).
    methods: Vec<crate::shipping::Method>,
    payments: Vec<crate::payments::Payment>,
    find: Option<String>,
    /// Customers matching `find`, to pick from.
    matches: Vec<Customer>,
    /// The picked customer (not `customer`: the host's page context has that name).
    picked: Option<Customer>,
    email: Option<String>,
    billing: Option<Address>,
    /// Only when it differs from billing; otherwise the form ships to the billing address.
    shipping: Option<Address>,
}

pub(crate) fn create_form(req: &Request) -> Reply {
    let find = input::param(req, "find");
    let matches = match &find {
        Some(text) => customers::search(text)?,
        None => Vec::new(),
    };
    let picked = input::param(req, "customer")
        .map(|reference| customers::orderable(&reference))
        .transpose()?;
    let (billing, shipping) = match &picked {
        Some(c) => customers::default_addresses(&c.reference)?,
        None => (None, None),
    };
    let store = backoffice_sdk::context::default_store()
        .map(|s| s.code)
        .unwrap_or_default();
    let ctx = CreateContext {
        methods: crate::shipping::methods(&crate::shipping::Question {
            store: &store,
            currency: DEFAULT_CURRENCY,
            country: None,
            subtotal: None,
        }),
        payments: crate::payments::active_in(&store)?,
        shipping: shipping.filter(|s| billing.as_ref() != Some(s)),
        billing,
        email: input::param(req, "email"),
        find,
        matches,
        picked,
    };
    Ok(view_or_json(
        req,
        "orders/create.html",
        "Create an order for a customer",
        &ctx,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssistedJson {
    /// The customers section's reference of the customer ordered for; none for a guest.
    customer: Option<String>,
    items: Vec<CartLine>,
}

/// Lines `SKU quantity` (quantity optional), one per line, from the form's `items` field.
fn lines_from_text(text: &str) -> Result<Vec<CartLine>, Failure> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            let sku = parts.next().unwrap_or_default().to_owned();
            let quantity = match parts.next() {
                None => 1,
                Some(q) => q.parse().map_err(|_| {
                    Failure::unprocessable(format!("items: \"{l}\" must be SKU and a quantity"))
                })?,
            };
            Ok(CartLine { sku, quantity })
        })
        .collect()
}

/// Places an assisted order. For a picked customer the order takes the customer's email and
/// account (so it shows in their "my orders"); a guest's email is typed.
pub(crate) fn create(req: &Request) -> Reply {
    let (customer, lines) = if req.body.is_some() {
        let j = req.json::<AssistedJson>()?;
        let customer = j
            .customer
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        (customer, j.items)
    } else {
        (
            input::param(req, "customer"),
            lines_from_text(req.form("items").unwrap_or(""))?,
        )
    };
    let mut input = input::checkout(req)?;
    let customer = customer
        .map(|reference| customers::orderable(&reference))
        .transpose()?;
    if let Some(c) = &customer {
        input.email = c.email.clone();
    }
    input::check_email(&input.email)?;
    let placer = Placer {
        customer_id: customer.as_ref().map(|c| c.customer_id),
        by: actor(),
        locale: "en".into(),
    };
    let (id, order) = checkout::place(&lines, DEFAULT_CURRENCY, input, &placer)?;
    let whom = match &customer {
        Some(c) => format!("for customer {} ({})", c.reference, order.email),
        None => format!("for guest {}", order.email),
    };
    audit(
        "order.assisted",
        &format!("order {}", order.reference),
        &whom,
    );
    done(req, &id, &format!("Order {} placed", order.reference))
}
