//! The records this section stores, the collections (with their indexed fields) that hold
//! them, and each record type's [`Resource`] (unique fields, audit wording). `customers`, `addresses` and `groups` are shared: other sections read them (see the
//! cross-section contract in README.md), so their shapes change only additively.

use backoffice_sdk::address::Address;
use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// A customer; the record id is the `reference`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerData {
    pub reference: String,
    pub email: String,
    pub salutation: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    /// `YYYY-MM-DD` or empty.
    pub date_of_birth: String,
    pub phone: String,
    pub locale: String,
    pub notes: String,
    /// The host's customer-realm account id (`identity.current-customer`).
    pub customer_id: i64,
    pub blocked: bool,
    pub anonymised: bool,
    /// `active`, `blocked` or `anonymised`: the indexed copy of the two flags that the list
    /// filters on (one equality on one index instead of two on unselective booleans).
    pub status: String,
    pub group_ids: Vec<String>,
    /// Indexed copy of `group_ids` as `|id1|id2|`, so the list can filter by group.
    pub groups: String,
    /// UTC unix seconds.
    pub created: i64,
}

impl CustomerData {
    pub fn set_groups(&mut self, ids: Vec<String>) {
        self.groups = if ids.is_empty() {
            String::new()
        } else {
            format!("|{}|", ids.join("|"))
        };
        self.group_ids = ids;
    }

    /// Sets the flags and their indexed `status` copy together.
    pub fn set_state(&mut self, blocked: bool, anonymised: bool) {
        self.blocked = blocked;
        self.anonymised = anonymised;
        self.status = if anonymised {
            "anonymised"
        } else if blocked {
            "blocked"
        } else {
            "active"
        }
        .into();
    }
}

/// A customer's address: the SDK's [`Address`] (the shape sales copies onto orders), its
/// fields on the record's own level between the owner and the default flags.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct AddressData {
    pub customer_ref: String,
    #[serde(flatten)]
    pub address: Address,
    pub default_billing: bool,
    pub default_shipping: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupData {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CompanyData {
    pub name: String,
    /// `pending`, `approved` or `denied`.
    pub status: String,
    pub active: bool,
    pub created: i64,
}

/// An address of a business unit: the same fields and rules as a customer's, without owner.
pub type UnitAddress = AddressData;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitData {
    pub company_id: String,
    /// Empty for a top-level unit.
    pub parent_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub addresses: Vec<UnitAddress>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CompanyUserData {
    pub company_id: String,
    pub unit_id: String,
    pub customer_ref: String,
    pub role_ids: Vec<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleData {
    pub company_id: String,
    pub name: String,
    pub is_default: bool,
}

/// A customer's request from the storefront: `export` (answered at once) or `deletion`
/// (open until a Back Office user anonymises the customer).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DataRequestData {
    pub customer_ref: String,
    pub kind: String,
    /// `open` or `done`.
    pub status: String,
    pub created: i64,
}

/// Customers, by reference; the email is unique (one account per address).
pub fn customers() -> Resource<CustomerData> {
    Resource::new("customers", "customer").unique(
        "email",
        "the email {email} is already used by another customer",
    )
}
pub fn addresses() -> Resource<AddressData> {
    Resource::new("addresses", "address").describe("customer {customer_ref}")
}
pub fn groups() -> Resource<GroupData> {
    Resource::new("groups", "group")
        .unique("name", "a group named {name} already exists")
        .describe("{name}")
}
pub fn companies() -> Resource<CompanyData> {
    Resource::new("companies", "company")
        .unique("name", "a company named {name} already exists")
        .describe("{name}")
}
pub fn units() -> Resource<UnitData> {
    Resource::new("business_units", "business unit")
        .audit_as("unit")
        .describe("company {company_id}")
}
/// A customer belongs to at most one company (`customer_ref` is unique).
pub fn company_users() -> Resource<CompanyUserData> {
    Resource::new("company_users", "company user")
        .unique(
            "customer_ref",
            "customer {customer_ref} already belongs to a company",
        )
        .describe("customer {customer_ref} in company {company_id}")
}
pub fn roles() -> Resource<RoleData> {
    Resource::new("company_roles", "role").describe("company {company_id}")
}
pub fn data_requests() -> Collection<DataRequestData> {
    Collection::new("data_requests")
}

/// Every collection of the section, for the manifest.
pub fn collections() -> Vec<CollectionDef> {
    vec![
        CollectionDef::new("customers")
            .field(Field::text("reference").unique().searchable())
            .field(Field::text("email").unique().searchable())
            .field(Field::integer("customer_id").unique())
            .field(Field::text("first_name").searchable())
            .field(Field::text("last_name").indexed().searchable())
            .field(Field::text("gender").indexed())
            .field(Field::text("status").indexed())
            .field(Field::text("groups").indexed())
            .field(Field::integer("created").indexed())
            .shared(),
        CollectionDef::new("addresses")
            .field(Field::text("customer_ref").indexed())
            .shared(),
        CollectionDef::new("groups")
            .field(Field::text("name").unique().searchable())
            .shared(),
        CollectionDef::new("companies")
            .field(Field::text("name").unique().searchable())
            .field(Field::text("status").indexed())
            .field(Field::boolean("active").indexed()),
        CollectionDef::new("business_units")
            .field(Field::text("company_id").indexed())
            .field(Field::text("parent_id").indexed()),
        CollectionDef::new("company_users")
            .field(Field::text("company_id").indexed())
            .field(Field::text("unit_id").indexed())
            .field(Field::text("customer_ref").unique()),
        CollectionDef::new("company_roles").field(Field::text("company_id").indexed()),
        CollectionDef::new("data_requests")
            .field(Field::text("customer_ref").indexed())
            .field(Field::text("status").indexed())
            .field(Field::integer("created").indexed()),
    ]
}

/// Every record whose `field` is `value`. For the small per-customer and per-company sets
/// (addresses, units, roles, users).
pub fn all<T: Serialize + serde::de::DeserializeOwned>(
    collection: &Collection<T>,
    field: &str,
    value: &str,
) -> Result<Vec<Record<T>>, Failure> {
    Ok(collection.query().eq(field, value).fetch_all()?)
}
