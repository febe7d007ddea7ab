//! Shipment method pages: the list (filters `carrier`, `store`, `active`, `q`; sort by key,
//! name or last change; keyset paging), create, edit and delete. Orders keep a copy of the
//! method they were placed with, so editing or deleting a method never changes a placed order.

use std::collections::BTreeMap;

use backoffice_sdk::context;
use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::list::Listing;
use crate::method_input::{self, gaps};
use crate::model::{CarrierData, Method, MethodData, carriers, methods, store_token};

const INDEX: &str = "/admin/shipping/methods/index";

pub fn routes(router: Router) -> Router {
    router
        .get("methods", "index", index)
        .get("methods", "create", new_form)
        .post("methods", "create", create)
        .get("methods", "edit", edit_form)
        .post("methods", "edit", update)
        .post("methods", "delete", delete)
}

/// A method as listed and answered: its record, its carrier's name, and where it lacks a
/// price (so it is not offered there).
#[derive(Serialize)]
struct MethodView {
    #[serde(flatten)]
    method: Out<MethodData>,
    carrier: String,
    not_offered: Vec<String>,
}

fn carrier_names() -> Result<BTreeMap<String, String>, Failure> {
    Ok(carriers()
        .query()
        .fetch_all()?
        .into_iter()
        .map(|c| (c.id, c.data.name))
        .collect())
}

/// Every carrier, by name, for the filters and the form.
fn carrier_list() -> Result<Vec<Out<CarrierData>>, Failure> {
    Ok(carriers()
        .query()
        .sort("name")
        .fetch_all()?
        .into_iter()
        .map(Out::from)
        .collect())
}

fn view_of(method: impl Into<Out<MethodData>>, names: &BTreeMap<String, String>) -> MethodView {
    let method = method.into();
    MethodView {
        carrier: names
            .get(&method.data.carrier_id)
            .cloned()
            .unwrap_or_default(),
        not_offered: gaps(&method.data),
        method,
    }
}

#[derive(Serialize)]
struct IndexContext {
    methods: Vec<MethodView>,
    carriers: Vec<Out<CarrierData>>,
    stores: Vec<String>,
    carrier: Option<String>,
    store: Option<String>,
    q: Option<String>,
    sort: &'static str,
    #[serde(flatten)]
    listing: Listing,
}

fn index(req: &Request) -> Reply {
    let mut listing = Listing::read(req)?;
    let sort = input::choice(req, "sort", &["key", "name", "updated"])?.unwrap_or("key");
    let stores = context::store_codes();
    let store = input::query(req, "store").map(str::to_owned);
    if let Some(s) = &store
        && !stores.contains(s)
    {
        return Err(Failure::bad_request(format!(
            "store must be one of {}",
            stores.join(", ")
        )));
    }
    let carrier = input::query(req, "carrier").map(str::to_owned);
    let q = input::query(req, "q").map(str::to_owned);
    let mut query = methods().query();
    if let Some(c) = &carrier {
        query = query.eq("carrier_id", c.as_str());
    }
    if let Some(s) = &store {
        query = query.filter("store_index", Op::Contains, store_token(s));
    }
    if let Some(q) = &q {
        query = query.search(q.as_str());
    }
    let field = if sort == "updated" {
        "updated-at"
    } else {
        sort
    };
    let rows = listing.fetch(query, field)?;
    let names = carrier_names()?;
    let ctx = IndexContext {
        methods: rows.into_iter().map(|m| view_of(m, &names)).collect(),
        carriers: carrier_list()?,
        stores,
        carrier,
        store,
        q,
        sort,
        listing,
    };
    Ok(view_or_json(
        req,
        "methods/index.html",
        "Shipment methods",
        &ctx,
    ))
}

/// A store as the form needs it: a price cell per currency it sells in.
#[derive(Serialize)]
struct StoreView {
    code: String,
    name: String,
    currencies: Vec<String>,
}

#[derive(Serialize)]
struct FormContext {
    method: Option<MethodView>,
    action: &'static str,
    carriers: Vec<Out<CarrierData>>,
    stores: Vec<StoreView>,
    currencies: Vec<String>,
    countries: Vec<String>,
    tax_sets: Vec<String>,
    /// Decimals per currency: the form takes and shows amounts in major units.
    digits: std::collections::BTreeMap<String, u8>,
}

fn form(req: &Request, method: Option<Method>, title: &str) -> Reply {
    let names = carrier_names()?;
    let ctx = FormContext {
        action: if method.is_some() { "edit" } else { "create" },
        method: method.map(|m| view_of(m, &names)),
        carriers: carrier_list()?,
        stores: context::stores()
            .into_iter()
            .map(|s| StoreView {
                code: s.code,
                name: s.name,
                currencies: s.currencies,
            })
            .collect(),
        currencies: context::currency_codes(),
        countries: context::countries().into_iter().map(|c| c.code).collect(),
        tax_sets: context::tax_sets().into_iter().map(|s| s.code).collect(),
        digits: backoffice_sdk::money::digits_by_currency(),
    };
    Ok(view_or_json(req, "methods/form.html", title, &ctx))
}

fn new_form(req: &Request) -> Reply {
    form(req, None, "New shipment method")
}

fn edit_form(req: &Request) -> Reply {
    let method = methods().load(&input::required_id(req)?)?;
    let title = format!("Shipment method {}", method.data.key);
    form(req, Some(method), &title)
}

fn written(req: &Request, method: Method, flash: &str) -> Reply {
    let view = view_of(method, &carrier_names()?);
    let flash = match view.not_offered.as_slice() {
        [] => flash.to_owned(),
        gaps => format!(
            "{flash}; not offered for want of a price: {}",
            gaps.join(", ")
        ),
    };
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "method": view }),
        INDEX,
        &flash,
    ))
}

fn create(req: &Request) -> Reply {
    let mut data = MethodData::default();
    method_input::apply(&Fields::from_request(req)?, &mut data, true)?;
    let method = methods().add(&data)?;
    written(req, method, "Shipment method created")
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let current = methods().load_version(&id, input::version(req)?)?;
    let mut data = current.data.clone();
    method_input::apply(&Fields::from_request(req)?, &mut data, false)?;
    let method = methods().update(&current, &data)?;
    written(req, method, "Shipment method saved")
}

fn delete(req: &Request) -> Reply {
    let method = methods().load(&input::required_id(req)?)?;
    methods().remove(&method)?;
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "deleted": method.id }),
        INDEX,
        "Shipment method deleted",
    ))
}
