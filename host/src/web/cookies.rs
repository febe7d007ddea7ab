//! Reading and writing the host's cookies.
//!
//! Every cookie is HttpOnly and SameSite=Lax. Behind TLS they also get `Secure` and the
//! `__Host-` prefix, which pins them to this host and path `/`.

use axum::http::{HeaderMap, HeaderValue, header};

/// The admin session cookie.
pub const SESSION: &str = "bo_session";
/// The storefront customer session cookie (a different realm from [`SESSION`]).
pub const CUSTOMER: &str = "bo_customer";
/// The agent session cookie (agent assist: a back-office user acting on the storefront; a realm
/// of its own, neither [`SESSION`] nor [`CUSTOMER`]).
pub const AGENT: &str = "bo_agent";
/// The theme an allowed user previews instead of the active one.
pub const PREVIEW: &str = "bo_preview";
/// The anonymous CSRF token for sign-in forms (double-submit).
pub const ANON_CSRF: &str = "bo_form";
/// A one-shot message shown on the next page.
pub const FLASH: &str = "bo_flash";

/// The name a cookie has on the wire.
pub fn wire_name(name: &str, behind_tls: bool) -> String {
    if behind_tls {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

/// The value of cookie `name` (its wire name) in the request.
pub fn get(headers: &HeaderMap, name: &str, behind_tls: bool) -> Option<String> {
    let wanted = wire_name(name, behind_tls);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == wanted)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value; `max_age` of `None` makes a browser-session cookie, `Some(0)` deletes.
pub fn set(name: &str, value: &str, max_age: Option<i64>, behind_tls: bool) -> HeaderValue {
    let mut cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax",
        wire_name(name, behind_tls)
    );
    if behind_tls {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&cookie).expect("cookie values are hex or percent-encoded")
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear(name: &str, behind_tls: bool) -> HeaderValue {
    set(name, "", Some(0), behind_tls)
}
