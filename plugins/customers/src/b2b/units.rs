//! Business units: a tree per company (a parent is a unit of the same company, never the unit
//! itself or one below it), each with its own addresses (the customer-address rules).

use backoffice_sdk::prelude::*;

use super::{load_company, written};
use crate::model::{self, AddressData, UnitData, company_users, units};
use crate::rules;

pub fn routes(router: Router) -> Router {
    router
        .post("units", "create", create)
        .post("units", "edit", update)
        .post("units", "delete", delete)
        .post("units", "add-address", add_address)
        .post("units", "remove-address", remove_address)
}

pub fn load_unit(id: &str) -> Result<Record<UnitData>, Failure> {
    units().load(id)
}

/// Checks that `parent` (if any) is a unit of `company` and not `unit` or below it.
fn check_parent(company: &str, unit: Option<&str>, parent: &str) -> Result<(), Failure> {
    let mut cursor = parent.to_owned();
    let mut steps = 0;
    while !cursor.is_empty() {
        if Some(cursor.as_str()) == unit {
            return Err(Failure::unprocessable(
                "parent_id must not be the unit itself or one of its sub-units",
            ));
        }
        let Some(p) = units().find(&cursor)? else {
            return Err(Failure::unprocessable(format!(
                "parent_id {cursor} is not a business unit"
            )));
        };
        if p.data.company_id != company {
            return Err(Failure::unprocessable(
                "parent_id must be a unit of the same company",
            ));
        }
        cursor = p.data.parent_id;
        steps += 1;
        if steps > 100 {
            return Err(Failure::unprocessable("the unit tree is too deep"));
        }
    }
    Ok(())
}

fn apply(fields: &Fields, data: &mut UnitData, errors: &mut Errors) {
    let mut set = |name: &str, slot: &mut String| {
        if let Some(v) = fields.text(name, errors) {
            *slot = v;
        }
    };
    set("name", &mut data.name);
    set("parent_id", &mut data.parent_id);
    set("email", &mut data.email);
    set("phone", &mut data.phone);
    rules::TEXT.required().check("name", &data.name, errors);
    if !data.email.is_empty() {
        data.email = rules::email(errors, &data.email);
    }
    rules::phone(errors, "phone", &data.phone);
}

/// The answer after `unit` was written: the record for scripts, its company's page for
/// browsers.
fn saved(req: &Request, unit: Record<UnitData>, flash: &str) -> Reply {
    let company = unit.data.company_id.clone();
    Ok(written(req, "unit", &company, Out::from(unit), flash))
}

fn create(req: &Request) -> Reply {
    let company = load_company(&input::required(req, "company_id")?)?;
    let fields = Fields::from_request(req)?;
    let mut data = UnitData {
        company_id: company.id.clone(),
        ..UnitData::default()
    };
    let mut errors = Errors::default();
    apply(&fields, &mut data, &mut errors);
    errors.finish()?;
    check_parent(&company.id, None, &data.parent_id)?;
    let unit = units().add(&data)?;
    saved(req, unit, "Business unit created")
}

fn update(req: &Request) -> Reply {
    let current = load_unit(&input::required_id(req)?)?;
    input::check_version("the business unit", input::version(req)?, current.version)?;
    let fields = Fields::from_request(req)?;
    let mut data = current.data.clone();
    let mut errors = Errors::default();
    apply(&fields, &mut data, &mut errors);
    errors.finish()?;
    data.company_id = current.data.company_id.clone();
    check_parent(&data.company_id, Some(&current.id), &data.parent_id)?;
    let unit = units().update(&current, &data)?;
    saved(req, unit, "Business unit saved")
}

/// Refused while the unit has sub-units or company users.
fn delete(req: &Request) -> Reply {
    let unit = load_unit(&input::required_id(req)?)?;
    if units().query().eq("parent_id", unit.id.as_str()).count()? > 0 {
        return Err(Failure::conflict(
            "the business unit has sub-units: move or delete them first",
        ));
    }
    if company_users()
        .query()
        .eq("unit_id", unit.id.as_str())
        .count()?
        > 0
    {
        return Err(Failure::conflict(
            "the business unit has company users: move or remove them first",
        ));
    }
    units().remove(&unit)?;
    let company = unit.data.company_id.clone();
    Ok(written(
        req,
        "deleted",
        &company,
        unit.id,
        "Business unit deleted",
    ))
}

fn add_address(req: &Request) -> Reply {
    let current = load_unit(&input::required_id(req)?)?;
    let fields = Fields::from_request(req)?;
    let mut address = AddressData::default();
    let mut errors = Errors::default();
    crate::addresses::apply(&fields, &mut address, &mut errors);
    errors.finish()?;
    let mut data = current.data.clone();
    data.addresses.push(address);
    let unit = units().change("add-address", &current, &data)?;
    saved(req, unit, "Address added")
}

fn remove_address(req: &Request) -> Reply {
    let current = load_unit(&input::required_id(req)?)?;
    let index: usize = input::required(req, "index")?
        .parse()
        .map_err(|_| Failure::bad_request("index must be a number"))?;
    if index >= current.data.addresses.len() {
        return Err(Failure::not_found(format!(
            "the unit has no address {index}"
        )));
    }
    let mut data = current.data.clone();
    data.addresses.remove(index);
    let unit = units().change("remove-address", &current, &data)?;
    saved(req, unit, "Address removed")
}

/// The unit `id` when it belongs to `company`; 422 otherwise.
pub fn unit_of(company: &str, id: &str) -> Result<Record<UnitData>, Failure> {
    match model::units().find(id)? {
        Some(u) if u.data.company_id == company => Ok(u),
        _ => Err(Failure::unprocessable(format!(
            "unit_id {id} is not a business unit of this company"
        ))),
    }
}
