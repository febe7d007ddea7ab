//! Middleware that turns every error into what the client can use: a JSON object for scripts, a
//! redirect to sign-in for a browser without a session, an explanatory HTML page otherwise.
//! This is the one place where errors meet HTTP.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use super::view::{see_other, wants_json};
use crate::error::{AppError, ErrorReport};
use crate::state::AppState;

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
        let next = if is_get { target.as_str() } else { "/admin" };
        let message = if expired {
            "Your session has expired. Please sign in again."
        } else {
            "Please sign in to continue."
        };
        let location = format!("/login?next={}", encode_component(next));
        see_other(&location, Some((message, state.settings().behind_tls)))
    } else {
        error_page(&state, report.status, &report.message)
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

fn error_page(state: &AppState, status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let ctx = context! { status => status.as_u16(), title, message };
    match state.templates().render("error.html", ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering the error page failed");
            (status, message.to_owned()).into_response()
        }
    }
}

/// Percent-encodes a path for use as a query value.
pub fn encode_component(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Fallback for a known path with the wrong method (e.g. a state change attempted with GET).
pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
