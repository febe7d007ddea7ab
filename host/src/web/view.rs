//! How a handler answers: a page (HTML through the template, or the same data as JSON when the
//! client asks for `application/json`), or a "done" reply after a state change (a 303 redirect
//! with a one-shot message for browsers, a JSON object for scripts).
//!
//! Pages render with the theme the request's [`Look`] names; [`layout_context`] is the one
//! place a render context is built, for pages, plugin views and error pages alike.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Value, context};
use serde::Serialize;

use super::cookies;
use super::error::{AppError, AppResult};
use super::look::Look;
use super::nav::NavLink;
use crate::acl::{Granted, Permissions, store};
use crate::auth::customers::Customer;
use crate::auth::{AgentPrincipal, Identity, Via, secret};
use crate::state::AppState;
use crate::themes::env::BUILTIN;
use crate::themes::{Surface, vars};
use crate::users::User;

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

/// Everything a handler needs to answer in the right form.
pub struct PageCtx {
    state: AppState,
    identity: Identity,
    permissions: Option<Arc<Permissions>>,
    json: bool,
    flash: Option<String>,
    look: Look,
    path: String,
    /// The visitor's anonymous CSRF cookie, if they have one.
    anon_csrf: Option<String>,
    /// This response's script nonce (see `web::CspNonce`).
    csp_nonce: String,
    /// The layout slots as their plugins filled them (storefront pages only).
    slots: super::slots::Filled,
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
        // page, the storefront) they are loaded here, so the menu is the same on every page.
        let permissions = match (parts.extensions.get::<Granted>(), &identity.principal) {
            (Some(granted), _) => Some(granted.permissions().clone()),
            (None, Some(principal)) => Some(Arc::new(
                store::permissions_for(state.db(), principal.user.id).await?,
            )),
            (None, None) => None,
        };
        let path = parts.uri.path().to_owned();
        let look = parts
            .extensions
            .get::<Look>()
            .cloned()
            .unwrap_or_else(|| Look::fallback(state, &path));
        let json = wants_json(&parts.headers);
        // Only pages that render their layout need the slots: a storefront GET for HTML. The
        // shopper's locale is the storefront's (`dispatch::storefront`).
        let reads =
            parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD;
        let slots = if look.surface == Surface::Storefront && reads && !json {
            super::slots::fill(state, super::storefront::LOCALE).await
        } else {
            super::slots::empty(look.surface)
        };
        Ok(PageCtx {
            state: state.clone(),
            identity,
            permissions,
            json,
            flash,
            look,
            path,
            anon_csrf: cookies::get(&parts.headers, cookies::ANON_CSRF, behind_tls),
            csp_nonce: parts
                .extensions
                .get::<super::CspNonce>()
                .map(|n| n.0.clone())
                .unwrap_or_default(),
            slots,
        })
    }
}

impl PageCtx {
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The signed-in back-office user's rules, when there is one.
    pub fn permissions(&self) -> Option<Arc<Permissions>> {
        self.permissions.clone()
    }

    pub fn wants_json(&self) -> bool {
        self.json
    }

    pub fn look(&self) -> &Look {
        &self.look
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
        let (csrf, new_anon) = self.csrf_token(form_token);
        let ctx = self.context(title, Value::from_serialize(&data), csrf.as_deref());
        let html = render(&self.state, &self.look.theme, template, ctx)?;
        Ok(self.finish(Html(html).into_response(), new_anon))
    }

    /// Renders a plugin's view: its template is a fragment that sees the plugin's context at
    /// the top level (and as `page`), next to the host's helpers; the surface's `plugin.html`
    /// then puts that fragment into the layout as `content`.
    pub fn render_view(
        &self,
        template: &str,
        title: &str,
        data: serde_json::Value,
    ) -> AppResult<Response> {
        if self.json {
            return Ok(Json(data).into_response());
        }
        let (csrf, new_anon) = self.csrf_token(None);
        let layout = self.context(title, Value::from_serialize(&data), csrf.as_deref());
        let fragment = self.fragment(template, &data, &layout)?;
        let template = format!("{}/plugin.html", self.look.surface.as_str());
        let ctx = context! { content => Value::from_safe_string(fragment), ..layout };
        let html = render(&self.state, &self.look.theme, &template, ctx)?;
        Ok(self.finish(Html(html).into_response(), new_anon))
    }

