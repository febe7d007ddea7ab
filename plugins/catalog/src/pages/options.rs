//! Option pages: option groups (list, create and edit forms with the products offering the
//! group, delete with its values) and their values (create, edit, delete).

use std::collections::BTreeMap;

use backoffice_sdk::money;
use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::model::links::{self, OPTION_GROUP};
use crate::model::options::{self, GroupData, ValueData, option_groups, option_values};
use crate::model::shop;
use crate::model::values::FORM_LOCALES;

pub fn routes(router: Router) -> Router {
    router
        .get("options", "index", index)
        .get("options", "create", new_group_form)
        .post("options", "create", create_group)
        .get("options", "edit", edit_group_form)
        .post("options", "edit", update_group)
        .post("options", "delete", delete_group)
        .get("option-values", "create", new_value_form)
        .post("option-values", "create", create_value)
        .get("option-values", "edit", edit_value_form)
        .post("option-values", "edit", update_value)
        .post("option-values", "delete", delete_value)
}

fn group_path(id: &str) -> String {
    url::with_param("/admin/catalog/options/edit", "id", id)
}

#[derive(Debug, Serialize)]
struct IndexContext {
    groups: Vec<Out<GroupData>>,
}

fn index(req: &Request) -> Reply {
    let page = option_groups().query().sort("name").limit(1000).fetch()?;
    let ctx = IndexContext {
        groups: page.records.into_iter().map(Out::from).collect(),
    };
    Ok(view_or_json(req, "options/index.html", "Options", &ctx))
}

#[derive(Debug, Serialize)]
struct GroupFormContext {
    group: Option<Out<GroupData>>,
    values: Vec<Out<ValueData>>,
    skus: Vec<String>,
    action: &'static str,
    locales: &'static [&'static str],
    /// Decimals per currency: prices are shown in major units.
    digits: BTreeMap<String, u8>,
}

fn new_group_form(req: &Request) -> Reply {
    let ctx = GroupFormContext {
        group: None,
        values: Vec::new(),
        skus: Vec::new(),
        action: "create",
        locales: FORM_LOCALES,
        digits: money::digits_by_currency(),
    };
    Ok(view_or_json(
        req,
        "options/form.html",
        "New option group",
        &ctx,
    ))
}

fn group_context(group: Record<GroupData>) -> Result<GroupFormContext, Failure> {
    Ok(GroupFormContext {
        values: options::values_of(&group.id)?
            .into_iter()
            .map(Out::from)
            .collect(),
        skus: links::skus(OPTION_GROUP, &group.id)?,
        group: Some(group.into()),
        action: "edit",
        locales: FORM_LOCALES,
        digits: money::digits_by_currency(),
    })
}

fn edit_group_form(req: &Request) -> Reply {
    let ctx = group_context(option_groups().load(&input::required_id(req)?)?)?;
    Ok(view_or_json(
        req,
        "options/form.html",
        "Edit option group",
        &ctx,
    ))
}

fn group_written(req: &Request, group: Record<GroupData>, flash: &str) -> Reply {
    if req.wants_json {
        return Ok(json(&group_context(group)?));
    }
    Ok(redirect(group_path(&group.id)).flash(flash))
}

fn create_group(req: &Request) -> Reply {
    let mut data = GroupData::default();
    let skus = options::apply_group(&Fields::from_request(req)?, &mut data, true)?;
    let group = option_groups().add(&data)?;
    if let Some(skus) = skus {
        links::set_products(OPTION_GROUP, &group.id, &skus)?;
    }
    group_written(req, group, "Option group created")
}

fn update_group(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let fields = Fields::from_request(req)?;
    let current = option_groups().load_version(&id, Some(version))?;
    let mut data = current.data.clone();
    let skus = options::apply_group(&fields, &mut data, false)?;
    let group = option_groups().update(&current, &data)?;
    if let Some(skus) = skus {
        links::set_products(OPTION_GROUP, &id, &skus)?;
    }
    group_written(req, group, "Option group saved")
}

/// Deletes the group with its values; its products stop offering it.
fn delete_group(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let group = option_groups().load(&id)?;
    let group_values = options::values_of(&id)?;
    for value in &group_values {
        option_values().delete(&value.id)?;
    }
    let products_updated = links::remove_target(OPTION_GROUP, &id)?;
    option_groups().remove(&group)?;
    let ctx = json!({
        "deleted": id,
        "values_deleted": group_values.len(),
        "products_updated": products_updated,
    });
    Ok(json_or_redirect(
        req,
        &ctx,
        "/admin/catalog/options/index",
        "Option group deleted",
    ))
}

#[derive(Debug, Serialize)]
struct ValueFormContext {
    group: Out<GroupData>,
    value: Option<Out<ValueData>>,
    action: &'static str,
    currencies: &'static [String],
    /// Decimals per currency: the form takes and shows major units.
    digits: BTreeMap<String, u8>,
}

fn new_value_form(req: &Request) -> Reply {
    let group_id = req
        .param("group_id")
        .ok_or_else(|| Failure::bad_request("group_id is required"))?;
    let ctx = ValueFormContext {
        group: option_groups().load(&group_id)?.into(),
        value: None,
        action: "create",
        currencies: shop::currencies(),
        digits: money::digits_by_currency(),
    };
    Ok(view_or_json(
        req,
        "options/value.html",
        "New option value",
        &ctx,
    ))
}

fn edit_value_form(req: &Request) -> Reply {
    let value = option_values().load(&input::required_id(req)?)?;
    let ctx = ValueFormContext {
        group: option_groups().load(&value.data.group_id)?.into(),
        value: Some(value.into()),
        action: "edit",
        currencies: shop::currencies(),
        digits: money::digits_by_currency(),
    };
    Ok(view_or_json(
        req,
        "options/value.html",
        "Edit option value",
        &ctx,
    ))
}

#[derive(Debug, Serialize)]
struct ValueContext {
    value: Out<ValueData>,
}

fn value_written(req: &Request, value: Record<ValueData>, flash: &str) -> Response {
    let location = group_path(&value.data.group_id);
    let ctx = ValueContext {
        value: value.into(),
    };
    json_or_redirect(req, &ctx, location, flash)
}

fn create_value(req: &Request) -> Reply {
    let fields = Fields::from_request(req)?;
    let group_id = req
        .param("group_id")
        .ok_or_else(|| Failure::bad_request("group_id is required"))?;
    let group = option_groups()
        .find(&group_id)?
        .ok_or_else(|| Failure::unprocessable(format!("option group {group_id} does not exist")))?;
    let mut data = ValueData {
        group_id: group.id,
        ..ValueData::default()
    };
    options::apply_value(&fields, &mut data)?;
    let value = option_values().add(&data)?;
    Ok(value_written(req, value, "Option value created"))
}

fn update_value(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let fields = Fields::from_request(req)?;
    let current = option_values().load_version(&id, Some(version))?;
    let mut data = current.data.clone();
    options::apply_value(&fields, &mut data)?;
    let value = option_values().update(&current, &data)?;
    Ok(value_written(req, value, "Option value saved"))
}

fn delete_value(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let value = option_values().load(&id)?;
    option_values().remove(&value)?;
    let location = group_path(&value.data.group_id);
    Ok(json_or_redirect(
        req,
        &json!({"deleted": id}),
        location,
        "Option value deleted",
    ))
}
