//! What agent assist reads from the customers section's shared `customers` collection (granted
//! under `reads`): the customer an agent searches for and may assist. Decoded loosely, so
//! fields the customers section adds later do not break this section. Reads only.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// How many matches a search offers.
const SEARCH_LIMIT: u32 = 50;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct CustomerRec {
    reference: String,
    email: String,
    first_name: String,
    last_name: String,
    /// The host's customer-realm account id.
    customer_id: i64,
    /// `active`, `blocked` or `anonymised`.
    status: String,
}

fn customers() -> Collection<CustomerRec> {
    Collection::new("customers/customers")
}

/// A customer as the host's agent pages and this section's pages show them (the shape of the
/// host points' `customer`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Customer {
    pub customer_id: i64,
    pub reference: String,
    pub name: String,
    pub email: String,
    /// Not sent to the host: whether the customer can be acted for.
    #[serde(skip)]
    pub assistable: bool,
}

impl From<CustomerRec> for Customer {
    fn from(c: CustomerRec) -> Customer {
        Customer {
            name: format!("{} {}", c.first_name, c.last_name)
                .trim()
                .to_owned(),
            // A blocked or anonymised customer, or a profile without a host account, is never
            // acted for.
            assistable: c.status == "active" && c.customer_id > 0,
            customer_id: c.customer_id,
            reference: c.reference,
            email: c.email,
        }
    }
}

/// A read of the customers section failed: without it nobody can be found or assisted.
fn unreadable(e: StorageError) -> Failure {
    match e {
        StorageError::Invalid(m) | StorageError::Forbidden(m) => Failure::unprocessable(format!(
            "customers cannot be looked up ({m}); is the customers section installed?"
        )),
        e => e.into(),
    }
}

/// Customers whose reference, email or names contain every word of `text`.
pub fn search(text: &str) -> Result<Vec<Customer>, Failure> {
    let page = customers()
        .query()
        .search(text)
        .limit(SEARCH_LIMIT)
        .fetch()
        .map_err(unreadable)?;
    Ok(page.records.into_iter().map(|r| r.data.into()).collect())
}

/// The customer with host account `customer_id`, if the customers section has them.
pub fn by_account(customer_id: i64) -> Result<Option<Customer>, Failure> {
    let found = customers()
        .query()
        .eq("customer_id", customer_id)
        .limit(1)
        .fetch()
        .map_err(unreadable)?;
    Ok(found.records.into_iter().next().map(|r| r.data.into()))
}

/// The customer with reference `reference` (the record id), if any.
pub fn by_reference(reference: &str) -> Result<Option<Customer>, Failure> {
    Ok(customers()
        .find(reference)
        .map_err(unreadable)?
        .map(|r| r.data.into()))
}
