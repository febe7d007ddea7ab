//! The request parameters every section reads outside a write's fields: ids, the edited
//! `version` and its optimistic check, list paging (`limit`) and choices from the query string.

use crate::request::Request;
use crate::response::Failure;

/// A parameter wherever the client put it (query, form, JSON body; see
/// [`Request::param`]), trimmed; `None` when absent or blank.
pub fn param(req: &Request, name: &str) -> Option<String> {
    req.param(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A parameter that must be there: 400 `<name> is required`.
pub fn required(req: &Request, name: &str) -> Result<String, Failure> {
    param(req, name).ok_or_else(|| Failure::bad_request(format!("{name} is required")))
}

/// The `id` parameter: 400 `id is required`.
pub fn required_id(req: &Request) -> Result<String, Failure> {
    required(req, "id")
}

/// The `version` of the record the client edited, when sent; 400 `version must be an integer`.
pub fn version(req: &Request) -> Result<Option<i64>, Failure> {
    param(req, "version")
        .map(|v| {
            v.parse()
                .map_err(|_| Failure::bad_request("version must be an integer"))
        })
        .transpose()
}

/// The `version` of the record the client edited, for writes that must not overwrite a change
/// the client has not seen: 400 `version is required` when missing.
pub fn required_version(req: &Request) -> Result<i64, Failure> {
    version(req)?.ok_or_else(|| Failure::bad_request("version is required"))
}

/// The optimistic check: 409 when the client edited `sent` but the record is now at `stored`.
/// `what` names the record in the message (`"product p1"`, `"the customer"`).
pub fn check_version(what: &str, sent: Option<i64>, stored: i64) -> Result<(), Failure> {
    match sent {
        Some(sent) if sent != stored => Err(Failure::conflict(format!(
            "{what} was changed by someone else (you edited version {sent}, it is now version {stored}); reload and try again"
        ))),
        _ => Ok(()),
    }
}

/// A query-string value, trimmed; `None` when absent or blank.
pub fn query<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query(name).map(str::trim).filter(|v| !v.is_empty())
}

/// Page size of a list when the client asks for none.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page size a client may ask for.
pub const MAX_LIMIT: u32 = 200;

/// The page size `limit` of a list: [`DEFAULT_LIMIT`] when absent, else 1 to [`MAX_LIMIT`];
/// 400 `limit must be between 1 and 200` otherwise.
pub fn limit(req: &Request) -> Result<u32, Failure> {
    let Some(text) = query(req, "limit") else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<u32>() {
        Ok(n) if text.bytes().all(|b| b.is_ascii_digit()) && (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(Failure::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        ))),
    }
}

/// The query value `name` when it is one of `allowed`, `None` when absent; 400 `<name> must be
/// one of <allowed>` otherwise.
pub fn choice(
    req: &Request,
    name: &str,
    allowed: &[&'static str],
) -> Result<Option<&'static str>, Failure> {
    let Some(value) = query(req, name) else {
        return Ok(None);
    };
    allowed
        .iter()
        .find(|a| **a == value)
        .copied()
        .map(Some)
        .ok_or_else(|| {
            Failure::bad_request(format!("{name} must be one of {}", allowed.join(", ")))
        })
}
