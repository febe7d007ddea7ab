//! The rules every kind of content shares: which of the shop's locales a shopper reads, whether
//! a record is shown in the current store and on the current day, what a storefront address
//! may look like, and the signed preview links.

use backoffice_sdk::prelude::*;
use backoffice_sdk::{context, dates, extensions};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// The host point that says who answers a storefront address.
pub const ROUTE_OWNER: &str = "host.route-owner";

/// How long a preview link works, in seconds.
pub const PREVIEW_TTL: i64 = 3600;

// Shared with every section that shows per-locale, per-store or time-windowed records.
pub use backoffice_sdk::context::{check_locale, in_store, locale_codes, shop_locale};
pub use backoffice_sdk::dates::{check_window, in_window};

/// Checks store codes against the shop's stores.
pub fn check_stores(stores: &[String], errors: &mut Errors) {
    let known = context::store_codes();
    for code in stores {
        if !known.contains(code) {
            errors.add("stores", format!("there is no store {code}"));
        }
    }
}

/// Codes from a form's comma-separated text (`DE, AT`), blanks dropped.
pub fn codes(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A form's placeholder fields, `ph.<name>`, by name.
pub fn placeholders(fields: &Fields) -> std::collections::BTreeMap<String, String> {
    fields
        .prefixed("ph.")
        .map(|(name, value)| {
            (
                name.to_owned(),
                value.as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A storefront address: `/` then segments of lower-case letters, digits, `-`, `_` and `.`,
/// separated by single `/`, no trailing `/`, at most 200 characters.
pub fn is_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix('/') else {
        return false;
    };
    url.len() <= 200
        && !rest.is_empty()
        && rest.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
        })
}

/// Who answers `url` on the storefront besides this section (the host or another section),
/// asked through the host's `host.route-owner`.
pub fn route_owner(url: &str) -> Result<Option<String>, Failure> {
    #[derive(Deserialize)]
    struct Owner {
        owner: Option<String>,
    }
    let answers = extensions::invoke::<_, Owner>(ROUTE_OWNER, &serde_json::json!({ "path": url }))
        .map_err(Failure::internal)?;
    let mut owner = None;
    for answer in answers {
        let found = answer.outcome.map_err(Failure::internal)?;
        owner = owner.or(found.owner);
    }
    Ok(owner.filter(|o| o != "content"))
}

/// A local path or an http(s) address without spaces or control characters.
pub fn is_target(url: &str) -> bool {
    let local = url.starts_with('/') && !url.starts_with("//") && !url.contains('\\');
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    (local || absolute) && url.len() <= 500 && !url.chars().any(|c| c.is_control() || c == ' ')
}

type HmacSha256 = Hmac<Sha256>;

/// The key preview links are signed with: a plugin setting, made on first use.
fn preview_key(create: bool) -> Result<Option<String>, Failure> {
    if let Some(key) = services::setting::<String>("preview_key").map_err(Failure::internal)? {
        return Ok(Some(key));
    }
    if !create {
        return Ok(None);
    }
    let key = random_hex();
    services::set_setting("preview_key", &key).map_err(Failure::internal)?;
    Ok(Some(key))
}

/// 256 bits from the host's randomness: std's `RandomState` is keyed from WASI `random`.
fn random_hex() -> String {
    use std::hash::BuildHasher;
    (0..4u64)
        .map(|i| {
            format!(
                "{:016x}",
                std::collections::hash_map::RandomState::new().hash_one(i)
            )
        })
        .collect()
}

fn signature(key: &str, page_id: &str, expires: i64) -> Result<String, Failure> {
    let mut mac =
        HmacSha256::new_from_slice(key.as_bytes()).map_err(|e| Failure::internal(e.to_string()))?;
    mac.update(format!("{page_id}|{expires}").as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// A preview token for `page_id`, good for [`PREVIEW_TTL`] seconds: `<expires>.<signature>`.
pub fn preview_token(page_id: &str) -> Result<String, Failure> {
    let key = preview_key(true)?.ok_or_else(|| Failure::internal("no preview key"))?;
    let expires = dates::now() + PREVIEW_TTL;
    Ok(format!("{expires}.{}", signature(&key, page_id, expires)?))
}

/// Whether `token` is a preview token for `page_id` that has not expired, presented by a
/// signed-in back-office user allowed to preview pages.
pub fn preview_allowed(page_id: &str, token: &str) -> bool {
    if services::current_user().is_none() || !services::can("content", "pages", "preview") {
        return false;
    }
    let Some((expires, sig)) = token.split_once('.') else {
        return false;
    };
    let Ok(expires) = expires.parse::<i64>() else {
        return false;
    };
    if dates::now() > expires {
        return false;
    }
    let Ok(Some(key)) = preview_key(false) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(key.as_bytes()) else {
        return false;
    };
    mac.update(format!("{page_id}|{expires}").as_bytes());
    let Ok(sig) = hex::decode(sig) else {
        return false;
    };
    mac.verify_slice(&sig).is_ok()
}
