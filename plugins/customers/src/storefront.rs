//! The signed-in customer's own pages on the storefront, under `/my-account`: profile, addresses
//! and data protection (download my data, ask for deletion). Every record is found from the
//! host's `current-customer`, never from an id the client sends: an address id in a URL or body
//! only ever matches the customer's own addresses (anything else is a 404, as if it did not
//! exist), and an owner the client names is ignored.

use backoffice_sdk::prelude::*;
use backoffice_sdk::services::Customer;
use serde::Serialize;

use crate::customers::{CustomerOut, apply_profile, new_reference};
use crate::model::{AddressData, CustomerData, customers};
use crate::privacy;
use crate::rules;

pub const PROFILE: &str = "/my-account";
pub const ADDRESSES: &str = "/my-account/addresses";
pub const PRIVACY: &str = "/my-account/privacy";

pub fn routes(router: Router) -> Router {
    router
        .storefront(Method::Get, PROFILE, profile)
        .storefront(Method::Post, PROFILE, save_profile)
        .storefront(Method::Get, ADDRESSES, address_list)
        .storefront(Method::Post, ADDRESSES, add_address)
        .storefront(Method::Post, "/my-account/addresses/edit", edit_address)
        .storefront(Method::Post, "/my-account/addresses/delete", delete_address)
        .storefront(Method::Get, PRIVACY, privacy_page)
        .storefront(Method::Post, "/my-account/privacy/export", export_mine)
        .storefront(Method::Post, "/my-account/privacy/delete", request_deletion)
}

/// The profile of the host account `customer_id`, created (with a fresh reference) when the
/// section has none yet: on the `host.customer-registered` event, or on the customer's first
/// visit if that event has not been delivered yet. Idempotent.
pub fn ensure_profile(customer_id: i64, email: &str) -> Result<Record<CustomerData>, Failure> {
    if let Some(found) = by_account(customer_id)? {
        return Ok(found);
    }
    let mut data = CustomerData {
        reference: new_reference()?,
        email: email.to_owned(),
        customer_id,
        created: rules::now(),
        ..CustomerData::default()
    };
    data.set_state(false, false);
    match customers().put(&data.reference, &data) {
        Ok(r) => Ok(r),
        // Created meanwhile by the other path (event or first visit).
        Err(StorageError::UniqueViolation(f)) if f == "customer_id" => by_account(customer_id)?
            .ok_or_else(|| Failure::internal("the customer profile vanished")),
        Err(e) => Err(customers().failure(e, &data)),
    }
}

fn by_account(customer_id: i64) -> Result<Option<Record<CustomerData>>, Failure> {
    let page = customers()
        .query()
        .eq("customer_id", customer_id)
        .limit(1)
        .fetch()?;
    Ok(page.records.into_iter().next())
}

/// The signed-in customer and their profile; not signed in → to the sign-in page (401 for
/// scripts).
fn me() -> Result<(Customer, Record<CustomerData>), Failure> {
    let Some(customer) = services::current_customer() else {
        return Err(Failure::new(401, "sign in to see your account"));
    };
    let profile = ensure_profile(customer.id, &customer.email)?;
    Ok((customer, profile))
}

/// Runs `page` for the signed-in customer, or sends a browser to sign in first.
fn signed_in(req: &Request, page: fn(&Request, Record<CustomerData>) -> Reply) -> Reply {
    match me() {
        Ok((_, profile)) => page(req, profile),
        Err(f) if f.status == 401 && !req.wants_json => Ok(redirect(format!(
            "/customer/login?next={}",
            url::encode(&req.path)
        ))),
        Err(f) => Err(f),
    }
}

#[derive(Debug, Serialize)]
struct ProfileContext {
    customer: CustomerOut,
    salutations: &'static [&'static str],
    genders: &'static [&'static str],
}

fn profile(req: &Request) -> Reply {
    signed_in(req, |req, me| {
        let ctx = ProfileContext {
            customer: me.into(),
            salutations: rules::SALUTATIONS,
            genders: rules::GENDERS,
        };
        Ok(view_or_json(
            req,
            "storefront/profile.html",
            "My account",
            &ctx,
        ))
    })
}

