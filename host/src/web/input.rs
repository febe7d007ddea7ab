//! `Input<T>`: the body of a state-changing request, as an HTML form or as JSON.
//!
//! Both encodings deserialize into the same struct, so every endpoint is a form endpoint and an
//! API endpoint at once. Decoding problems become 400/422 with a message naming the problem;
//! invalid UTF-8 is refused rather than silently replaced.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use super::error::AppError;

#[derive(Debug)]
pub struct Input<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Input<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::TooLarge)?;
        if is_json {
            serde_json::from_slice(&bytes).map(Input).map_err(|e| {
                if e.is_syntax() || e.is_eof() {
                    AppError::BadRequest(format!("The JSON body could not be read: {e}"))
                } else {
                    AppError::Invalid(format!("The JSON body is not as expected: {e}"))
                }
            })
        } else {
            check_utf8(&bytes)?;
            serde_html_form::from_bytes(&bytes)
                .map(Input)
                .map_err(|e| AppError::Invalid(format!("The form is not as expected: {e}")))
        }
    }
}

/// Percent-decodes every key and value and refuses the form if any is not valid UTF-8.
pub(crate) fn check_utf8(body: &[u8]) -> Result<(), AppError> {
    let refuse = || AppError::BadRequest("The form contains text that is not valid UTF-8.".into());
    for piece in body.split(|b| *b == b'&' || *b == b'=') {
        let mut decoded = Vec::with_capacity(piece.len());
        let mut i = 0;
        while i < piece.len() {
            match piece[i] {
                b'%' => {
                    let hex = piece.get(i + 1..i + 3).ok_or_else(refuse)?;
                    let hex = std::str::from_utf8(hex).map_err(|_| refuse())?;
                    decoded.push(u8::from_str_radix(hex, 16).map_err(|_| refuse())?);
                    i += 3;
                }
                b'+' => {
                    decoded.push(b' ');
                    i += 1;
                }
                b => {
                    decoded.push(b);
                    i += 1;
                }
            }
        }
        std::str::from_utf8(&decoded).map_err(|_| refuse())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_utf8;

    #[test]
    fn invalid_utf8_in_forms_is_refused() {
        assert!(check_utf8(b"name=J%C3%B6rg&x=1").is_ok());
        assert!(check_utf8(b"name=%FF%FE").is_err());
        assert!(check_utf8(b"name=%G1").is_err());
        assert!(check_utf8(b"name=%C3").is_err());
        assert!(check_utf8(&[b'n', b'=', 0xff]).is_err());
    }
}

/// Fuzz target: any body, as a form or as JSON, decodes into a typed struct or is refused with
/// 400, 413 or 422; never a panic, never a 500.
#[cfg(test)]
mod fuzz {
    use axum::body::Body;
    use axum::extract::{FromRequest, Request};
    use axum::http::StatusCode;
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::Input;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // Fields exist to be decoded into.
    struct Form {
        name: String,
        quantity: Option<i64>,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        active: bool,
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            "(name|quantity|tags|active|=|&|%|%C3|%FF|%2|\\+|1|-9|true|\\[\\]|\\{|\\}|\"|:|,){0,16}"
                .prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn fuzz_form_and_json_decoding_refuses_cleanly(body in body(), json in any::<bool>()) {
            let content_type = if json { "application/json" } else { "application/x-www-form-urlencoded" };
            let request = Request::builder()
                .method("POST")
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let decoded = runtime.block_on(Input::<Form>::from_request(request, &()));
            if let Err(error) = decoded {
                prop_assert!(
                    [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE, StatusCode::UNPROCESSABLE_ENTITY]
                        .contains(&error.status()),
                    "{error:?}"
                );
            }
        }
    }
}

/// `Params<T>`: the query string, with decoding problems reported like body problems.
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        check_utf8(query.as_bytes())?;
        serde_html_form::from_str(query)
            .map(Params)
            .map_err(|e| AppError::BadRequest(format!("The address is not as expected: {e}")))
    }
}

/// The query of a searchable list page: `?q=<words>&page=N`.
#[derive(Debug, serde::Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<i64>,
}

impl SearchQuery {
    /// The search text (trimmed, at most 100 characters: 422 beyond) and the page asked for.
    pub fn read(&self, per_page: i64) -> Result<(String, Paging), crate::validate::Invalid> {
        let search =
            crate::validate::optional_text("Search", self.q.as_deref().unwrap_or(""), 100)?;
        Ok((search, Paging::new(self.page, per_page)))
    }
}

/// One page of a list: `?page=N`, 1-based, with a fixed page size.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub fn new(page: Option<i64>, per_page: i64) -> Paging {
        Paging {
            page: page.unwrap_or(1).clamp(1, 1_000_000),
            per_page,
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// What a template needs to draw "previous / next" links.
    pub fn summary(&self, total: i64) -> serde_json::Value {
        let pages = ((total + self.per_page - 1) / self.per_page).max(1);
        serde_json::json!({
            "page": self.page,
            "pages": pages,
            "total": total,
            "prev": (self.page > 1).then_some(self.page - 1),
            "next": (self.page < pages).then_some(self.page + 1),
        })
    }
}
