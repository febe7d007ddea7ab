//! Read-modify-write of small records that many orders touch (stock holds, counters, the order
//! sequence), always with an optimistic version check: a concurrent writer makes the second one
//! fail with 409 and its whole call roll back, never lose an update.

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