/// Saves the profile. The email and everything the Back Office manages (notes, groups, the
/// blocked flag) are not the customer's to change here, whatever the body says.
fn save_profile(req: &Request) -> Reply {
    signed_in(req, |req, me| {
        let fields = Fields::from_request(req)?;
        let mut errors = Errors::default();
        let mut data = me.data.clone();
        let notes = data.notes.clone();
        apply_profile(&fields, &mut data, &mut errors, true);
        errors.finish()?;
        data.notes = notes;
        let saved = customers().save(&me, &data)?;
        services::audit("customer.profile", &saved.id, "changed on the storefront");
        Ok(json_or_redirect(
            req,
            &serde_json::json!({ "customer": CustomerOut::from(saved) }),
            PROFILE,
            "Your profile has been saved.",
        ))
    })
}

#[derive(Debug, Serialize)]
struct AddressesContext {
    addresses: Vec<Out<AddressData>>,
}

fn address_list(req: &Request) -> Reply {
    signed_in(req, |req, me| {
        let ctx = AddressesContext {
            addresses: crate::addresses::of(&me.id)?
                .into_iter()
                .map(Out::from)
                .collect(),
        };
        Ok(view_or_json(
            req,
            "storefront/addresses.html",
            "My addresses",
            &ctx,
        ))
    })
}

/// One of the signed-in customer's own addresses; any other id is "not found".
fn own_address(req: &Request, me: &Record<CustomerData>) -> Result<Record<AddressData>, Failure> {
    let id = input::required_id(req)?;
    match crate::model::addresses().find(&id)? {
        Some(a) if a.data.customer_ref == me.id => Ok(a),
        _ => Err(Failure::not_found(format!("address {id} not found"))),
    }
}

fn add_address(req: &Request) -> Reply {
    signed_in(req, |req, me| {
        let saved = crate::addresses::save_new(&me.id, &Fields::from_request(req)?)?;
        services::audit("address.create", &saved.id, "on the storefront");
        Ok(json_or_redirect(
            req,
            &serde_json::json!({ "address": Out::from(saved) }),
            ADDRESSES,
            "Address added.",
        ))
    })
}

fn edit_address(req: &Request) -> Reply {
    signed_in(req, |req, me| {
        let current = own_address(req, &me)?;
        let saved = crate::addresses::save(current, &Fields::from_request(req)?)?;
        services::audit("address.edit", &saved.id, "on the storefront");
        Ok(json_or_redirect(
            req,
            &serde_json::json!({ "address": Out::from(saved) }),
            ADDRESSES,
            "Address saved.",
        ))
    })
}

fn delete_address(req: &Request) -> Reply {
    signed_in(req, |req, me| {
        let address = own_address(req, &me)?;
        crate::addresses::remove(&address)?;
        services::audit("address.delete", &address.id, "on the storefront");
        Ok(json_or_redirect(
            req,
            &serde_json::json!({ "deleted": address.id }),
            ADDRESSES,
            "Address deleted.",
        ))
    })
}

#[derive(Debug, Serialize)]
struct PrivacyContext {
    customer: CustomerOut,
    deletion_requested: bool,
}

fn deletion_open(me: &Record<CustomerData>) -> Result<bool, Failure> {
    Ok(
        crate::model::all(&crate::model::data_requests(), "customer_ref", &me.id)?
            .iter()
            .any(|r| r.data.kind == "deletion" && r.data.status == "open"),
    )
}

fn privacy_page(req: &Request) -> Reply {
    signed_in(req, |req, me| {
        let ctx = PrivacyContext {
            deletion_requested: deletion_open(&me)?,
            customer: me.into(),
        };
        Ok(view_or_json(
            req,
            "storefront/privacy.html",
            "My data",
            &ctx,
        ))
    })
}

/// The customer's own data export, at once (recorded as a request that is done).
fn export_mine(req: &Request) -> Reply {
    crate::assistances::customer_only("Downloading the customer's data")?;
    signed_in(req, |_req, me| {
        privacy::record_request(&me.id, "export")?;
        services::audit("customer.export", &me.id, "requested on the storefront");
        let reference = me.id.clone();
        let data = privacy::export_of(me)?;
        privacy::export_file(&data, &reference)
    })
}

/// Asks for deletion: an open request the Back Office answers by anonymising. Asking twice
/// keeps one open request.
fn request_deletion(req: &Request) -> Reply {
    crate::assistances::customer_only("Asking for deletion")?;
    signed_in(req, |req, me| {
        if !deletion_open(&me)? {
            let r = privacy::record_request(&me.id, "deletion")?;
            services::audit("customer.deletion-request", &me.id, &r.id);
        }
        Ok(json_or_redirect(
            req,
            &serde_json::json!({ "deletion_requested": true }),
            PRIVACY,
            "We have received your request to delete your data.",
        ))
    })
}
