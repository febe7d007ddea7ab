//! Product options ("gift wrap", "warranty"): option groups (unique name, per-locale names, a
//! tax class, active) holding option values (unique SKU, name, a price per currency in cents),
//! offered with abstract products through `links` (`option_group_ids` on the product).

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::input::{self, DEFAULT_LOCALE, FORM_LOCALES, Fields};
use crate::links::{self, OPTION_GROUP};
use crate::prices::{self, CURRENCIES};
use crate::products;

pub const NAME_MAX: usize = 200;
pub const DEFAULT_TAX_CLASS: &str = "standard";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupData {
    /// Indexed copy of `names[DEFAULT_LOCALE]`.
    pub name: String,
    pub names: BTreeMap<String, String>,
    /// `[a-z0-9_-]{1,32}`, e.g. `standard`, `reduced`.
    pub tax_class: String,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ValueData {
    pub group_id: String,
    pub sku: String,
    pub name: String,
    /// Cents by currency (a subset of [`CURRENCIES`]).
    pub prices: BTreeMap<String, i64>,
}

/// A stored record as answered: its fields plus `id` and `version`.
#[derive(Debug, Clone, Serialize)]
pub struct Out<T> {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub data: T,
}

impl<T> From<Record<T>> for Out<T> {
    fn from(r: Record<T>) -> Self {
        Out {
            id: r.id,
            version: r.version,
            data: r.data,
        }
    }
}

pub fn groups() -> Collection<GroupData> {
    Collection::new("option_groups")
}

pub fn values() -> Collection<ValueData> {
    Collection::new("option_values")
}

pub fn collections() -> [CollectionDef; 2] {
    [
        CollectionDef::new("option_groups")
            .field(Field::text("name").unique().searchable())
            .field(Field::boolean("active").indexed())
            .shared(),
        CollectionDef::new("option_values")
            .field(Field::text("sku").unique())
            .field(Field::text("group_id").indexed())
            .shared(),
    ]
}

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

fn load_group(id: &str) -> Result<Record<GroupData>, Failure> {
    groups()
        .find(id)?
        .ok_or_else(|| Failure::not_found(format!("option group {id} not found")))
}

fn load_value(id: &str) -> Result<Record<ValueData>, Failure> {
    values()
        .find(id)?
        .ok_or_else(|| Failure::not_found(format!("option value {id} not found")))
}

/// The values of group `id`, by name.
pub fn values_of(group_id: &str) -> Result<Vec<Record<ValueData>>, Failure> {
    let mut page = values()
        .query()
        .eq("group_id", group_id)
        .limit(1000)
        .fetch()?;
    page.records.sort_by(|a, b| a.data.name.cmp(&b.data.name));
    Ok(page.records)
}

fn group_path(id: &str) -> String {
    format!(
        "/admin/catalog/options/edit?id={}",
        input::encode_component(id)
    )
}

// ---- groups ----

#[derive(Debug, Serialize)]
struct IndexContext {
    groups: Vec<Out<GroupData>>,
}

fn index(req: &Request) -> Reply {
    let page = groups().query().sort("name").limit(1000).fetch()?;
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
}

fn new_group_form(req: &Request) -> Reply {
    let ctx = GroupFormContext {
        group: None,
        values: Vec::new(),
        skus: Vec::new(),
        action: "create",
        locales: FORM_LOCALES,
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
        values: values_of(&group.id)?.into_iter().map(Out::from).collect(),
        skus: links::skus(OPTION_GROUP, &group.id)?,
        group: Some(group.into()),
        action: "edit",
        locales: FORM_LOCALES,
    })
}

fn edit_group_form(req: &Request) -> Reply {
    let ctx = group_context(load_group(&input::required_id(req)?)?)?;
    Ok(view_or_json(
        req,
        "options/form.html",
        "Edit option group",
        &ctx,
    ))
}

fn check_tax_class(tax_class: &str) -> Result<(), Failure> {
    let ok = (1..=32).contains(&tax_class.len())
        && tax_class
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Failure::unprocessable(
            "tax_class must be 1 to 32 characters: lower-case letters, digits, '_' or '-'",
        ))
    }
}

