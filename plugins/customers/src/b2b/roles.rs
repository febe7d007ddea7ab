//! Company roles. A company that has roles has exactly one default role: its first role is the
//! default, making another role the default moves the flag, and the default can be neither
//! un-defaulted nor deleted while other roles exist.

use backoffice_sdk::prelude::*;

use super::{load_company, written};
use crate::model::{self, RoleData, company_users, roles};
use crate::rules;

pub fn routes(router: Router) -> Router {
    router
        .post("roles", "create", create)
        .post("roles", "edit", update)
        .post("roles", "delete", delete)
}

fn of(company: &str) -> Result<Vec<Record<RoleData>>, Failure> {
    model::all(&roles(), "company_id", company)
}

/// Takes the default flag from every other role of the company.
fn make_sole_default(saved: &Record<RoleData>) -> Result<(), Failure> {
    for other in of(&saved.data.company_id)? {
        if other.id != saved.id && other.data.is_default {
            roles().patch(&other.id, &serde_json::json!({ "is_default": false }))?;
        }
    }
    Ok(())
}

fn apply(fields: &Fields, data: &mut RoleData, errors: &mut Errors) -> Option<bool> {
    if let Some(name) = fields.text("name", errors) {
        data.name = name;
    }
    rules::NAME.required().check("name", &data.name, errors);
    fields.flag("is_default", errors)
}

fn create(req: &Request) -> Reply {
    let company = load_company(&input::required(req, "company_id")?)?;
    let fields = Fields::from_request(req)?;
    let mut data = RoleData {
        company_id: company.id.clone(),
        ..RoleData::default()
    };
    let mut errors = Errors::default();
    let wants_default = apply(&fields, &mut data, &mut errors);
    errors.finish()?;
    let first = of(&company.id)?.is_empty();
    data.is_default = first || wants_default == Some(true);
    let role = roles().add(&data)?;
    if role.data.is_default {
        make_sole_default(&role)?;
    }
    Ok(written(
        req,
        "role",
        &company.id,
        Out::from(role),
        "Role created",
    ))
}

fn update(req: &Request) -> Reply {
    let current = roles().load(&input::required_id(req)?)?;
    input::check_version("the role", input::version(req)?, current.version)?;
    let fields = Fields::from_request(req)?;
    let mut data = current.data.clone();
    let mut errors = Errors::default();
    let wants_default = apply(&fields, &mut data, &mut errors);
    errors.finish()?;
    match wants_default {
        Some(false) if current.data.is_default => {
            return Err(Failure::conflict(
                "a company has exactly one default role: make another role the default instead",
            ));
        }
        Some(flag) => data.is_default = flag,
        None => {}
    }
    let role = roles().update(&current, &data)?;
    if role.data.is_default {
        make_sole_default(&role)?;
    }
    let company = role.data.company_id.clone();
    Ok(written(
        req,
        "role",
        &company,
        Out::from(role),
        "Role saved",
    ))
}

/// Deletes a role and takes it from the company users that had it. The default role goes only
/// when it is the company's last.
fn delete(req: &Request) -> Reply {
    let role = roles().load(&input::required_id(req)?)?;
    let company = role.data.company_id.clone();
    if role.data.is_default && of(&company)?.len() > 1 {
        return Err(Failure::conflict(
            "the default role cannot be deleted: make another role the default first",
        ));
    }
    for user in model::all(&company_users(), "company_id", &company)? {
        if user.data.role_ids.contains(&role.id) {
            let ids: Vec<&String> = user
                .data
                .role_ids
                .iter()
                .filter(|r| **r != role.id)
                .collect();
            company_users().patch(&user.id, &serde_json::json!({ "role_ids": ids }))?;
        }
    }
    roles().remove(&role)?;
    Ok(written(req, "deleted", &company, role.id, "Role deleted"))
}

/// The default role of a company, if it has roles.
pub fn default_of(company: &str) -> Result<Option<String>, Failure> {
    Ok(of(company)?
        .into_iter()
        .find(|r| r.data.is_default)
        .map(|r| r.id))
}

/// Checks that every id is a role of `company`.
pub fn check_roles(company: &str, ids: &[String]) -> Result<(), Failure> {
    let known: Vec<String> = of(company)?.into_iter().map(|r| r.id).collect();
    match ids.iter().find(|id| !known.contains(id)) {
        Some(id) => Err(Failure::unprocessable(format!(
            "role_ids: {id} is not a role of this company"
        ))),
        None => Ok(()),
    }
}
