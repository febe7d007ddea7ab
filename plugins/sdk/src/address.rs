//! A postal address as sections store and exchange it.
//!
//! Why in the SDK: an address crosses sections. The customers section keeps its customers'
//! addresses in a shared collection, sales copies one onto every order (and reads the shared
//! collection to prefill an assisted order), and shipping or invoicing sections will read both.
//! One type means one JSON shape: the same field names, and the optional fields left out when
//! empty, in every record and event that carries an address. A section adds its own fields
//! around it with `#[serde(flatten)]`, which keeps them on the same JSON level:
//!
//! ```ignore
//! #[derive(Serialize, Deserialize, Default)]
//! #[serde(default)]
//! struct AddressRecord {
//!     customer_ref: String,
//!     #[serde(flatten)]
//!     address: Address,   // {"customer_ref": …, "first_name": …, …, "default_billing": …}
//!     default_billing: bool,
//! }
//! ```
//!
//! The type holds no rules: what is required and how long a field may be is each section's
//! decision (and part of its documented answers), so checking stays with the section.

use serde::{Deserialize, Serialize};

/// A postal address. Every field is text; `company`, `house_number` and `phone` are left out of
/// the JSON when empty, and a missing field reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub company: String,
    pub street: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub house_number: String,
    pub zip: String,
    pub city: String,
    /// ISO 3166-1 alpha-2 (`DE`).
    pub country: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub phone: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_optional_fields_are_left_out_and_missing_ones_read_as_empty() {
        let address = Address {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            street: "Main St".into(),
            zip: "10115".into(),
            city: "Berlin".into(),
            country: "DE".into(),
            ..Address::default()
        };
        let value = serde_json::to_value(&address).unwrap();
        assert_eq!(
            value,
            json!({"first_name": "Ann", "last_name": "Lee", "street": "Main St",
                   "zip": "10115", "city": "Berlin", "country": "DE"})
        );
        assert_eq!(serde_json::from_value::<Address>(value).unwrap(), address);
        let partial: Address = serde_json::from_value(json!({"city": "Rome"})).unwrap();
        assert_eq!(partial.city, "Rome");
        assert_eq!(partial.street, "");
    }

    #[test]
    fn a_flattened_address_stays_on_the_record_level_in_field_order() {
        #[derive(Serialize, Deserialize, Default, PartialEq, Debug)]
        #[serde(default)]
        struct Record {
            owner: String,
            #[serde(flatten)]
            address: Address,
            default_billing: bool,
        }
        let record = Record {
            owner: "CU-1".into(),
            address: Address {
                company: "ACME".into(),
                country: "DE".into(),
                ..Address::default()
            },
            default_billing: true,
        };
        let text = serde_json::to_string(&record).unwrap();
        assert_eq!(
            text,
            r#"{"owner":"CU-1","first_name":"","last_name":"","company":"ACME","street":"","zip":"","city":"","country":"DE","default_billing":true}"#
        );
        assert_eq!(serde_json::from_str::<Record>(&text).unwrap(), record);
    }
}
