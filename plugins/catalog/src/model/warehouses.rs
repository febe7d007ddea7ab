//! Warehouses: a unique name and an active flag. Only active warehouses count towards a SKU's
//! availability, so whoever activates, deactivates or deletes one recomputes the availability
//! of every SKU it stocks (`stock::refresh_warehouse`, in the same transaction).

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use super::values;

pub const NAME_MAX: usize = 100;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WarehouseData {
    pub name: String,
    pub active: bool,
}

pub type Warehouse = Record<WarehouseData>;

/// Warehouses; a duplicate name is a 409 naming it.
pub fn warehouses() -> Resource<WarehouseData> {
    Resource::new("warehouses", "warehouse")
        .unique("name", "warehouse {name} already exists")
        .describe("{name}")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("warehouses")
        .field(Field::text("name").unique().searchable())
        .field(Field::boolean("active").indexed())
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
    Ok(warehouses().query().eq("name", name).first()?)
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

/// Applies `name` (required, trimmed, at most 100 characters) and `active` (a new warehouse
/// is active unless told otherwise).
pub fn apply(fields: &Fields, data: &mut WarehouseData, creating: bool) -> Result<(), Failure> {
    let mut errors = Errors::new();
    if let Some(name) = fields.text("name", &mut errors) {
        data.name = name;
    }
    match fields.checkbox("active", &mut errors) {
        Some(active) => data.active = active,
        None if creating => data.active = true,
        None => {}
    }
    errors.finish()?;
    values::check_name(&data.name, NAME_MAX)?;
    Ok(())
}
