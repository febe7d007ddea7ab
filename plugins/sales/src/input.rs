//! Reading and checking what shoppers and admins send: addresses, quantities, ids, filters.
//! Forms and JSON bodies give the same values; every refusal names the field (422).

use backoffice_sdk::address::Address;
use backoffice_sdk::prelude::*;
use serde::Deserialize;

/// Longest free text accepted in an address field or comment line.
pub const TEXT_MAX: usize = 200;
pub const COMMENT_MAX: usize = 5_000;
/// Largest quantity of one line.
pub const QUANTITY_MAX: i64 = 999;
/// Different products in one cart or order: a shop's largest real orders stay far below it,
/// and a cart (which an anonymous visitor can fill) stays a small record.
pub const LINES_MAX: usize = 100;

pub use backoffice_sdk::input::param;

/// A parameter sales treats as part of the input it validates: missing is 422 (not 400).
pub fn required(req: &Request, name: &str) -> Result<String, Failure> {
    param(req, name).ok_or_else(|| Failure::unprocessable(format!("{name} is required")))
}

/// A line quantity: 1 to [`QUANTITY_MAX`] (0 too when `allow_zero`, meaning "remove").
pub fn quantity(req: &Request, allow_zero: bool) -> Result<i64, Failure> {
    let Some(text) = param(req, "quantity") else {
        return Ok(1);
    };
    let min = if allow_zero { 0 } else { 1 };
    match text.parse::<i64>() {
        Ok(q) if (min..=QUANTITY_MAX).contains(&q) => Ok(q),
        _ => Err(Failure::unprocessable(format!(
            "quantity must be a whole number from {min} to {QUANTITY_MAX}"
        ))),
    }
}

/// Checks an address; `prefix` names the fields in messages (`billing.zip`).
pub fn check_address(address: &mut Address, prefix: &str) -> Result<(), Failure> {
    let fields: [(&str, &mut String, bool); 9] = [
        ("first_name", &mut address.first_name, true),
        ("last_name", &mut address.last_name, true),
        ("company", &mut address.company, false),
        ("street", &mut address.street, true),
        ("house_number", &mut address.house_number, false),
        ("zip", &mut address.zip, true),
        ("city", &mut address.city, true),
        ("country", &mut address.country, true),
        ("phone", &mut address.phone, false),
    ];
    for (name, value, needed) in fields {
        *value = value.trim().to_owned();
        if needed && value.is_empty() {
            return Err(Failure::unprocessable(format!(
                "{prefix}.{name} is required"
            )));
        }
        if value.chars().count() > TEXT_MAX {
            return Err(Failure::unprocessable(format!(
                "{prefix}.{name} is longer than {TEXT_MAX} characters"
            )));
        }
    }
    address.country = address.country.to_ascii_uppercase();
    if address.country.len() != 2 || !address.country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(Failure::unprocessable(format!(
            "{prefix}.country must be a two-letter ISO country code"
        )));
    }
    Ok(())
}

/// An address from form fields `<prefix>_first_name`, … (HTML forms).
pub fn address_from_form(req: &Request, prefix: &str) -> Address {
    let f = |name: &str| {
        req.form(&format!("{prefix}_{name}"))
            .unwrap_or("")
            .to_owned()
    };
    Address {
        first_name: f("first_name"),
        last_name: f("last_name"),
        company: f("company"),
        street: f("street"),
        house_number: f("house_number"),
        zip: f("zip"),
        city: f("city"),
        country: f("country"),
        phone: f("phone"),
    }
}

/// Addresses, shipment and payment of a checkout (or an assisted order).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CheckoutInput {
    pub email: String,
    pub billing: Address,
    /// None: ship to the billing address.
    pub shipping: Option<Address>,
    /// A shipment method's code; empty: the first one offered.
    pub shipment: String,
    /// A payment method's code; empty: the first one active in the store.
    pub payment: String,
    /// Voucher codes (the cart's are added to them).
    pub codes: Vec<String>,
}

/// Reads a checkout from a JSON body, or from form fields `billing_*`, `shipping_*` (used
/// unless `shipping_same` is set), `email`, `shipment`, `payment`; checks it.
pub fn checkout(req: &Request) -> Result<CheckoutInput, Failure> {
    let mut input = if req.body.is_some() {
        req.json::<CheckoutInput>()?
    } else {
        CheckoutInput {
            email: req.form("email").unwrap_or("").to_owned(),
            billing: address_from_form(req, "billing"),
            shipping: (req.form("shipping_same").is_none())
                .then(|| address_from_form(req, "shipping")),
            shipment: req.form("shipment").unwrap_or("").to_owned(),
            payment: req.form("payment").unwrap_or("").to_owned(),
            codes: Vec::new(),
        }
    };
    check_address(&mut input.billing, "billing")?;
    if let Some(shipping) = input.shipping.as_mut() {
        check_address(shipping, "shipping")?;
    }
    input.shipment = input.shipment.trim().to_owned();
    input.payment = input.payment.trim().to_owned();
    input.email = input.email.trim().to_owned();
    Ok(input)
}

/// A plausible email address (one `@`, something on both sides, no spaces).
pub fn check_email(email: &str) -> Result<(), Failure> {
    let ok = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'));
    if ok {
        Ok(())
    } else {
        Err(Failure::unprocessable("email must be an email address"))
    }
}
