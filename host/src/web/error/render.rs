//! Middleware that turns every error into what the client can use: a JSON object for scripts, a
//! redirect to sign-in for a browser without a session (the customer sign-in on storefront
//! paths), an explanatory HTML page otherwise, in the look of the request's surface and theme.
//! It renders only what an [`ErrorReport`] says (status and public message), never an error's
//! detail.

use super::{AppError, ErrorReport};
use crate::auth::Identity;
use crate::state::AppState;
use crate::themes::Surface;
use crate::web::look::Look;
use crate::web::view::{error_page, see_other, wants_json};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Marks a response to a request whose session had timed out, so the sign-in page can say so.
#[derive(Debug, Clone, Copy)]
pub struct SessionExpired;

pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let json = wants_json(request.headers());
    let is_get = request.method() == Method::GET;
    let path = request.uri().path().to_owned();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let response = next.run(request).await;
    let Some(report) = response.extensions().get::<ErrorReport>().cloned() else {
        return response;
    };
    let expired = response.extensions().get::<SessionExpired>().is_some();
    // The inner layers' headers (cookies, security headers) belong on the replacement too;
    // only those describing the discarded body do not.
    let carried: Vec<_> = response
        .headers()
        .iter()
        .filter(|(name, _)| *name != header::CONTENT_TYPE && *name != header::CONTENT_LENGTH)
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let mut out = if json {
        let body = serde_json::json!({ "error": report.message, "status": report.status.as_u16() });
        (report.status, Json(body)).into_response()
    } else if report.status == StatusCode::UNAUTHORIZED {
        let (login, home) = match Surface::of_path(&path) {
            Surface::Backoffice => ("/login", "/admin"),
            Surface::Storefront => ("/customer/login", "/customer/account"),
        };
        let next = if is_get { target.as_str() } else { home };
        let message = if expired {
            "Your session has expired. Please sign in again."
        } else {
            "Please sign in to continue."
        };
        let location = format!("{login}?next={}", encode_component(next));
        see_other(&location, Some((message, state.settings().behind_tls)))
    } else {
        let look = response
            .extensions()
            .get::<Look>()
            .cloned()
            .unwrap_or_else(|| Look::fallback(&state, &path));
        let identity = response
            .extensions()
            .get::<Identity>()
            .cloned()
            .unwrap_or_default();
        // A storefront error page keeps the shop's header and footer (menus, blocks).
        let slots = match look.surface {
            Surface::Storefront => {
                crate::web::slots::fill(&state, crate::web::storefront::LOCALE).await
            }
            Surface::Backoffice => crate::web::slots::empty(look.surface),
        };
        error_page(
            &state,
            &look,
            &identity,
            &path,
            report.status,
            &report.message,
            &slots,
        )
    };
    for (name, value) in carried {
        if name == header::SET_COOKIE {
            out.headers_mut().append(name, value);
        } else if !out.headers().contains_key(&name) {
            out.headers_mut().insert(name, value);
        }
    }
    out
}

/// Percent-encodes a path for use as a query value.
pub fn encode_component(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Fallback for a known path with the wrong method (e.g. a state change attempted with GET).
pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
