//! Middleware: every state-changing request (any method but GET/HEAD/OPTIONS) must prove it
//! comes from our own page.
//!
//! Session callers send their session's token, as the `_csrf` form field (urlencoded, or a part
//! of a multipart body; for multipart also the `_csrf` query parameter of the form's action URL)
//! or the `X-CSRF-Token` header: on Back Office paths the admin session's, on storefront paths
//! the agent session's when an agent is signed in (agent assist), else the customer session's.
//! Anonymous forms (sign-in, registration, storefront forms) use a double-submit cookie.
//! API-token callers carry no ambient credential and need no token. Anonymous requests to
//! `/admin`, `/account` and `/customer/account` pass through to be refused as unauthenticated,
//! which changes nothing.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::cookies;
use super::error::{AppError, AppResult};
use crate::auth::{Identity, Via, secret};
use crate::state::AppState;
use crate::themes::Surface;

/// The form field that carries the token.
pub const FIELD: &str = "_csrf";
/// The header that carries the token for scripted (fetch/JSON) requests.
pub const HEADER: &str = "x-csrf-token";
/// Largest body this middleware buffers to find the form field.
const MAX_FORM_BYTES: usize = 256 * 1024;

pub async fn verify(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> AppResult<Response> {
    if request.method().is_safe() {
        return Ok(next.run(request).await);
    }
    let identity = request
        .extensions()
        .get::<Identity>()
        .cloned()
        .unwrap_or_default();
    let path = request.uri().path();
    let session_token = match (
        Surface::of_path(path),
        identity.principal.as_ref().map(|p| &p.via),
    ) {
        (_, Some(Via::Token { .. })) => return Ok(next.run(request).await),
        (Surface::Backoffice, Some(Via::Session(s))) => Some(s.csrf_token.clone()),
        (Surface::Backoffice, None) => None,
        (Surface::Storefront, _) => super::view::session_csrf(&identity, Surface::Storefront),
    };
    let expected = match session_token {
        Some(token) => Some(token),
        None if requires_sign_in(path) => return Ok(next.run(request).await),
        None => cookies::get(
            request.headers(),
            cookies::ANON_CSRF,
            state.settings().behind_tls,
        ),
    };
    let expected = expected.ok_or(AppError::Csrf)?;
    let (provided, request) = provided_token(request).await?;
    match provided {
        Some(token) if secret::equal(&token, &expected) => Ok(next.run(request).await),
        _ => Err(AppError::Csrf),
    }
}

fn requires_sign_in(path: &str) -> bool {
    ["/admin", "/account", "/customer/account"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// The token from the header, or else from the body (urlencoded: buffered and put back;
/// multipart: see [`super::multipart::field`]).
async fn provided_token(request: Request) -> AppResult<(Option<String>, Request)> {
    if let Some(value) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let token = value.to_owned();
        return Ok((Some(token), request));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // File uploads: the token rides in the form's action URL (the Plugins page) or in the
    // form's `_csrf` part, read without buffering the files when it comes first.
    if let Some(boundary) = super::multipart::boundary(request.headers()) {
        let in_url = form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.into_owned());
        if in_url.is_some() {
            return Ok((in_url, request));
        }
        let (parts, body) = request.into_parts();
        let (token, body) = super::multipart::field(
            body,
            boundary?,
            FIELD,
            super::multipart::PLUGIN_UPLOAD_LIMIT,
        )
        .await?;
        return Ok((token, Request::from_parts(parts, body)));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((None, request));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}
