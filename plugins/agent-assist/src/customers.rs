//! The customers an agent finds and assists, read from the customers section (granted under
//! `reads`, through `backoffice_sdk::customers`), in the shape of the host points' `customer`.

use backoffice_sdk::customers as shared;
use backoffice_sdk::prelude::*;
use serde::Serialize;

/// How many matches a search offers.
const SEARCH_LIMIT: u32 = 50;

/// A customer as the host's agent pages and this section's pages show them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Customer {
    pub customer_id: i64,
    pub reference: String,
    pub name: String,
    pub email: String,
    /// Not sent to the host: whether the customer can be acted for (active, with a storefront
    /// account).
    #[serde(skip)]
    pub assistable: bool,
}

impl From<shared::Customer> for Customer {
    fn from(c: shared::Customer) -> Customer {
        Customer {
            name: c.name(),
            assistable: c.is_active(),
            customer_id: c.customer_id,
            reference: c.reference,
            email: c.email,
        }
    }
}

/// Customers whose reference, email or names contain every word of `text`.
pub fn search(text: &str) -> Result<Vec<Customer>, Failure> {
    Ok(shared::search(text, SEARCH_LIMIT)?
        .into_iter()
        .map(Customer::from)
        .collect())
}

/// The customer with host account `customer_id`, if the customers section has them.
pub fn by_account(customer_id: i64) -> Result<Option<Customer>, Failure> {
    Ok(shared::by_account(customer_id)?.map(Customer::from))
}

/// The customer with reference `reference`, if any.
pub fn by_reference(reference: &str) -> Result<Option<Customer>, Failure> {
    Ok(shared::find(reference)?.map(Customer::from))
}