/// Applies a group's fields (kept when not sent) and returns the SKUs to assign, if sent.
fn apply_group(
    fields: &Fields,
    data: &mut GroupData,
    creating: bool,
) -> Result<Option<Vec<String>>, Failure> {
    if let Some(names) = fields.locales("names", "name")? {
        data.names = input::merge_locales("name", &data.names, names, NAME_MAX)?;
    }
    data.name = data.names.get(DEFAULT_LOCALE).cloned().unwrap_or_default();
    if data.name.is_empty() {
        return Err(Failure::unprocessable("name is required"));
    }
    if let Some(tax_class) = fields.text("tax_class")? {
        data.tax_class = tax_class.trim().to_owned();
    }
    if data.tax_class.is_empty() {
        data.tax_class = DEFAULT_TAX_CLASS.into();
    }
    check_tax_class(&data.tax_class)?;
    match fields.flag("active")? {
        Some(active) => data.active = active,
        None if creating => data.active = true,
        None => {}
    }
    fields.words("skus")
}

fn group_storage_error(e: StorageError, name: &str) -> Failure {
    match e {
        StorageError::UniqueViolation(field) if field == "name" => {
            Failure::conflict(format!("option group {name} already exists"))
        }
        e => e.into(),
    }
}

fn group_written(req: &Request, group: Record<GroupData>, flash: &str) -> Reply {
    Ok(if req.wants_json {
        json(&group_context(group)?)
    } else {
        redirect(group_path(&group.id)).flash(flash)
    })
}

fn create_group(req: &Request) -> Reply {
    let mut data = GroupData::default();
    let skus = apply_group(&Fields::of(req)?, &mut data, true)?;
    let group = groups()
        .insert(&data)
        .map_err(|e| group_storage_error(e, &data.name))?;
    if let Some(skus) = skus {
        links::set_products(OPTION_GROUP, &group.id, &skus)?;
    }
    services::audit("option-group.create", &group.id, &group.data.name);
    group_written(req, group, "Option group created")
}

fn update_group(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let fields = Fields::of(req)?;
    let current = load_group(&id)?;
    input::check_version("option group", &id, version, current.version)?;
    let mut data = current.data;
    let skus = apply_group(&fields, &mut data, false)?;
    let group = groups()
        .replace(&id, &data, version)
        .map_err(|e| group_storage_error(e, &data.name))?;
    if let Some(skus) = skus {
        links::set_products(OPTION_GROUP, &id, &skus)?;
    }
    services::audit("option-group.edit", &id, &group.data.name);
    group_written(req, group, "Option group saved")
}

/// Deletes the group with its values; its products stop offering it.
fn delete_group(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let group = load_group(&id)?;
    let group_values = values_of(&id)?;
    for value in &group_values {
        values().delete(&value.id)?;
    }
    let products_updated = links::remove_target(OPTION_GROUP, &id)?;
    groups().delete(&id)?;
    services::audit("option-group.delete", &id, &group.data.name);
    Ok(if req.wants_json {
        json(&json!({
            "deleted": id,
            "values_deleted": group_values.len(),
            "products_updated": products_updated,
        }))
    } else {
        redirect("/admin/catalog/options/index").flash("Option group deleted")
    })
}

// ---- values ----

#[derive(Debug, Serialize)]
struct ValueFormContext {
    group: Out<GroupData>,
    value: Option<Out<ValueData>>,
    action: &'static str,
    currencies: &'static [&'static str],
}

fn new_value_form(req: &Request) -> Reply {
    let group_id = req
        .param("group_id")
        .ok_or_else(|| Failure::bad_request("group_id is required"))?;
    let ctx = ValueFormContext {
        group: load_group(&group_id)?.into(),
        value: None,
        action: "create",
        currencies: CURRENCIES,
    };
    Ok(view_or_json(
        req,
        "options/value.html",
        "New option value",
        &ctx,
    ))
}

fn edit_value_form(req: &Request) -> Reply {
    let value = load_value(&input::required_id(req)?)?;
    let ctx = ValueFormContext {
        group: load_group(&value.data.group_id)?.into(),
        value: Some(value.into()),
        action: "edit",
        currencies: CURRENCIES,
    };
    Ok(view_or_json(
        req,
        "options/value.html",
        "Edit option value",
        &ctx,
    ))
}

