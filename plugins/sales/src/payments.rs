//! Payment methods per store: invoice, prepayment and cash on delivery, each with its own order
//! process (`process.rs`, named as the method). An admin activates them per store on the Back
//! Office page `payments/index`; a checkout offers only the methods active in the order's
//! store. Nothing is active until an admin says so: a shop without one takes no order.

use backoffice_sdk::context;
use backoffice_sdk::prelude::*;
use backoffice_sdk::services::audit;
use serde::{Deserialize, Serialize};

/// Every payment method sales knows (code, what shoppers read), in the order offered.
pub const METHODS: &[(&str, &str)] = &[
    ("invoice", "Invoice"),
    ("prepayment", "Prepayment (bank transfer in advance)"),
    ("cash_on_delivery", "Cash on delivery"),
];

/// A payment method as offered and listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payment {
    pub code: &'static str,
    pub name: &'static str,
}

/// Record id = the method's code: the stores it is active in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct Activation {
    stores: Vec<String>,
}

fn activations() -> Collection<Activation> {
    Collection::new("payment_methods")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("payment_methods")
}

/// The stores each method is active in, in [`METHODS`] order.
fn all() -> Result<Vec<(Payment, Vec<String>)>, Failure> {
    let mut out = Vec::new();
    for &(code, name) in METHODS {
        let stores = activations()
            .find(code)?
            .map(|a| a.data.stores)
            .unwrap_or_default();
        out.push((Payment { code, name }, stores));
    }
    Ok(out)
}

/// The methods active in `store`.
pub fn active_in(store: &str) -> Result<Vec<Payment>, Failure> {
    Ok(all()?
        .into_iter()
        .filter(|(_, stores)| stores.iter().any(|s| s == store))
        .map(|(p, _)| p)
        .collect())
}

/// The method `code` when it is active in `store` (none sent: the first active one); 422
/// otherwise, naming what is offered.
pub fn choose(code: &str, store: &str) -> Result<Payment, Failure> {
    let active = active_in(store)?;
    let offered: Vec<&str> = active.iter().map(|p| p.code).collect();
    if active.is_empty() {
        return Err(Failure::unprocessable(format!(
            "no payment method is active in store {store}"
        )));
    }
    if code.is_empty() {
        return Ok(active[0].clone());
    }
    active.into_iter().find(|p| p.code == code).ok_or_else(|| {
        Failure::unprocessable(format!(
            "payment method {code} is not offered in store {store} (offered: {})",
            offered.join(", ")
        ))
    })
}

pub fn routes(router: Router) -> Router {
    router
        .get("payments", "index", index)
        .post("payments", "edit", edit)
}

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    payment: Payment,
    stores: Vec<String>,
}

#[derive(Serialize)]
struct IndexContext {
    methods: Vec<Row>,
    stores: Vec<String>,
}

fn context_of() -> Result<IndexContext, Failure> {
    Ok(IndexContext {
        methods: all()?
            .into_iter()
            .map(|(payment, stores)| Row { payment, stores })
            .collect(),
        stores: context::store_codes(),
    })
}

fn index(req: &Request) -> Reply {
    Ok(view_or_json(
        req,
        "payments/index.html",
        "Payment methods",
        &context_of()?,
    ))
}

/// `{<method code>: [store codes]}` (form: checkboxes named by the method, valued by the
/// store). A method a JSON body leaves out keeps its stores; a form sends every method.
fn edit(req: &Request) -> Reply {
    let fields = Fields::from_request(req)?;
    let known = context::store_codes();
    let mut errors = Errors::new();
    let mut changes = Vec::new();
    for (code, _) in METHODS {
        let Some(stores) = fields.selected(code, &mut errors) else {
            continue;
        };
        for store in &stores {
            if !known.contains(store) {
                errors.add(
                    code,
                    format!(
                        "{code}: store {store} does not exist (under Settings: {})",
                        known.join(", ")
                    ),
                );
            }
        }
        changes.push((*code, stores));
    }
    errors.finish()?;
    for (code, stores) in changes {
        audit("payment-method.edit", code, &stores.join(", "));
        activations().put(code, &Activation { stores })?;
    }
    Ok(json_or_redirect(
        req,
        &context_of()?,
        "/admin/sales/payments/index",
        "Payment methods saved",
    ))
}
