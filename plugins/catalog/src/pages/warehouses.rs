//! Warehouse pages: the list, the create and edit forms, delete. (De)activating or deleting a
//! warehouse recomputes the availability of every SKU it stocks, in the same call.

use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::model::stock;
use crate::model::warehouses::{self, Warehouse, WarehouseData, warehouses};

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

const INDEX: &str = "/admin/catalog/warehouses/index";

#[derive(Debug, Serialize)]
struct IndexContext {
    warehouses: Vec<Out<WarehouseData>>,
}

fn index(req: &Request) -> Reply {
    let ctx = IndexContext {
        warehouses: warehouses::all()?.into_iter().map(Out::from).collect(),
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
    warehouse: Option<Out<WarehouseData>>,
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
        warehouse: Some(warehouses().load(&input::required_id(req)?)?.into()),
        action: "edit",
    };
    Ok(view_or_json(
        req,
        "warehouses/form.html",
        "Edit warehouse",
        &ctx,
    ))
}

#[derive(Debug, Serialize)]
struct WarehouseContext {
    warehouse: Out<WarehouseData>,
}

fn written(req: &Request, warehouse: Warehouse, flash: &str) -> Response {
    let ctx = WarehouseContext {
        warehouse: warehouse.into(),
    };
    json_or_redirect(req, &ctx, INDEX, flash)
}

fn create(req: &Request) -> Reply {
    let mut data = WarehouseData::default();
    warehouses::apply(&Fields::from_request(req)?, &mut data, true)?;
    let warehouse = warehouses().add(&data)?;
    Ok(written(req, warehouse, "Warehouse created"))
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let fields = Fields::from_request(req)?;
    let current = warehouses().load_version(&id, Some(version))?;
    let mut data = current.data.clone();
    warehouses::apply(&fields, &mut data, false)?;
    let warehouse = warehouses().update(&current, &data)?;
    if current.data.active != warehouse.data.active {
        stock::refresh_warehouse(&id, false)?;
    }
    Ok(written(req, warehouse, "Warehouse saved"))
}

fn confirm_delete(req: &Request) -> Reply {
    let ctx = WarehouseContext {
        warehouse: warehouses().load(&input::required_id(req)?)?.into(),
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
    let warehouse = warehouses().load(&id)?;
    warehouses().remove(&warehouse)?;
    let skus = stock::refresh_warehouse(&id, true)?;
    let ctx = json!({"deleted": id, "skus_updated": skus});
    Ok(json_or_redirect(req, &ctx, INDEX, "Warehouse deleted"))
}