    /// Renders a plugin view's template alone (e.g. a dashboard widget), as HTML the host
    /// marks safe for embedding in one of its pages.
    pub fn render_widget(&self, template: &str, data: &serde_json::Value) -> AppResult<Value> {
        let (csrf, _) = self.csrf_token(None);
        let layout = self.context("", Value::from_serialize(data), csrf.as_deref());
        Ok(Value::from_safe_string(
            self.fragment(template, data, &layout)?,
        ))
    }

    /// A plugin template rendered with the plugin's context at the top level (and as `page`)
    /// plus the layout's names, which win: a plugin cannot shadow `csrf`, `can` or the user.
    fn fragment(
        &self,
        template: &str,
        data: &serde_json::Value,
        layout: &Value,
    ) -> AppResult<String> {
        let mut fragment_ctx: BTreeMap<String, Value> = match data {
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), Value::from_serialize(v)))
                .collect(),
            _ => BTreeMap::new(),
        };
        if let Ok(keys) = layout.try_iter() {
            for key in keys {
                if let Ok(value) = layout.get_item(&key) {
                    fragment_ctx.insert(key.to_string(), value);
                }
            }
        }
        render(
            &self.state,
            &self.look.theme,
            template,
            Value::from_serialize(&fragment_ctx),
        )
    }

    /// The CSRF token forms on this page carry, and a new anonymous token to set as a cookie.
    fn csrf_token(&self, explicit: Option<&str>) -> (Option<String>, Option<String>) {
        if let Some(token) = explicit {
            return (Some(token.to_owned()), None);
        }
        if let Some(token) = session_csrf(&self.identity, self.look.surface) {
            return (Some(token), None);
        }
        if matches!(
            self.identity.principal.as_ref().map(|p| &p.via),
            Some(Via::Token { .. })
        ) {
            return (None, None);
        }
        match &self.anon_csrf {
            Some(token) => (Some(token.clone()), None),
            None => {
                let token = secret::generate();
                (Some(token.clone()), Some(token))
            }
        }
    }

    fn finish(&self, mut response: Response, new_anon: Option<String>) -> Response {
        let behind_tls = self.state.settings().behind_tls;
        if let Some(token) = new_anon {
            response.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(cookies::ANON_CSRF, &token, None, behind_tls),
            );
        }
        if self.flash.is_some() {
            self.clear_flash(&mut response);
        }
        response
    }

    /// The one render context every page gets (see [`layout_context`]).
    fn context(&self, title: &str, page: Value, csrf: Option<&str>) -> Value {
        let permissions = self.permissions.clone().unwrap_or_default();
        let nav = match self.look.surface {
            Surface::Backoffice => super::nav::links(&self.state, &permissions),
            Surface::Storefront => Vec::new(),
        };
        layout_context(
            &self.state,
            &Layout {
                title,
                page,
                user: self.identity.principal.as_ref().map(|p| &p.user),
                customer: self.identity.customer.as_ref().map(|c| &c.customer),
                agent: self.identity.agent.as_ref(),
                csrf,
                nav,
                flash: self.flash.as_deref(),
                permissions,
                look: &self.look,
                path: &self.path,
                csp_nonce: &self.csp_nonce,
                slots: &self.slots,
            },
        )
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

/// The page data of a render context besides `page`.
pub struct Layout<'a> {
    pub title: &'a str,
    pub page: Value,
    pub user: Option<&'a User>,
    pub customer: Option<&'a Customer>,
    /// The agent signed in on the storefront (agent assist), for the banner.
    pub agent: Option<&'a AgentPrincipal>,
    pub csrf: Option<&'a str>,
    pub nav: Vec<NavLink>,
    pub flash: Option<&'a str>,
    pub permissions: Arc<Permissions>,
    pub look: &'a Look,
    pub path: &'a str,
    /// The response's script nonce; empty on error pages (which run no script).
    pub csp_nonce: &'a str,
    /// The layout slots' items, rendered here into `slots` (see `web::slots`).
    pub slots: &'a super::slots::Filled,
}

