//! Customer addresses: many per customer, at most one default billing and one default shipping
//! address (setting one moves the flag; a customer's first address gets both), every field
//! validated. The Back Office actions are here; the storefront uses the same [`save_new`],
//! [`save`] and [`remove`] for the signed-in customer's own addresses.

use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::customers::{load_customer, show_path};
use crate::model::{self, AddressData, addresses};
use crate::rules;

pub fn routes(router: Router) -> Router {
    router
        .get("addresses", "index", index)
        .get("addresses", "create", new_form)
        .post("addresses", "create", create)
        .get("addresses", "edit", edit_form)
        .post("addresses", "edit", update)
        .post("addresses", "delete", delete)
}

/// Every address of a customer.
pub fn of(customer_ref: &str) -> Result<Vec<Record<AddressData>>, Failure> {
    model::all(&addresses(), "customer_ref", customer_ref)
}

/// Applies the address fields present in `fields` onto `data` and validates them all.
pub fn apply(fields: &Fields, data: &mut AddressData, errors: &mut Errors) {
    let address = &mut data.address;
    let mut set = |name: &str, slot: &mut String| {
        if let Some(v) = fields.text(name, errors) {
            *slot = v;
        }
    };
    set("first_name", &mut address.first_name);
    set("last_name", &mut address.last_name);
    set("company", &mut address.company);
    set("street", &mut address.street);
    set("house_number", &mut address.house_number);
    set("zip", &mut address.zip);
    set("city", &mut address.city);
    set("country", &mut address.country);
    set("phone", &mut address.phone);
    if let Some(b) = fields.flag("default_billing", errors) {
        data.default_billing = b;
    }
    if let Some(b) = fields.flag("default_shipping", errors) {
        data.default_shipping = b;
    }
    let name = rules::NAME.required();
    name.check("first_name", &address.first_name, errors);
    name.check("last_name", &address.last_name, errors);
    rules::TEXT.check("company", &address.company, errors);
    rules::TEXT
        .required()
        .check("street", &address.street, errors);
    input::Text::line(20).check("house_number", &address.house_number, errors);
    rules::zip(errors, &address.zip);
    name.check("city", &address.city, errors);
    address.country = rules::country(errors, &address.country);
    rules::phone(errors, "phone", &address.phone);
}

/// Takes the default flags away from the customer's other addresses when `saved` has them.
fn settle_defaults(saved: &Record<AddressData>) -> Result<(), Failure> {
    if !saved.data.default_billing && !saved.data.default_shipping {
        return Ok(());
    }
    for other in of(&saved.data.customer_ref)? {
        if other.id == saved.id {
            continue;
        }
        let mut changes = serde_json::Map::new();
        if saved.data.default_billing && other.data.default_billing {
            changes.insert("default_billing".into(), false.into());
        }
        if saved.data.default_shipping && other.data.default_shipping {
            changes.insert("default_shipping".into(), false.into());
        }
        if !changes.is_empty() {
            addresses().patch(&other.id, &changes)?;
        }
    }
    Ok(())
}

/// Creates an address of `customer_ref` from `fields`.
pub fn save_new(customer_ref: &str, fields: &Fields) -> Result<Record<AddressData>, Failure> {
    let first = of(customer_ref)?.is_empty();
    let mut data = AddressData {
        customer_ref: customer_ref.to_owned(),
        default_billing: first,
        default_shipping: first,
        ..AddressData::default()
    };
    let mut errors = Errors::default();
    apply(fields, &mut data, &mut errors);
    errors.finish()?;
    let saved = addresses().insert(&data)?;
    settle_defaults(&saved)?;
    Ok(saved)
}

/// Changes an existing address (its owner never changes).
pub fn save(current: Record<AddressData>, fields: &Fields) -> Result<Record<AddressData>, Failure> {
    let mut data = current.data.clone();
    let mut errors = Errors::default();
    apply(fields, &mut data, &mut errors);
    errors.finish()?;
    data.customer_ref = current.data.customer_ref.clone();
    let saved = addresses().save(&current, &data)?;
    settle_defaults(&saved)?;
    Ok(saved)
}

pub fn remove(address: &Record<AddressData>) -> Result<(), Failure> {
    addresses().delete(&address.id)?;
    Ok(())
}

pub fn load_address(id: &str) -> Result<Record<AddressData>, Failure> {
    addresses().load(id)
}

// ---- Back Office ----

#[derive(Debug, Serialize)]
struct IndexContext {
    customer: Out<model::CustomerData>,
    addresses: Vec<Out<AddressData>>,
}

fn index(req: &Request) -> Reply {
    let customer = load_customer(&input::required(req, "customer")?)?;
    let list = of(&customer.id)?.into_iter().map(Out::from).collect();
    let ctx = IndexContext {
        customer: customer.into(),
        addresses: list,
    };
    Ok(view_or_json(req, "addresses/index.html", "Addresses", &ctx))
}

#[derive(Debug, Serialize)]
struct FormContext {
    customer_ref: String,
    address: Option<Out<AddressData>>,
    action: &'static str,
}

fn new_form(req: &Request) -> Reply {
    let customer = load_customer(&input::required(req, "customer")?)?;
    let ctx = FormContext {
        customer_ref: customer.id,
        address: None,
        action: "create",
    };
    Ok(view_or_json(
        req,
        "addresses/form.html",
        "New address",
        &ctx,
    ))
}

fn edit_form(req: &Request) -> Reply {
    let address = load_address(&input::required_id(req)?)?;
    let ctx = FormContext {
        customer_ref: address.data.customer_ref.clone(),
        address: Some(address.into()),
        action: "edit",
    };
    Ok(view_or_json(
        req,
        "addresses/form.html",
        "Edit address",
        &ctx,
    ))
}

fn written(req: &Request, address: Record<AddressData>, flash: &str) -> Response {
    let location = show_path(&address.data.customer_ref);
    let body = serde_json::json!({ "address": Out::from(address) });
    json_or_redirect(req, &body, location, flash)
}

fn create(req: &Request) -> Reply {
    let customer = load_customer(&input::required(req, "customer")?)?;
    if customer.data.anonymised {
        return Err(Failure::conflict(
            "an anonymised customer cannot get addresses",
        ));
    }
    let saved = save_new(&customer.id, &Fields::from_request(req)?)?;
    services::audit(
        "address.create",
        &saved.id,
        &format!("customer {}", customer.id),
    );
    Ok(written(req, saved, "Address added"))
}

fn update(req: &Request) -> Reply {
    let current = load_address(&input::required_id(req)?)?;
    input::check_version("the address", input::version(req)?, current.version)?;
    let saved = save(current, &Fields::from_request(req)?)?;
    services::audit(
        "address.edit",
        &saved.id,
        &format!("customer {}", saved.data.customer_ref),
    );
    Ok(written(req, saved, "Address saved"))
}

fn delete(req: &Request) -> Reply {
    let address = load_address(&input::required_id(req)?)?;
    remove(&address)?;
    services::audit(
        "address.delete",
        &address.id,
        &format!("customer {}", address.data.customer_ref),
    );
    if req.wants_json {
        Ok(json(&serde_json::json!({ "deleted": address.id })))
    } else {
        Ok(redirect(show_path(&address.data.customer_ref)).flash("Address deleted"))
    }
}
