//! B2B: companies (status pending → approved/denied, active flag), their business units (a
//! tree, with addresses), company users (a customer in a unit, with roles, active flag) and
//! company roles (exactly one default per company that has roles).

mod companies;
mod roles;
mod units;
pub mod users;

use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::model::{
    CompanyData, companies as company_records, company_users, roles as role_records,
    units as unit_records,
};

pub fn routes(router: Router) -> Router {
    users::routes(roles::routes(units::routes(companies::routes(router))))
}

/// The company path of a customer, for the customer page and the data export.
#[derive(Debug, Serialize)]
pub struct Membership {
    pub company_user_id: String,
    pub company_id: String,
    pub company: String,
    pub unit_id: String,
    pub unit: String,
    pub roles: Vec<String>,
    pub active: bool,
}

pub fn membership_of(customer_ref: &str) -> Result<Option<Membership>, Failure> {
    let page = company_users()
        .query()
        .eq("customer_ref", customer_ref)
        .limit(1)
        .fetch()?;
    let Some(user) = page.records.into_iter().next() else {
        return Ok(None);
    };
    let company = company_records().find(&user.data.company_id)?;
    let unit = unit_records().find(&user.data.unit_id)?;
    let mut roles = Vec::new();
    for id in &user.data.role_ids {
        if let Some(r) = role_records().find(id)? {
            roles.push(r.data.name);
        }
    }
    Ok(Some(Membership {
        company_user_id: user.id,
        company_id: user.data.company_id,
        company: company.map(|c| c.data.name).unwrap_or_default(),
        unit_id: user.data.unit_id,
        unit: unit.map(|u| u.data.name).unwrap_or_default(),
        roles,
        active: user.data.active,
    }))
}

/// The company page, where units, users and roles are managed.
pub fn company_path(id: &str) -> String {
    url::with_param("/admin/customers/companies/show", "id", id)
}

/// After a write inside a company: the record as JSON under `key` for scripts, back to the
/// company page for browsers.
pub fn written<T: Serialize>(
    req: &Request,
    key: &str,
    company_id: &str,
    record: T,
    flash: &str,
) -> Response {
    json_or_redirect(
        req,
        &serde_json::json!({ key: record }),
        company_path(company_id),
        flash,
    )
}

/// Loads a company or answers 404.
pub fn load_company(id: &str) -> Result<Record<CompanyData>, Failure> {
    company_records().load(id)
}
