//! What sales reads from the customers section's shared collections (`customers`, `addresses`)
//! for assisted orders: an admin picks an existing customer, whose email and account go on the
//! order and whose default addresses prefill the form. Decoded loosely, so fields the customers
//! section adds later do not break sales. Reads only: customers owns these records.

use backoffice_sdk::address::Address;
use backoffice_sdk::customers as shared;
use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// The grants sales asks for in its manifest.
pub const READS: &[(&str, &str)] = &[shared::READS, ("customers", "addresses")];

/// How many matches the customer search offers.
const SEARCH_LIMIT: u32 = 20;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct AddressRec {
    #[serde(flatten)]
    address: Address,
    default_billing: bool,
    default_shipping: bool,
}

fn addresses() -> Collection<AddressRec> {
    Collection::new("customers/addresses")
}

/// A customer as the assisted-order form shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub reference: String,
    pub name: String,
    pub email: String,
    pub customer_id: i64,
    pub status: String,
}

impl From<shared::Customer> for Customer {
    fn from(c: shared::Customer) -> Customer {
        Customer {
            name: c.name(),
            reference: c.reference,
            email: c.email,
            customer_id: c.customer_id,
            status: c.status,
        }
    }
}

/// At most [`SEARCH_LIMIT`] customers whose reference, email or names contain every word of
/// `text` (the customers section declares those fields searchable).
pub fn search(text: &str) -> Result<Vec<Customer>, Failure> {
    Ok(shared::search(text, SEARCH_LIMIT)?
        .into_iter()
        .map(Customer::from)
        .collect())
}

/// The customer `reference`, who may be ordered for: 404 when unknown, 409 when blocked or
/// anonymised (an anonymised customer has no real email, a blocked one is kept from buying).
pub fn orderable(reference: &str) -> Result<Customer, Failure> {
    let Some(found) = shared::find(reference)? else {
        return Err(Failure::not_found(format!(
            "customer {reference} not found"
        )));
    };
    let customer = Customer::from(found);
    match customer.status.as_str() {
        "blocked" | "anonymised" => Err(Failure::conflict(format!(
            "customer {reference} is {} and cannot be ordered for",
            customer.status
        ))),
        _ => Ok(customer),
    }
}

/// The customer's default billing and default shipping addresses, where they have them.
pub fn default_addresses(reference: &str) -> Result<(Option<Address>, Option<Address>), Failure> {
    let page = addresses()
        .query()
        .eq("customer_ref", reference)
        .limit(200)
        .fetch()
        .map_err(shared::unreadable)?;
    let pick = |wanted: fn(&AddressRec) -> bool| {
        page.records
            .iter()
            .find(|r| wanted(&r.data))
            .map(|r| r.data.address.clone())
    };
    Ok((pick(|a| a.default_billing), pick(|a| a.default_shipping)))
}
