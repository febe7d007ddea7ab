//! The outermost middleware: gives each request its id, runs it inside a `request` span that
//! carries the id (so every line logged while it is handled, a plugin's own `log` calls
//! included, names it), then logs one line for it and counts it for `/metrics`.
//!
//! The line says method, path (never the query, which may hold a token), route pattern,
//! status, duration, the signed-in user or customer and the plugin that answered. The route
//! and plugin of a plugin request are known only once `dispatch` found them; it notes them in
//! the request's [`PluginRoute`]. Everything else comes from the response's extensions
//! (`Identity`) and the router (`MatchedPath`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use super::proxy::TrustedProxies;
use crate::auth::Identity;
use crate::observe::metrics::HttpRequest;
use crate::observe::{RequestId, request_id};
use crate::state::AppState;
use crate::themes::Surface;

/// The `route` of a request no route matched and no plugin answered (a 404).
const UNMATCHED: &str = "unmatched";

/// The operator's own routes, counted under the surface `operator` rather than the shop's.
const OPERATOR_ROUTES: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// The plugin that answered a request and the route pattern it answered on (`/p/{slug}`, or
/// `/admin/<plugin>/<controller>/<action>` for one the plugin declared). Filled by `dispatch`.
#[derive(Debug, Clone, Default)]
pub struct PluginRoute(Arc<Mutex<Option<(String, String)>>>);

impl PluginRoute {
    pub fn note(&self, plugin: &str, route: String) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((plugin.to_owned(), route));
    }

    fn take(&self) -> Option<(String, String)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

pub async fn log(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id_of(&request, &state.settings().trusted_proxies);
    let plugin_route = PluginRoute::default();
    request.extensions_mut().insert(plugin_route.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let (plugin, route) = plugin_route
        .take()
        .unwrap_or_else(|| (String::new(), matched.unwrap_or_else(|| UNMATCHED.into())));
    let status = response.status().as_u16();
    let surface = if OPERATOR_ROUTES.contains(&path.as_str()) {
        "operator"
    } else {
        Surface::of_path(&path).as_str()
    };
    state.metrics().http_request(&HttpRequest {
        surface,
        route: &route,
        status,
        plugin: &plugin,
        elapsed,
    });
    let identity = response.extensions().get::<Identity>();
    let user_id = identity
        .and_then(|i| i.principal.as_ref())
        .map(|p| p.user.id);
    let customer_id = identity
        .and_then(|i| i.customer.as_ref())
        .map(|c| c.customer.id);
    let plugin = (!plugin.is_empty()).then_some(plugin.as_str());
    span.in_scope(|| {
        tracing::info!(
            target: "backoffice::request",
            method = %method,
            path,
            route,
            status,
            duration_ms = elapsed.as_secs_f64() * 1e3,
            user_id,
            customer_id,
            plugin,
            surface,
            "request"
        )
    });
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(request_id::HEADER, value);
    }
    response
}

/// The id a trusted proxy sent along, or a new one.
fn request_id_of(request: &Request, proxies: &TrustedProxies) -> RequestId {
    let from_proxy = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| proxies.contains(peer.ip()));
    from_proxy
        .then(|| request.headers().get(request_id::HEADER)?.to_str().ok())
        .flatten()
        .and_then(RequestId::from_proxy)
        .unwrap_or_else(RequestId::generate)
}
