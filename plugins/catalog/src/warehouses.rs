//! Warehouses: a unique name and an active flag. Only active warehouses count towards a SKU's
//! availability, so activating, deactivating or deleting one recomputes the availability of
//! every SKU it stocks (in the same transaction).

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::input::{self, Fields};
use crate::stock;

pub const NAME_MAX: usize = 100;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WarehouseData {
    pub name: String,
    pub active: bool,
}

pub type Warehouse = Record<WarehouseData>;

/// A warehouse as answered: the stored fields plus `id` and `version`.
#[derive(Debug, Clone, Serialize)]
pub struct WarehouseOut {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub data: WarehouseData,
}

impl From<Warehouse> for WarehouseOut {
    fn from(w: Warehouse) -> Self {
        WarehouseOut {
            id: w.id,
            version: w.version,
            data: w.data,
        }
    }
}

pub fn warehouses() -> Collection<WarehouseData> {
    Collection::new("warehouses")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("warehouses")
        .field(Field::text("name").unique().searchable())
        .field(Field::boolean("active").indexed())
}

pub fn routes(router: Router) -> Router {
    router
        .get("warehouses", "index", index)
        .get("warehouses", "create", new_form)
        .post("warehouses", "create", create)
        .get("warehouses", "edit", edit_form)
        .post("warehouses", "edit", update)
        .get("warehouses", "delete", confirm_delete)
        .post("warehouses", "delete", delete)
}

/// Every warehouse by name (a shop has a handful; the first 1000 are read).
pub fn all() -> Result<Vec<Warehouse>, Failure> {
    Ok(warehouses()
        .query()
        .sort("name")
        .limit(1000)
        .fetch()?
        .records)
}

/// The warehouse named `name`, if any (for imports that name warehouses).
pub fn by_name(name: &str) -> Result<Option<Warehouse>, Failure> {
    let page = warehouses().query().eq("name", name).limit(1).fetch()?;
    Ok(page.records.into_iter().next())
}

/// The warehouse with id or name `key`; 422 `warehouse <key> does not exist` when there is
/// none (it is input of a stock write, not the page asked for).
pub fn resolve(key: &str) -> Result<Warehouse, Failure> {
    match warehouses().find(key)? {
        Some(w) => Ok(w),
        None => by_name(key)?
            .ok_or_else(|| Failure::unprocessable(format!("warehouse {key} does not exist"))),
    }
}

fn load(id: &str) -> Result<Warehouse, Failure> {
    warehouses()
        .find(id)?
        .ok_or_else(|| Failure::not_found(format!("warehouse {id} not found")))
}

fn storage_error(e: StorageError, name: &str) -> Failure {
    match e {
        StorageError::UniqueViolation(field) if field == "name" => {
            Failure::conflict(format!("warehouse {name} already exists"))
        }
        e => e.into(),
    }
}

#[derive(Debug, Serialize)]
struct IndexContext {
    warehouses: Vec<WarehouseOut>,
}

fn index(req: &Request) -> Reply {
    let ctx = IndexContext {
        warehouses: all()?.into_iter().map(WarehouseOut::from).collect(),
    };
    Ok(view_or_json(
        req,
        "warehouses/index.html",
        "Warehouses",
        &ctx,
    ))
}

#[derive(Debug, Serialize)]
struct FormContext {
    warehouse: Option<WarehouseOut>,
    action: &'static str,
}

fn new_form(req: &Request) -> Reply {
    let ctx = FormContext {
        warehouse: None,
        action: "create",
    };
    Ok(view_or_json(
        req,
        "warehouses/form.html",
        "New warehouse",
        &ctx,
    ))
}

fn edit_form(req: &Request) -> Reply {
    let ctx = FormContext {
        warehouse: Some(load(&input::required_id(req)?)?.into()),
        action: "edit",
    };
    Ok(view_or_json(
        req,
        "warehouses/form.html",
        "Edit warehouse",
        &ctx,
    ))
}

/// `name` (required, trimmed, at most 100 characters) and `active` (default true).
fn apply(fields: &Fields, data: &mut WarehouseData, creating: bool) -> Result<(), Failure> {
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
    match fields.flag("active")? {
        Some(active) => data.active = active,
        None if creating => data.active = true,
        None => {}
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct WarehouseContext {
    warehouse: WarehouseOut,
}

fn written(req: &Request, warehouse: Warehouse, flash: &str) -> Response {
    if req.wants_json {
        json(&WarehouseContext {
            warehouse: warehouse.into(),
        })
    } else {
        redirect("/admin/catalog/warehouses/index").flash(flash)
    }
}

fn create(req: &Request) -> Reply {
    let mut data = WarehouseData::default();
    apply(&Fields::of(req)?, &mut data, true)?;
    let warehouse = warehouses()
        .insert(&data)
        .map_err(|e| storage_error(e, &data.name))?;
    services::audit("warehouse.create", &warehouse.id, &warehouse.data.name);
    Ok(written(req, warehouse, "Warehouse created"))
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let fields = Fields::of(req)?;
    let current = load(&id)?;
    input::check_version("warehouse", &id, version, current.version)?;
    let was_active = current.data.active;
    let mut data = current.data;
    apply(&fields, &mut data, false)?;
    let warehouse = warehouses()
        .replace(&id, &data, version)
        .map_err(|e| storage_error(e, &data.name))?;
    if was_active != warehouse.data.active {
        stock::refresh_warehouse(&id, false)?;
    }
    services::audit("warehouse.edit", &id, &warehouse.data.name);
    Ok(written(req, warehouse, "Warehouse saved"))
}

fn confirm_delete(req: &Request) -> Reply {
    let ctx = WarehouseContext {
        warehouse: load(&input::required_id(req)?)?.into(),
    };
    Ok(view_or_json(
        req,
        "warehouses/delete.html",
        "Delete warehouse",
        &ctx,
    ))
}

/// Deletes the warehouse and its stock records; the SKUs it stocked are recomputed.
fn delete(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let warehouse = load(&id)?;
    warehouses().delete(&id)?;
    let skus = stock::refresh_warehouse(&id, true)?;
    services::audit("warehouse.delete", &id, &warehouse.data.name);
    Ok(if req.wants_json {
        json(&json!({"deleted": id, "skus_updated": skus}))
    } else {
        redirect("/admin/catalog/warehouses/index").flash("Warehouse deleted")
    })
}
