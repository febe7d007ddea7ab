//! Carrier pages: the list (filter `active`, sort by name, paging), create and edit. A carrier
//! is a unique name and an active flag; an inactive carrier's methods are offered nowhere.

use backoffice_sdk::input::Text;
use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::list::Listing;
use crate::model::{CarrierData, carriers};

const NAME: Text = Text::line(100).required();
const INDEX: &str = "/admin/shipping/carriers/index";

pub fn routes(router: Router) -> Router {
    router
        .get("carriers", "index", index)
        .get("carriers", "create", new_form)
        .post("carriers", "create", create)
        .get("carriers", "edit", edit_form)
        .post("carriers", "edit", update)
}

#[derive(Serialize)]
struct IndexContext {
    carriers: Vec<Out<CarrierData>>,
    #[serde(flatten)]
    listing: Listing,
}

fn index(req: &Request) -> Reply {
    let mut listing = Listing::read(req)?;
    let ctx = IndexContext {
        carriers: listing.fetch(carriers().query(), "name")?,
        listing,
    };
    Ok(view_or_json(req, "carriers/index.html", "Carriers", &ctx))
}

#[derive(Serialize)]
struct FormContext {
    carrier: Option<Out<CarrierData>>,
    action: &'static str,
}

fn new_form(req: &Request) -> Reply {
    let ctx = FormContext {
        carrier: None,
        action: "create",
    };
    Ok(view_or_json(req, "carriers/form.html", "New carrier", &ctx))
}

fn edit_form(req: &Request) -> Reply {
    let carrier = carriers().load(&input::required_id(req)?)?;
    let ctx = FormContext {
        carrier: Some(carrier.into()),
        action: "edit",
    };
    Ok(view_or_json(
        req,
        "carriers/form.html",
        "Edit carrier",
        &ctx,
    ))
}

/// Applies the fields sent (a new carrier is active) and checks the result.
fn apply(fields: &Fields, data: &mut CarrierData, creating: bool) -> Result<(), Failure> {
    let mut errors = Errors::new();
    if let Some(name) = fields.text("name", &mut errors) {
        data.name = name;
    }
    let active = fields.checkbox("active", &mut errors);
    data.active = active.unwrap_or(creating || data.active);
    NAME.check("name", &data.name, &mut errors);
    errors.finish()
}

fn create(req: &Request) -> Reply {
    let mut data = CarrierData::default();
    apply(&Fields::from_request(req)?, &mut data, true)?;
    let carrier = Out::from(carriers().add(&data)?);
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "carrier": carrier }),
        INDEX,
        "Carrier created",
    ))
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let current = carriers().load_version(&id, input::version(req)?)?;
    let mut data = current.data.clone();
    apply(&Fields::from_request(req)?, &mut data, false)?;
    let carrier = Out::from(carriers().update(&current, &data)?);
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "carrier": carrier }),
        INDEX,
        "Carrier saved",
    ))
}
