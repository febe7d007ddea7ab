//! Companies: list, page (with its units, users and roles), create, rename, status transitions
//! and the active flag.

use backoffice_sdk::prelude::*;
use serde::Serialize;

use super::{load_company, written};
use crate::model::{self, CompanyData, companies, company_users, roles, units};
use crate::rules;

pub const STATUSES: &[&str] = &["pending", "approved", "denied"];
/// The allowed status changes (from, to). A company never goes back to `pending`.
pub const TRANSITIONS: &[(&str, &str)] = &[
    ("pending", "approved"),
    ("pending", "denied"),
    ("approved", "denied"),
    ("denied", "approved"),
];

pub fn routes(router: Router) -> Router {
    router
        .get("companies", "index", index)
        .get("companies", "show", show)
        .get("companies", "create", new_form)
        .post("companies", "create", create)
        .get("companies", "edit", edit_form)
        .post("companies", "edit", update)
        .post("companies", "approve", approve)
        .post("companies", "deny", deny)
        .post("companies", "activate", activate)
        .post("companies", "deactivate", deactivate)
}

#[derive(Debug, Serialize)]
struct IndexContext {
    companies: Vec<Out<CompanyData>>,
    status: Option<&'static str>,
    q: Option<String>,
    statuses: &'static [&'static str],
    total: Option<u64>,
    next: Option<String>,
    limit: u32,
}

fn index(req: &Request) -> Reply {
    let status = input::choice(req, "status", STATUSES)?;
    let limit = input::limit(req)?;
    let mut q = companies().query().sort("name").limit(limit).count_total();
    if let Some(s) = status {
        q = q.eq("status", s);
    }
    let text = input::query(req, "q").map(str::to_owned);
    if let Some(t) = &text {
        q = q.search(t.as_str());
    }
    if let Some(after) = input::query(req, "after") {
        q = q.after(after);
    }
    let page = q.fetch()?;
    let ctx = IndexContext {
        companies: page.records.into_iter().map(Out::from).collect(),
        status,
        q: text,
        statuses: STATUSES,
        total: page.total,
        next: page.next_cursor,
        limit,
    };
    Ok(view_or_json(req, "companies/index.html", "Companies", &ctx))
}

/// A unit with its depth in the tree, parents before children.
#[derive(Debug, Serialize)]
struct UnitRow {
    depth: usize,
    #[serde(flatten)]
    unit: Out<model::UnitData>,
}

#[derive(Debug, Serialize)]
struct UserRow {
    #[serde(flatten)]
    user: Out<model::CompanyUserData>,
    customer_name: String,
}

#[derive(Debug, Serialize)]
struct ShowContext {
    company: Out<CompanyData>,
    transitions: Vec<&'static str>,
    units: Vec<UnitRow>,
    users: Vec<UserRow>,
    roles: Vec<Out<model::RoleData>>,
}

/// Orders units as a tree (depth-first, by name); units whose parent is missing show at the top.
fn tree(mut list: Vec<Record<model::UnitData>>) -> Vec<UnitRow> {
    list.sort_by(|a, b| a.data.name.cmp(&b.data.name));
    let ids: Vec<String> = list.iter().map(|u| u.id.clone()).collect();
    let mut out = Vec::new();
    fn walk(
        parent: &str,
        depth: usize,
        list: &mut Vec<Option<Record<model::UnitData>>>,
        ids: &[String],
        out: &mut Vec<UnitRow>,
    ) {
        for i in 0..list.len() {
            let is_child = list[i].as_ref().is_some_and(|u| {
                u.data.parent_id == parent
                    || (depth == 0 && parent.is_empty() && !ids.contains(&u.data.parent_id))
            });
            if is_child && let Some(unit) = list[i].take() {
                let id = unit.id.clone();
                out.push(UnitRow {
                    depth,
                    unit: unit.into(),
                });
                walk(&id, depth + 1, list, ids, out);
            }
        }
    }
    let mut slots: Vec<Option<Record<model::UnitData>>> = list.into_iter().map(Some).collect();
    walk("", 0, &mut slots, &ids, &mut out);
    out
}

