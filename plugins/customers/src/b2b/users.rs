//! Company users: a customer in one business unit of one company (a customer belongs to at most
//! one company), with roles of that company (its default role when none is given) and an
//! active flag.

use backoffice_sdk::prelude::*;

use super::roles::{check_roles, default_of};
use super::units::unit_of;
use super::{load_company, written};
use crate::customers::load_customer;
use crate::model::{CompanyUserData, company_users};

pub fn routes(router: Router) -> Router {
    router
        .post("company-users", "create", create)
        .post("company-users", "edit", update)
        .post("company-users", "delete", delete)
}

/// Roles from the input, or the company's default role when none are given.
fn roles_for(company: &str, given: Option<Vec<String>>) -> Result<Vec<String>, Failure> {
    match given {
        Some(ids) if !ids.is_empty() => {
            check_roles(company, &ids)?;
            Ok(ids)
        }
        _ => Ok(default_of(company)?.into_iter().collect()),
    }
}

fn create(req: &Request) -> Reply {
    let company = load_company(&input::required(req, "company_id")?)?;
    let customer = load_customer(&input::required(req, "customer_ref")?)?;
    if customer.data.anonymised {
        return Err(Failure::conflict(
            "an anonymised customer cannot join a company",
        ));
    }
    let unit = unit_of(&company.id, &input::required(req, "unit_id")?)?;
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::default();
    let active = fields.flag("active", &mut errors).unwrap_or(true);
    let given = fields.list("role_ids", &mut errors);
    errors.finish()?;
    let data = CompanyUserData {
        company_id: company.id.clone(),
        unit_id: unit.id,
        customer_ref: customer.id.clone(),
        role_ids: roles_for(&company.id, given)?,
        active,
    };
    let user = company_users().add(&data)?;
    Ok(written(
        req,
        "company_user",
        &company.id,
        Out::from(user),
        "Company user added",
    ))
}

fn update(req: &Request) -> Reply {
    let current = company_users().load(&input::required_id(req)?)?;
    input::check_version("the company user", input::version(req)?, current.version)?;
    let company = current.data.company_id.clone();
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::default();
    let mut data = current.data.clone();
    if let Some(active) = fields.flag("active", &mut errors) {
        data.active = active;
    }
    let unit = fields.text("unit_id", &mut errors);
    let given = fields.list("role_ids", &mut errors);
    errors.finish()?;
    if let Some(unit) = unit {
        data.unit_id = unit_of(&company, &unit)?.id;
    }
    if fields.has("role_ids") {
        data.role_ids = roles_for(&company, given)?;
    }
    let user = company_users().update(&current, &data)?;
    Ok(written(
        req,
        "company_user",
        &company,
        Out::from(user),
        "Company user saved",
    ))
}

fn delete(req: &Request) -> Reply {
    let user = company_users().load(&input::required_id(req)?)?;
    company_users().remove(&user)?;
    let company = user.data.company_id.clone();
    Ok(written(
        req,
        "deleted",
        &company,
        user.id,
        "Company user removed",
    ))
}

/// Removes the customer from their company, if any (anonymisation).
pub fn remove_customer(customer_ref: &str) -> Result<(), Failure> {
    let page = company_users()
        .query()
        .eq("customer_ref", customer_ref)
        .limit(10)
        .fetch()?;
    for user in page.records {
        company_users().delete(&user.id)?;
    }
    Ok(())
}