/// Builds the context of a render: `title`, `page`, `user`, `customer`, `agent` (the agent
/// assisting on the storefront: `name`, `email`, `assisting` with `customer_name` and
/// `customer_email`), `csrf`, `nav`, `flash`,
/// `can(section, controller, action)`, `theme` (`name`, `surface`, `vars`, `vars_css`, `preview`),
/// `slots` (each slot a list of `{plugin, html}`), `request.path` and `csp_nonce` (put it on
/// every `<script>` tag: scripts without it do not run). This is the only place a render context
/// is made.
pub fn layout_context(state: &AppState, layout: &Layout<'_>) -> Value {
    let can = {
        let permissions = layout.permissions.clone();
        Value::from_function(move |s: String, c: String, a: String| permissions.can(&s, &c, &a))
    };
    let look = layout.look;
    let values = state
        .templates()
        .variable_values(&look.theme, look.settings.values_of(&look.theme));
    let (_, css_hash) = crate::themes::assets::vars_css(&values);
    let vars: BTreeMap<String, Value> = values
        .iter()
        .map(|(def, value)| (def.name.clone(), vars::to_template_value(def.kind, value)))
        .collect();
    let theme = context! {
        name => look.theme,
        surface => look.surface.as_str(),
        preview => look.preview,
        vars,
        vars_css => (look.theme != BUILTIN).then(|| format!("/themes/{}/vars.css?v={css_hash}", look.theme)),
    };
    let base = context! {
        title => layout.title,
        page => layout.page,
        user => layout.user.map(Value::from_serialize),
        customer => layout.customer.map(Value::from_serialize),
        agent => layout.agent.map(super::agent::banner),
        csrf => layout.csrf,
        nav => layout.nav,
        flash => layout.flash,
        can,
        theme,
        request => context! { path => layout.path },
        csp_nonce => layout.csp_nonce,
    };
    let slots = super::slots::render(state, &look.theme, layout.slots, &base);
    context! { slots, ..base }
}

/// Renders with a theme, mapping a template failure to a typed error.
pub fn render(state: &AppState, theme: &str, template: &str, ctx: Value) -> AppResult<String> {
    state
        .templates()
        .render(theme, template, ctx)
        .map_err(|e| AppError::render(template, &e))
}

/// The CSRF token of the caller's session on this surface (admin session on the Back Office,
/// customer session on the storefront).
pub fn session_csrf(identity: &Identity, surface: Surface) -> Option<String> {
    match surface {
        Surface::Backoffice => identity
            .principal
            .as_ref()
            .and_then(|p| p.csrf_token())
            .map(str::to_owned),
        // An agent's storefront forms carry the agent session's token, assisting or not.
        Surface::Storefront => identity
            .agent
            .as_ref()
            .map(|a| a.session.csrf_token.clone())
            .or_else(|| {
                identity
                    .customer
                    .as_ref()
                    .map(|c| c.session.csrf_token.clone())
            }),
    }
}

/// An error page in the look of the request's surface and theme: `<surface>/error.html` of the
/// theme, else of the built-in templates, else plain text.
pub fn error_page(
    state: &AppState,
    look: &Look,
    identity: &Identity,
    path: &str,
    status: StatusCode,
    message: &str,
    slots: &super::slots::Filled,
) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let csrf = session_csrf(identity, look.surface);
    let page = context! { status => status.as_u16(), message };
    let ctx = layout_context(
        state,
        &Layout {
            title,
            page: page.clone(),
            user: identity.principal.as_ref().map(|p| &p.user),
            customer: identity.customer.as_ref().map(|c| &c.customer),
            agent: identity.agent.as_ref(),
            csrf: csrf.as_deref(),
            nav: Vec::new(),
            flash: None,
            permissions: Arc::default(),
            look,
            path,
            csp_nonce: "",
            slots,
        },
    );
    // `status` and `message` also at the top level, as error templates always had them.
    let ctx = context! { status => status.as_u16(), message, ..ctx };
    let template = format!("{}/error.html", look.surface.as_str());
    let templates = state.templates();
    let html = templates
        .render(&look.theme, &template, ctx.clone())
        .or_else(|err| {
            tracing::error!(theme = %look.theme, error = %err, "rendering the theme's error page failed");
            templates.render(BUILTIN, &template, ctx)
        });
    match html {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering the error page failed");
            (status, message.to_owned()).into_response()
        }
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
