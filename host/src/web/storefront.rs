//! The storefront shell: the home page at `/`, rendered with the storefront theme, and what the
//! host does with an address nothing routes. Everything else a shop shows (categories,
//! products, CMS pages, cart) comes from plugins: their storefront routes
//! (`web::dispatch::storefront`), the layout slots they fill (`web::slots`) and the answers to
//! the host's `host.not-found` point (below).
//!
//! **`host.not-found`** — before the host answers 404 to a `GET`/`HEAD` that no host or plugin
//! route matched, it asks the providers of this point, in order, with `{"path": "/…",
//! "query": {"name": "value", …}, "locale": "en"}`, each in its own read-only sandbox as the
//! visitor (a signed-in back-office user included, for previews). The first answer that is
//! not `{}` wins:
//! - `{"redirect": {"location": "/new" | "https://…", "status": 301 | 302 | 307 | 308}}`;
//! - `{"view": {"template": "…", "title": "…", "context": {…}}, "private": bool}`: rendered like
//!   the plugin's own view (`<plugin-id>/<template>` through the theme); `private` answers are
//!   sent with `Cache-Control: no-store` and `X-Robots-Tag: noindex` (previews).
//!
//! A failing provider is skipped (and logged), so a broken section never turns a 404 into a 500.
//! This is how a CMS serves pages under addresses its admins choose, and its redirects, without
//! the host knowing either.
//!
//! **`host.route-owner`** — the host answers this point itself (to invokers that list it under
//! `invokes`): `{"path": "/x"}` → `{"owner": "host" | "<plugin-id>" | null}`, who answers `GET
//! /x` today, so a section can refuse an address that a route would shadow.

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

use super::error::{AppError, AppResult};
use super::view::PageCtx;
use crate::plugins::call::Caller;
use crate::plugins::registry::Registry;
use crate::state::AppState;

/// The locale storefront calls run in (shoppers choose none yet).
pub const LOCALE: &str = "en";

/// The point asked before a storefront 404.
pub const NOT_FOUND: &str = "host.not-found";

/// The point the host answers itself: who owns a storefront address.
pub const ROUTE_OWNER: &str = "host.route-owner";

/// How long the providers of [`NOT_FOUND`] have, together.
const DEADLINE: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(page: PageCtx) -> AppResult<Response> {
    page.render("storefront/home.html", "Welcome", json!({}))
}

/// Who answers `GET path`: `host`, a plugin's id, or nobody.
pub fn route_owner(registry: &Registry, path: &str) -> Option<String> {
    let reserved = crate::plugins::manifest::RESERVED_PATHS
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if path == "/" || reserved {
        return Some("host".into());
    }
    registry
        .storefront_route("GET", path)
        .map(|(plugin, _, _)| plugin.manifest.id.clone())
}

/// The answer to [`ROUTE_OWNER`] for `input`.
pub fn answer_route_owner(registry: &Registry, input: &str) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Ask {
        path: String,
    }
    let ask: Ask =
        serde_json::from_str(input).map_err(|e| format!("expected {{\"path\": …}}: {e}"))?;
    if !ask.path.starts_with('/') {
        return Err("the path must start with /".into());
    }
    Ok(json!({ "owner": route_owner(registry, &ask.path) }).to_string())
}

#[derive(Debug, Deserialize)]
struct Answer {
    redirect: Option<Redirect>,
    view: Option<View>,
    #[serde(default)]
    private: bool,
}

#[derive(Debug, Deserialize)]
struct Redirect {
    location: String,
    status: u16,
}

#[derive(Debug, Deserialize)]
struct View {
    template: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    context: serde_json::Value,
}

/// A storefront `GET`/`HEAD` nobody routes: the first provider of [`NOT_FOUND`] that knows
/// the address answers it, else 404.
pub async fn not_found(
    state: &AppState,
    page: &PageCtx,
    uri: &Uri,
    caller: Caller,
) -> AppResult<Response> {
    let query: serde_json::Map<String, serde_json::Value> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), json!(v)))
            .collect();
    let input = json!({ "path": uri.path(), "query": query, "locale": caller.locale }).to_string();
    let answers = state
        .plugins()
        .calls()
        .invoke(NOT_FOUND, &input, &caller, Instant::now() + DEADLINE)
        .await;
    for (plugin, outcome) in answers {
        let answer = outcome.and_then(|json| {
            serde_json::from_str::<Answer>(&json).map_err(|e| format!("not as documented: {e}"))
        });
        let answer = match answer {
            Ok(answer) => answer,
            Err(reason) => {
                tracing::warn!(plugin = %plugin, %reason, "a host.not-found provider failed; skipped");
                continue;
            }
        };
        if let Some(redirect) = answer.redirect {
            match redirect_response(&redirect) {
                Some(response) => return Ok(response),
                None => {
                    tracing::warn!(plugin = %plugin, location = %redirect.location, status = redirect.status, "a host.not-found redirect was refused");
                    continue;
                }
            }
        }
        if let Some(view) = answer.view {
            let name = format!("{plugin}/{}", view.template);
            if !state.templates().exists(&name) {
                tracing::warn!(plugin = %plugin, template = %view.template, "a host.not-found view names a template the plugin does not bundle");
                continue;
            }
            let mut response = page.render_view(&name, &view.title, view.context)?;
            if answer.private {
                let headers = response.headers_mut();
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
            }
            return Ok(response);
        }
    }
    Err(AppError::not_found("There is no page at this address."))
}

/// A redirect a provider asked for: a permanent or temporary status and a local path or an
/// absolute http(s) address that fits a header.
fn redirect_response(redirect: &Redirect) -> Option<Response> {
    let status = StatusCode::from_u16(redirect.status)
        .ok()
        .filter(|s| [301, 302, 307, 308].contains(&s.as_u16()))?;
    let location = &redirect.location;
    let local = !super::login::local_next(Some(location), "").is_empty();
    let absolute = (location.starts_with("https://") || location.starts_with("http://"))
        && !location
            .chars()
            .any(|c| c.is_control() || c.is_whitespace());
    if !local && !absolute {
        return None;
    }
    let value = HeaderValue::from_str(location).ok()?;
    Some((status, [(header::LOCATION, value)]).into_response())
}
