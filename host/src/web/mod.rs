//! The HTTP surface: routes, middleware order, static assets.
//!
//! Request flow: `request_log` (outermost: request id, the log line, HTTP metrics) →
//! `render_errors` (turns errors into pages/JSON) → security headers → `/healthz` and `/readyz`
//! (`health`), or → `identify` (who is calling) → `look::choose` (surface and theme) →
//! `csrf::verify` (state changes) → `agent::audit_acts` (an assisting agent's changes) → routes; every `/admin/...` route additionally passes
//! `guard`. Paths no route matches go to the plugins' storefront routes. Errors of every layer
//! become statuses in `error` and nowhere else.

pub mod account;
pub mod agent;
pub mod cookies;
pub mod csrf;
pub mod customers;
pub mod dispatch;
pub mod error;
pub mod forgot;
pub mod guard;
pub mod health;
pub mod identity;
pub mod input;
pub mod login;
pub mod look;
pub mod mail;
pub mod media;
pub mod media_files;
pub mod metrics;
pub mod multipart;
pub mod named;
pub mod nav;
pub mod pages;
pub mod password_change;
pub mod plugins;
pub mod proxy;
pub mod request_log;
pub mod settings;
pub mod slots;
pub mod storefront;
pub mod theme_assets;
pub mod themes;
pub mod users;
pub mod view;
pub mod widgets;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};

use crate::acl::Granted;
use crate::audit;
use crate::state::AppState;
use error::AppResult;
use guard::guard;
use view::PageCtx;

/// Largest request body the host accepts, on its own pages and on plugin routes alike; only
/// multipart bodies to plugin routes may be larger (`multipart::PLUGIN_UPLOAD_LIMIT`).
pub(crate) const BODY_LIMIT: usize = 256 * 1024;

/// The whole application.
pub fn app(state: AppState) -> Router {
    app_with_admin_routes(state, Router::new())
}

/// The application with extra routes under `/admin`, behind the same session, CSRF and ACL
/// checks as the host's own pages (benchmarks use it for a native baseline route).
pub fn app_with_admin_routes(state: AppState, extra: Router<AppState>) -> Router {
    let admin = Router::new()
        .merge(extra)
        .merge(pages::router())
        .merge(users::router())
        .merge(named::router())
        .merge(plugins::router())
        .merge(themes::router())
        .merge(mail::router())
        .merge(settings::router())
        .merge(media::router(state.settings().media.max_upload))
        .route("/admin/{*rest}", any(dispatch::admin))
        .layer(from_fn_with_state(state.clone(), guard));
    Router::new()
        .route("/assets/backoffice.css", get(stylesheet))
        .merge(storefront::router())
        .merge(theme_assets::router())
        .merge(customers::router().layer(from_fn(agent::keep_out)))
        .merge(agent::router())
        .merge(login::router())
        .merge(forgot::router())
        .merge(account::router())
        .merge(metrics::router())
        .merge(media_files::router())
        .merge(admin)
        .fallback(dispatch::storefront)
        .method_not_allowed_fallback(error::render::method_not_allowed)
        .layer(from_fn_with_state(state.clone(), agent::audit_acts))
        .layer(from_fn_with_state(state.clone(), csrf::verify))
        .layer(from_fn_with_state(state.clone(), look::choose))
        .layer(from_fn_with_state(state.clone(), identity::identify))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // The probes skip who-is-calling and theme lookups: `/readyz` must answer 503, not
        // fail, when the database is gone.
        .merge(health::router())
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(
            state.clone(),
            error::render::render_errors,
        ))
        .layer(from_fn_with_state(state.clone(), request_log::log))
        .with_state(state)
}

/// The nonce of one response's `Content-Security-Policy`, for the templates' script tags
/// (`csp_nonce`): 128 random bits, new for every response.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn new() -> CspNonce {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        CspNonce(hex::encode(bytes))
    }
}

/// Writes an audit row for an act of the granted caller.
pub async fn record(
    state: &AppState,
    page: &PageCtx,
    granted: &Granted,
    action: &str,
    target: &str,
    detail: &str,
) -> AppResult<()> {
    let entry = audit::Entry::by(
        granted.principal(),
        &page.identity().ip,
        action,
        target,
        detail,
    );
    audit::record(state.db(), entry, state.now()).await?;
    Ok(())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        crate::themes::builtin::stylesheet(),
    )
        .into_response()
}

/// Headers every response carries: no framing, no sniffing, no inline script, no caching of
/// pages that may show private data.
async fn security_headers(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let nonce = CspNonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Scripts run only with this response's nonce: the host's own `<script nonce="{{
    // csp_nonce }}">` tags do, a script a plugin or a stored value slipped into a page does
    // not, not even one served from this origin.
    let csp = format!(
        "default-src 'self'; script-src 'nonce-{}'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        nonce.0
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