fn show(req: &Request) -> Reply {
    let company = load_company(&input::required_id(req)?)?;
    let unit_list = model::all(&units(), "company_id", &company.id)?;
    let mut users = Vec::new();
    for u in model::all(&company_users(), "company_id", &company.id)? {
        let customer_name = match model::customers().find(&u.data.customer_ref)? {
            Some(c) => format!("{} {}", c.data.first_name, c.data.last_name)
                .trim()
                .to_owned(),
            None => String::new(),
        };
        users.push(UserRow {
            user: u.into(),
            customer_name,
        });
    }
    let role_list = model::all(&roles(), "company_id", &company.id)?;
    let transitions = TRANSITIONS
        .iter()
        .filter(|(from, _)| *from == company.data.status)
        .map(|(_, to)| *to)
        .collect();
    let title = company.data.name.clone();
    let ctx = ShowContext {
        company: company.into(),
        transitions,
        units: tree(unit_list),
        users,
        roles: role_list.into_iter().map(Out::from).collect(),
    };
    Ok(view_or_json(req, "companies/show.html", &title, &ctx))
}

#[derive(Debug, Serialize)]
struct FormContext {
    company: Option<Out<CompanyData>>,
    action: &'static str,
}

fn new_form(req: &Request) -> Reply {
    let ctx = FormContext {
        company: None,
        action: "create",
    };
    Ok(view_or_json(
        req,
        "companies/form.html",
        "New company",
        &ctx,
    ))
}

fn edit_form(req: &Request) -> Reply {
    let company = load_company(&input::required_id(req)?)?;
    let ctx = FormContext {
        company: Some(company.into()),
        action: "edit",
    };
    Ok(view_or_json(
        req,
        "companies/form.html",
        "Edit company",
        &ctx,
    ))
}

fn apply(fields: &Fields, data: &mut CompanyData) -> Result<(), Failure> {
    let mut errors = Errors::default();
    if let Some(name) = fields.text("name", &mut errors) {
        data.name = name;
    }
    if let Some(active) = fields.flag("active", &mut errors) {
        data.active = active;
    }
    rules::TEXT
        .required()
        .check("name", &data.name, &mut errors);
    errors.finish()
}

/// The answer after `company` was written: the record for scripts, its page for browsers.
fn saved(req: &Request, company: Record<CompanyData>, flash: &str) -> Reply {
    let id = company.id.clone();
    Ok(written(req, "company", &id, Out::from(company), flash))
}

/// A new company is `pending` (and active unless the input says otherwise).
fn create(req: &Request) -> Reply {
    let mut data = CompanyData {
        status: "pending".into(),
        active: true,
        created: rules::now(),
        ..CompanyData::default()
    };
    apply(&Fields::from_request(req)?, &mut data)?;
    let company = companies().add(&data)?;
    saved(req, company, "Company created")
}

fn update(req: &Request) -> Reply {
    let current = load_company(&input::required_id(req)?)?;
    input::check_version("the company", input::version(req)?, current.version)?;
    let mut data = current.data.clone();
    apply(&Fields::from_request(req)?, &mut data)?;
    let company = companies().update(&current, &data)?;
    saved(req, company, "Company saved")
}

/// Moves the company to `to` when [`TRANSITIONS`] allows it from its current status; 409
/// naming both otherwise.
fn transition(req: &Request, to: &'static str) -> Reply {
    let current = load_company(&input::required_id(req)?)?;
    let from = current.data.status.clone();
    if !TRANSITIONS.contains(&(from.as_str(), to)) {
        return Err(Failure::conflict(format!(
            "a company cannot go from {from} to {to}"
        )));
    }
    let company = companies().patch(&current.id, &serde_json::json!({ "status": to }))?;
    services::audit(
        &format!("company.{to}"),
        &company.id,
        &format!("{from} → {to}"),
    );
    saved(req, company, &format!("Company {to}"))
}

fn approve(req: &Request) -> Reply {
    transition(req, "approved")
}

fn deny(req: &Request) -> Reply {
    transition(req, "denied")
}

fn set_active(req: &Request, active: bool) -> Reply {
    let current = load_company(&input::required_id(req)?)?;
    let company = companies().patch(&current.id, &serde_json::json!({ "active": active }))?;
    let what = if active {
        "company.activate"
    } else {
        "company.deactivate"
    };
    services::audit(what, &company.id, "");
    let flash = if active {
        "Company activated"
    } else {
        "Company deactivated"
    };
    saved(req, company, flash)
}

fn activate(req: &Request) -> Reply {
    set_active(req, true)
}

fn deactivate(req: &Request) -> Reply {
    set_active(req, false)
}
