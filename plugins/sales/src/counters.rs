//! Read-modify-write of small records that many orders touch (stock holds, counters, the order
//! sequence), always with an optimistic version check: a concurrent writer makes the second one
//! fail with 409 and its whole call roll back, never lose an update. Calls that update them
//! take [`lock`] first, so they wait for each other instead of failing.

use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Applies `change` to the record `id` of `collection` (starting from `fresh()` when there is
/// none) and writes it back only if nobody wrote it meanwhile. `change` may refuse.
pub fn update<T, F>(
    collection: &Collection<T>,
    id: &str,
    fresh: impl FnOnce() -> T,
    change: F,
) -> Result<T, Failure>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce(&mut T) -> Result<(), Failure>,
{
    let written = match collection.find(id)? {
        Some(mut current) => {
            change(&mut current.data)?;
            collection.replace(id, &current.data, current.version)
        }
        None => {
            let mut data = fresh();
            change(&mut data)?;
            collection.create(id, &data)
        }
    };
    match written {
        Ok(record) => Ok(record.data),
        Err(StorageError::Conflict(_)) => Err(Failure::conflict(
            "another order changed the same data at the same moment; please try again",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Serialises the calls that update shared counters. A blind write to one record as the call's
/// first write opens its transaction (SQLite: `BEGIN IMMEDIATE`, one writer at a time;
/// PostgreSQL: the row lock is held until commit), so every read-modify-write after it reads
/// the latest committed counters rather than failing its version check against a concurrent
/// checkout of the same SKU.
pub fn lock() -> Result<(), Failure> {
    Collection::<serde_json::Value>::new("sequences").put("lock", &serde_json::json!({}))?;
    Ok(())
}
