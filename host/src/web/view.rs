//! How a handler answers: a page (HTML through the template, or the same data as JSON when the
//! client asks for `application/json`), or a "done" reply after a state change (a 303 redirect
//! with a one-shot message for browsers, a JSON object for scripts).

use std::sync::Arc;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Value, context};
use serde::Serialize;

use super::cookies;
use crate::acl::{Granted, Permissions, store};
use crate::auth::Identity;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// True when the client wants JSON: it says so in `Accept`, or it is a script using a bearer
/// token that did not ask for HTML.
pub fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("application/json") {
        return true;
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    bearer && !accept.contains("text/html")
}

/// A host menu entry; shown only to users allowed its `index` action.
#[derive(Debug, Clone)]
struct NavEntry {
    label: &'static str,
    href: &'static str,
    section: &'static str,
    controller: &'static str,
}

/// A menu link as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    pub label: String,
    pub href: String,
}

/// The host's own menu; each entry shows only to users allowed its `index` action.
const HOST_NAV: &[NavEntry] = &[
    NavEntry {
        label: "Dashboard",
        href: "/admin",
        section: "dashboard",
        controller: "index",
    },
    NavEntry {
        label: "Users",
        href: "/admin/acl/users/index",
        section: "acl",
        controller: "users",
    },
    NavEntry {
        label: "Groups",
        href: "/admin/acl/groups/index",
        section: "acl",
        controller: "groups",
    },
    NavEntry {
        label: "Roles",
        href: "/admin/acl/roles/index",
        section: "acl",
        controller: "roles",
    },
    NavEntry {
        label: "Plugins",
        href: "/admin/plugins/plugins/index",
        section: "plugins",
        controller: "plugins",
    },
    NavEntry {
        label: "Audit log",
        href: "/admin/audit/log/index",
        section: "audit",
        controller: "log",
    },
];

/// Everything a handler needs to answer in the right form.
pub struct PageCtx {
    state: AppState,
    identity: Identity,
    permissions: Option<Arc<Permissions>>,
    json: bool,
    flash: Option<String>,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let behind_tls = state.settings().behind_tls;
        let flash = cookies::get(&parts.headers, cookies::FLASH, behind_tls)
            .and_then(|v| hex::decode(v).ok())
            .and_then(|v| String::from_utf8(v).ok());
        let identity = parts
            .extensions
            .get::<Identity>()
            .cloned()
            .unwrap_or_default();
        // Under /admin the guard already loaded the caller's rules; elsewhere (the account
        // page) they are loaded here, so the menu is the same on every page.
        let permissions = match (parts.extensions.get::<Granted>(), &identity.principal) {
            (Some(granted), _) => Some(granted.permissions().clone()),
            (None, Some(principal)) => Some(Arc::new(
                store::permissions_for(state.db(), principal.user.id).await?,
            )),
            (None, None) => None,
        };
        Ok(PageCtx {
            state: state.clone(),
            identity,
            permissions,
            json: wants_json(&parts.headers),
            flash,
        })
    }
}

impl PageCtx {
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn wants_json(&self) -> bool {
        self.json
    }

    /// Renders `template` with `data` under `page`, plus the layout's context; or `data` as JSON.
    pub fn render<T: Serialize>(
        &self,
        template: &str,
        title: &str,
        data: T,
    ) -> AppResult<Response> {
        if self.json {
            return Ok(Json(data).into_response());
        }
        self.render_html(template, title, data, None)
    }

    /// Like [`render`](Self::render) but always HTML, with an explicit CSRF token (anonymous forms).
    pub fn render_html<T: Serialize>(
        &self,
        template: &str,
        title: &str,
        data: T,
        form_token: Option<&str>,
    ) -> AppResult<Response> {
        let layout = self.layout(form_token);
        let ctx = context! { page => Value::from_serialize(&data), title, ..layout };
        self.html(template, ctx)
    }

    /// Renders a plugin's view: its template is a fragment that sees the plugin's context at the
    /// top level (plus `csrf`, `user` and `can`, which the host's values win over), placed into
    /// the host layout's content block.
    pub fn render_fragment(
        &self,
        template: &str,
        title: &str,
        context: &serde_json::Value,
    ) -> AppResult<Response> {
        let layout = self.layout(None);
        let fragment_ctx = context! {
            csrf => layout.get_attr("csrf").unwrap_or_default(),
            user => layout.get_attr("user").unwrap_or_default(),
            can => layout.get_attr("can").unwrap_or_default(),
            ..Value::from_serialize(context)
        };
        let fragment = self.state.templates().render(template, fragment_ctx)?;
        let ctx = context! { title, content => Value::from_safe_string(fragment), ..layout };
        self.html("plugin_page.html", ctx)
    }

    /// What every page's layout needs: the user, the CSRF token, the menu, `can()` and the
    /// one-shot message.
    fn layout(&self, form_token: Option<&str>) -> Value {
        let principal = self.identity.principal.as_ref();
        let csrf = form_token.or_else(|| principal.and_then(|p| p.csrf_token()));
        let permissions = self.permissions.clone().unwrap_or_default();
        let nav = self.nav(&permissions);
        let can = Value::from_function(move |s: String, c: String, a: String| {
            permissions.can(&s, &c, &a)
        });
        context! {
            user => principal.map(|p| Value::from_serialize(&p.user)),
            csrf,
            nav,
            flash => self.flash,
            can,
        }
    }

    fn html(&self, template: &str, ctx: Value) -> AppResult<Response> {
        let html = self.state.templates().render(template, ctx)?;
        let mut response = Html(html).into_response();
        if self.flash.is_some() {
            self.clear_flash(&mut response);
        }
        Ok(response)
    }

    /// The host's entries, then each enabled plugin's, filtered by the caller's rules.
    fn nav(&self, permissions: &Permissions) -> Vec<NavLink> {
        let host = HOST_NAV
            .iter()
            .filter(|e| permissions.can(e.section, e.controller, "index"))
            .map(|e| NavLink {
                label: e.label.to_owned(),
                href: e.href.to_owned(),
            });
        let registry = self.state.plugins().registry();
        let plugins = registry
            .all()
            .into_iter()
            .filter(|p| !registry.is_disabled(&p.manifest.id))
            .flat_map(|p| {
                let id = p.manifest.id.clone();
                p.manifest
                    .nav
                    .iter()
                    .filter(|e| permissions.can(&id, &e.controller, &e.action))
                    .map(|e| NavLink {
                        label: e.label.clone(),
                        href: format!("/admin/{id}/{}/{}", e.controller, e.action),
                    })
                    .collect::<Vec<_>>()
            });
        host.chain(plugins).collect()
    }

    fn clear_flash(&self, response: &mut Response) {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::clear(cookies::FLASH, self.state.settings().behind_tls),
        );
    }

    /// The reply to a successful state change.
    pub fn done(&self, location: &str, message: &str, extra: serde_json::Value) -> Response {
        if self.json {
            let mut body = serde_json::json!({ "message": message });
            if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
                body.extend(extra);
            }
            return Json(body).into_response();
        }
        see_other(location, Some((message, self.state.settings().behind_tls)))
    }
}

/// A 303 redirect, optionally carrying a one-shot message for the next page.
pub fn see_other(location: &str, flash: Option<(&str, bool)>) -> Response {
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response();
    if let Some((message, behind_tls)) = flash {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(cookies::FLASH, &hex::encode(message), None, behind_tls),
        );
    }
    response
}
