//! Reading the customers section's shared `customers` collection from another section (sales'
//! assisted orders, agent assist): the record decoded loosely, so fields the customers section
//! adds later break nobody, and a missing or ungranted collection answered as a 422 that says
//! what is wrong. The reading section must list `customers/customers` under `reads`
//! ([`READS`]). Reads only: the customers section owns these records.

use serde::{Deserialize, Serialize};

use crate::response::Failure;
use crate::storage::{Collection, StorageError};

/// The grant a reader asks for: `(plugin, collection)`.
pub const READS: (&str, &str) = ("customers", "customers");

/// A customer as the customers section stores them (the fields other sections use).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    /// `CU-…`, also the record id.
    pub reference: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// The host's customer-realm account id (`identity.current-customer`); 0 without one.
    pub customer_id: i64,
    /// `active`, `blocked` or `anonymised`.
    pub status: String,
}

impl Customer {
    /// First and last name, trimmed (empty when neither is known).
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }

    /// Active, with a storefront account: someone who can be ordered or acted for.
    pub fn is_active(&self) -> bool {
        self.status == "active" && self.customer_id > 0
    }
}

fn collection() -> Collection<Customer> {
    Collection::new(format!("{}/{}", READS.0, READS.1))
}

/// A read failed: without the customers section installed (or before it shared the
/// collection, or without the grant) there is nobody to find, which the user should be told.
pub fn unreadable(e: StorageError) -> Failure {
    match e {
        StorageError::Invalid(m) | StorageError::Forbidden(m) => Failure::unprocessable(format!(
            "customers cannot be looked up ({m}); is the customers section installed?"
        )),
        e => e.into(),
    }
}

/// At most `limit` customers whose reference, email or names contain every word of `text`
/// (the customers section declares those fields searchable).
pub fn search(text: &str, limit: u32) -> Result<Vec<Customer>, Failure> {
    let page = collection()
        .query()
        .search(text)
        .limit(limit)
        .fetch()
        .map_err(unreadable)?;
    Ok(page.records.into_iter().map(|r| r.data).collect())
}

/// The customer with reference `reference`, if any.
pub fn find(reference: &str) -> Result<Option<Customer>, Failure> {
    Ok(collection()
        .find(reference)
        .map_err(unreadable)?
        .map(|r| r.data))
}

/// The customer with host account `customer_id`, if any.
pub fn by_account(customer_id: i64) -> Result<Option<Customer>, Failure> {
    let page = collection()
        .query()
        .eq("customer_id", customer_id)
        .limit(1)
        .fetch()
        .map_err(unreadable)?;
    Ok(page.records.into_iter().next().map(|r| r.data))
}
