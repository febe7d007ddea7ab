//! Discount pages: the list (search `q`, filters `type`, `active`, `valid` now, `store`; sort
//! by name, priority or last change; offset paging), create, edit, activate, deactivate,
//! delete, and the live check of a rule query (`rules/validate`).

use backoffice_sdk::context;
use backoffice_sdk::dates::now;
use backoffice_sdk::prelude::*;
use backoffice_sdk::storage::Query;
use serde::{Deserialize, Serialize};

use crate::input;
use crate::model::{Discount, DiscountData, discounts, store_token};
use crate::query::{self, Kind};

const INDEX: &str = "/admin/discounts/discounts/index";

pub fn routes(router: Router) -> Router {
    router
        .get("discounts", "index", index)
        .get("discounts", "create", new_form)
        .post("discounts", "create", create)
        .get("discounts", "edit", edit_form)
        .post("discounts", "edit", update)
        .post("discounts", "activate", activate)
        .post("discounts", "deactivate", deactivate)
        .post("discounts", "delete", delete)
        .post("rules", "validate", validate)
}

#[derive(Serialize)]
struct IndexContext {
    discounts: Vec<Out<DiscountData>>,
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<&'static str>,
    active: Option<bool>,
    valid: Option<bool>,
    store: Option<String>,
    sort: &'static str,
    dir: &'static str,
    limit: u32,
    offset: u32,
    total: Option<u64>,
}

fn index(req: &Request) -> Reply {
    use backoffice_sdk::input as sdk;
    let kind = sdk::choice(req, "type", &["cart-rule", "voucher"])?;
    let active = sdk::choice(req, "active", &["true", "false"])?.map(|a| a == "true");
    let valid = sdk::choice(req, "valid", &["true", "false"])?.map(|a| a == "true");
    let sort = sdk::choice(req, "sort", &["name", "priority", "updated"])?.unwrap_or("priority");
    let dir = sdk::choice(req, "dir", &["asc", "desc"])?.unwrap_or("asc");
    let limit = sdk::limit(req)?;
    let offset: u32 = match sdk::query(req, "offset") {
        None => 0,
        Some(o) => o
            .parse()
            .map_err(|_| Failure::bad_request("offset must be a whole number"))?,
    };
    let store = sdk::query(req, "store").map(str::to_owned);
    let q = sdk::query(req, "q").map(str::to_owned);
    // The filters every `or` group repeats (a group is a conjunction).
    let common = |mut query: Query<DiscountData>| {
        if let Some(k) = kind {
            query = query.eq("type", k);
        }
        if let Some(a) = active {
            query = query.eq("active", a);
        }
        if let Some(s) = &store {
            query = query.filter("store_index", Op::Contains, store_token(s));
        }
        if let Some(q) = &q {
            query = query.search(q.as_str());
        }
        query
    };
    let t = now();
    let mut query = common(
        discounts()
            .query()
            .limit(limit)
            .offset(offset)
            .count_total(),
    );
    match valid {
        Some(true) => {
            query = query
                .filter("from_at", Op::Lte, t)
                .filter("to_at", Op::Gt, t)
        }
        Some(false) => {
            query = common(query.filter("from_at", Op::Gt, t).or()).filter("to_at", Op::Lte, t)
        }
        None => {}
    }
    let field = match sort {
        "name" => "display_name",
        "updated" => "updated-at",
        other => other,
    };
    query = if dir == "desc" {
        query.sort_desc(field)
    } else {
        query.sort(field)
    };
    let page = query.fetch()?;
    let ctx = IndexContext {
        discounts: page.records.into_iter().map(Out::from).collect(),
        total: page.total,
        q,
        kind,
        active,
        valid,
        store,
        sort,
        dir,
        limit,
        offset,
    };
    Ok(view_or_json(req, "discounts/index.html", "Discounts", &ctx))
}

#[derive(Serialize)]
struct FormContext {
    discount: Option<Out<DiscountData>>,
    action: &'static str,
    stores: Vec<String>,
    currencies: Vec<String>,
    decision_fields: Vec<&'static str>,
    collector_fields: Vec<&'static str>,
}

fn form(req: &Request, discount: Option<Discount>, title: &str) -> Reply {
    let ctx = FormContext {
        action: if discount.is_some() { "edit" } else { "create" },
        discount: discount.map(Out::from),
        stores: context::store_codes(),
        currencies: context::currency_codes(),
        decision_fields: query::field_names(Kind::Decision),
        collector_fields: query::field_names(Kind::Collector),
    };
    Ok(view_or_json(req, "discounts/form.html", title, &ctx))
}

fn new_form(req: &Request) -> Reply {
    form(req, None, "New discount")
}

fn edit_form(req: &Request) -> Reply {
    let d = discounts().load(&backoffice_sdk::input::required_id(req)?)?;
    let title = format!("Discount {}", d.data.display_name);
    form(req, Some(d), &title)
}

fn written(req: &Request, d: Discount, flash: &str) -> Reply {
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "discount": Out::from(d) }),
        INDEX,
        flash,
    ))
}

fn create(req: &Request) -> Reply {
    let mut data = DiscountData::default();
    input::apply(&Fields::from_request(req)?, &mut data, true)?;
    written(req, discounts().add(&data)?, "Discount created")
}

fn update(req: &Request) -> Reply {
    use backoffice_sdk::input as sdk;
    let current = discounts().load_version(&sdk::required_id(req)?, sdk::version(req)?)?;
    let mut data = current.data.clone();
    input::apply(&Fields::from_request(req)?, &mut data, false)?;
    written(req, discounts().update(&current, &data)?, "Discount saved")
}

fn set_active(req: &Request, active: bool) -> Reply {
    let current = discounts().load(&backoffice_sdk::input::required_id(req)?)?;
    let mut data = current.data.clone();
    data.active = active;
    let verb = if active { "activate" } else { "deactivate" };
    let d = discounts().change(verb, &current, &data)?;
    written(
        req,
        d,
        if active {
            "Discount activated"
        } else {
            "Discount deactivated"
        },
    )
}

fn activate(req: &Request) -> Reply {
    set_active(req, true)
}

fn deactivate(req: &Request) -> Reply {
    set_active(req, false)
}

fn delete(req: &Request) -> Reply {
    let d = discounts().load(&backoffice_sdk::input::required_id(req)?)?;
    discounts().remove(&d)?;
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "deleted": d.id }),
        INDEX,
        "Discount deleted",
    ))
}

#[derive(Deserialize)]
struct Validate {
    query: String,
    kind: Kind,
}

/// `{"query", "kind"}` → `{"valid": true}` or `{"valid": false, "error": {position, message}}`.
fn validate(req: &Request) -> Reply {
    let v: Validate = req.json()?;
    Ok(match query::parse(&v.query, v.kind) {
        Ok(_) => json(&serde_json::json!({"valid": true})),
        Err(error) => json(&serde_json::json!({"valid": false, "error": error})),
    })
}