/// Prices: JSON `{"prices": {"EUR": 500}}` (an entry set to null removes it), or form fields
/// `price.<currency>` (blank removes it).
fn value_prices(fields: &Fields) -> Result<Option<BTreeMap<String, Option<i64>>>, Failure> {
    let mut out = BTreeMap::new();
    match fields {
        Fields::Json(object) => match object.get("prices") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(map)) => {
                for (currency, cents) in map {
                    prices::check_currency(currency)?;
                    let cents = match cents {
                        Value::Null => None,
                        v => Some(
                            input::cents_value(v)
                                .ok_or_else(|| input::cents_error(&format!("price {currency}")))?,
                        ),
                    };
                    out.insert(currency.clone(), cents);
                }
            }
            Some(_) => {
                return Err(Failure::unprocessable(
                    "prices must be an object of currency to cents",
                ));
            }
        },
        Fields::Form(req) => {
            for currency in CURRENCIES {
                let field = format!("price.{currency}");
                let cents = input::cents_text(req.form(&field), &format!("price {currency}"))?;
                out.insert((*currency).to_owned(), cents);
            }
        }
    }
    Ok(Some(out))
}

fn apply_value(fields: &Fields, data: &mut ValueData) -> Result<(), Failure> {
    if let Some(sku) = fields.text("sku")? {
        data.sku = sku.trim().to_owned();
    }
    products::check_sku(&data.sku)?;
    if let Some(name) = fields.text("name")? {
        data.name = name.trim().to_owned();
    }
    if data.name.is_empty() {
        return Err(Failure::unprocessable("name is required"));
    }
    if data.name.chars().count() > NAME_MAX {
        return Err(Failure::unprocessable(format!(
            "name must be at most {NAME_MAX} characters"
        )));
    }
    if let Some(changes) = value_prices(fields)? {
        for (currency, cents) in changes {
            match cents {
                Some(c) => data.prices.insert(currency, c),
                None => data.prices.remove(&currency),
            };
        }
    }
    Ok(())
}

fn value_storage_error(e: StorageError, sku: &str) -> Failure {
    match e {
        StorageError::UniqueViolation(field) if field == "sku" => {
            Failure::conflict(format!("option value SKU {sku} already exists"))
        }
        e => e.into(),
    }
}

#[derive(Debug, Serialize)]
struct ValueContext {
    value: Out<ValueData>,
}

fn value_written(req: &Request, value: Record<ValueData>, flash: &str) -> Response {
    if req.wants_json {
        json(&ValueContext {
            value: value.into(),
        })
    } else {
        redirect(group_path(&value.data.group_id)).flash(flash)
    }
}

fn create_value(req: &Request) -> Reply {
    let fields = Fields::of(req)?;
    let group_id = req
        .param("group_id")
        .ok_or_else(|| Failure::bad_request("group_id is required"))?;
    let group = groups()
        .find(&group_id)?
        .ok_or_else(|| Failure::unprocessable(format!("option group {group_id} does not exist")))?;
    let mut data = ValueData {
        group_id: group.id,
        ..ValueData::default()
    };
    apply_value(&fields, &mut data)?;
    let value = values()
        .insert(&data)
        .map_err(|e| value_storage_error(e, &data.sku))?;
    services::audit("option-value.create", &value.id, &value.data.sku);
    Ok(value_written(req, value, "Option value created"))
}

fn update_value(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let fields = Fields::of(req)?;
    let current = load_value(&id)?;
    input::check_version("option value", &id, version, current.version)?;
    let mut data = current.data;
    apply_value(&fields, &mut data)?;
    let value = values()
        .replace(&id, &data, version)
        .map_err(|e| value_storage_error(e, &data.sku))?;
    services::audit("option-value.edit", &id, &value.data.sku);
    Ok(value_written(req, value, "Option value saved"))
}

fn delete_value(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let value = load_value(&id)?;
    values().delete(&id)?;
    services::audit("option-value.delete", &id, &value.data.sku);
    Ok(if req.wants_json {
        json(&json!({"deleted": id}))
    } else {
        redirect(group_path(&value.data.group_id)).flash("Option value deleted")
    })
}
