//! Serving media files: `/media/<id>/<hash>/<name>` (the original) and
//! `/media/<id>/<hash>/<size>/<name>.<ext>` (a variant, made on its first request). Public,
//! like the storefront that shows them.
//!
//! The bytes behind a URL never change (the hash in it is checked), so answers are cacheable
//! for a year (`immutable`), with a strong ETag and 304 for a matching `If-None-Match`. The
//! content type is the one the decode found at upload; `nosniff` keeps browsers to it.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::error::{AppError, AppResult};
use crate::media::{self, Served};
use crate::state::AppState;

/// A year: the longest `max-age` caches honour.
const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/media/{id}/{hash}/{name}", get(original))
        .route("/media/{id}/{hash}/{size}/{name}", get(variant))
}

/// The id of a URL; not a number is not found.
fn id(raw: &str) -> AppResult<i64> {
    raw.parse()
        .map_err(|_| AppError::not_found("There is no media file at this address."))
}

async fn original(
    State(state): State<AppState>,
    Path((raw_id, hash, _name)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let served = media::original(state.db(), id(&raw_id)?, &hash).await?;
    Ok(answer(served, &headers))
}

async fn variant(
    State(state): State<AppState>,
    Path((raw_id, hash, size, name)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .unwrap_or_default();
    let served = media::variant(state.db(), id(&raw_id)?, &hash, &size, ext).await?;
    Ok(answer(served, &headers))
}

/// True when `If-None-Match` lists `etag` (or `*`); weak comparison, as RFC 9110 asks for it.
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

fn answer(served: Served, headers: &HeaderMap) -> Response {
    let mut response = if not_modified(headers, &served.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        served.data.into_response()
    };
    let fixed = response.headers_mut();
    let values = [
        (header::CONTENT_TYPE, served.content_type),
        (header::ETAG, served.etag),
        (header::CACHE_CONTROL, CACHE_CONTROL.to_owned()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
    ];
    for (name, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            fixed.insert(name, value);
        }
    }
    response
}
