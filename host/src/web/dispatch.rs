//! Requests for plugin sections: `/admin/<plugin>/<controller>/<action>` (after the ACL guard)
//! and the storefront routes plugins declare. The host turns the HTTP request into a WIT
//! `request`, runs the plugin, commits or rolls back its transaction, and turns the answer into
//! a page, redirect, JSON, download or error.

use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::sync::Arc;

use super::error::{AppError, AppResult};
use super::request_log::PluginRoute;
use super::view::{PageCtx, see_other};
use crate::acl::Granted;
use crate::plugins::bindings::guest;
use crate::plugins::bindings::types::{Method as WitMethod, Pair, Surface};
use crate::plugins::call::Caller;
use crate::plugins::registry::Plugin;
use crate::state::AppState;

/// `/admin/<plugin>/...`: the guard has already checked the ACL for this resource.
pub async fn admin(
    State(state): State<AppState>,
    Extension(plugin_route): Extension<PluginRoute>,
    granted: Granted,
    page: PageCtx,
    request: axum::extract::Request,
) -> AppResult<Response> {
    let (parts, body) = request.into_parts();
    let resource = granted.resource();
    if crate::plugins::manifest::RESERVED_IDS.contains(&resource.section.as_str()) {
        return Err(AppError::not_found("There is no page at this address."));
    }
    let registry = state.plugins().registry();
    let plugin = registry.enabled(&resource.section).ok_or_else(|| {
        if registry.get(&resource.section).is_none() && registry.pending(&resource.section).is_some() {
            return AppError::Plugin {
                status: StatusCode::SERVICE_UNAVAILABLE,
                message: format!(
                    "The section \"{}\" waits for an administrator to approve what it asks for (on the Plugins page).",
                    resource.section
                ),
            };
        }
        AppError::not_found(format!(
            "There is no section \"{}\", or it is disabled. An administrator can enable sections on the Plugins page.",
            resource.section
        ))
    })?;
    plugin_route.note(
        &plugin.manifest.id,
        admin_route(&plugin, &resource.controller, &resource.action),
    );
    let prefix = format!("/admin/{}", resource.section);
    let path = parts
        .uri
        .path()
        .strip_prefix(&prefix)
        .unwrap_or("")
        .to_owned();
    let request = build_request(
        Surface::Admin,
        &parts.method,
        path,
        &resource.controller,
        &resource.action,
        &parts.uri,
        read_body(&parts.headers, body).await?,
        page.wants_json(),
    )?;
    run(
        &state,
        &page,
        &plugin,
        admin_caller(&granted, &page),
        request,
    )
    .await
}

/// The route of a plugin's admin request as `/metrics` and the request log name it: the
/// controller and action when the plugin declares them, `/admin/<plugin>/*` otherwise (a path
/// nobody declared must not add a series).
fn admin_route(plugin: &Plugin, controller: &str, action: &str) -> String {
    let id = &plugin.manifest.id;
    let declared = plugin.manifest.acl.iter().any(|resource| {
        resource.controller == controller && resource.actions.iter().any(|a| a == action)
    });
    if declared {
        format!("/admin/{id}/{controller}/{action}")
    } else {
        format!("/admin/{id}/*")
    }
}

/// The caller a plugin sees for a back-office request: the granted user and their rules.
pub fn admin_caller(granted: &Granted, page: &PageCtx) -> Caller {
    let user = granted.principal().user.clone();
    Caller {
        locale: user.locale.clone(),
        user: Some(user),
        permissions: Some(granted.permissions().clone()),
        ip: page.identity().ip.clone(),
        ..Caller::default()
    }
}

/// Any path no host route matched: a plugin's storefront route, or 404.
pub async fn storefront(
    State(state): State<AppState>,
    Extension(plugin_route): Extension<PluginRoute>,
    page: PageCtx,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    let Some((plugin, params, pattern)) = state
        .plugins()
        .registry()
        .storefront_route(method.as_str(), uri.path())
    else {
        if method == Method::GET || method == Method::HEAD {
            let caller = Caller {
                user: page.identity().principal.as_ref().map(|p| p.user.clone()),
                permissions: page.permissions(),
                ..storefront_caller(&page)
            };
            return super::storefront::not_found(&state, &page, &uri, caller).await;
        }
        return Err(AppError::not_found("There is no page at this address."));
    };
    plugin_route.note(&plugin.manifest.id, pattern);
    let mut request = build_request(
        Surface::Storefront,
        &method,
        uri.path().to_owned(),
        "storefront",
        "index",
        &uri,
        read_body(&headers, body).await?,
        page.wants_json(),
    )?;
    request
        .query
        .extend(params.into_iter().map(|(name, value)| Pair { name, value }));
    let caller = storefront_caller(&page);
    run(&state, &page, &plugin, caller, request).await
}

/// The caller a plugin sees for a storefront request: the shopper (a signed-in customer or
/// nobody) in the storefront's locale; while an agent assists, the assisted customer with the
/// agent as `acting-agent` (`web::agent`).
fn storefront_caller(page: &PageCtx) -> Caller {
    let identity = page.identity();
    Caller {
        locale: super::storefront::LOCALE.into(),
        ip: identity.ip.clone(),
        customer: identity
            .customer
            .as_ref()
            .map(|c| (c.customer.id, c.customer.email.clone())),
        agent: identity
            .agent
            .as_ref()
            .filter(|a| a.assisting.is_some())
            .map(|a| a.user.clone()),
        ..Caller::default()
    }
}

/// What a plugin receives of a request body: form pairs and/or a JSON text.
struct BodyInput {
    form: Vec<Pair>,
    json: Option<String>,
}

/// Reads the body by its content type: JSON (checked to parse), an urlencoded form, or a
/// multipart form (files as text, see `multipart`); anything else is not passed on. Multipart
/// bodies may be up to `multipart::PLUGIN_UPLOAD_LIMIT`, all others up to `BODY_LIMIT`.
async fn read_body(headers: &HeaderMap, body: Body) -> AppResult<BodyInput> {
    if let Some(boundary) = super::multipart::boundary(headers) {
        let limit = super::multipart::PLUGIN_UPLOAD_LIMIT;
        let form = super::multipart::pairs(body, boundary?, limit).await?;
        return Ok(BodyInput { form, json: None });
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bytes = to_bytes(body, super::BODY_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge)?;
    if content_type.starts_with("application/json") {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| AppError::BadRequest("The JSON body is not valid UTF-8.".into()))?;
        serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| AppError::BadRequest(format!("The JSON body could not be read: {e}")))?;
        Ok(BodyInput {
            form: Vec::new(),
            json: Some(text.to_owned()),
        })
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        Ok(BodyInput {
            form: pairs(&bytes)?,
            json: None,
        })
    } else {
        Ok(BodyInput {
            form: Vec::new(),
            json: None,
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn build_request(
    surface: Surface,
    method: &Method,
    path: String,
    controller: &str,
    action: &str,
    uri: &Uri,
    body: BodyInput,
    wants_json: bool,
) -> AppResult<guest::Request> {
    let method = match *method {
        Method::GET | Method::HEAD => WitMethod::Get,
        Method::POST => WitMethod::Post,
        Method::PUT => WitMethod::Put,
        Method::PATCH => WitMethod::Patch,
        Method::DELETE => WitMethod::Delete,
        _ => return Err(AppError::MethodNotAllowed),
    };
    Ok(guest::Request {
        surface,
        method,
        path,
        controller: controller.to_owned(),
        action: action.to_owned(),
        query: pairs(uri.query().unwrap_or("").as_bytes())?,
        form: body
            .form
            .into_iter()
            .filter(|p| p.name != super::csrf::FIELD)
            .collect(),
        body: body.json,
        wants_json,
    })
}

/// Decodes urlencoded pairs, refusing invalid UTF-8 rather than passing replacement characters
/// to the plugin.
fn pairs(raw: &[u8]) -> AppResult<Vec<Pair>> {
    super::input::check_utf8(raw)?;
    Ok(form_urlencoded::parse(raw)
        .map(|(name, value)| Pair {
            name: name.into_owned(),
            value: value.into_owned(),
        })
        .collect())
}

/// Runs the plugin; its writes commit only when [`respond`] could turn its answer into a
/// response (see `Calls::handle`).
async fn run(
    state: &AppState,
    page: &PageCtx,
    plugin: &Arc<Plugin>,
    caller: Caller,
    request: guest::Request,
) -> AppResult<Response> {
    state
        .plugins()
        .calls()
        .handle(plugin, caller, request, |response| {
            respond(state, page, plugin, response)
        })
        .await
}

fn respond(
    state: &AppState,
    page: &PageCtx,
    plugin: &Plugin,
    response: guest::Response,
) -> AppResult<Response> {
    let id = &plugin.manifest.id;
    let bad = |what: String| AppError::Plugin {
        status: StatusCode::BAD_GATEWAY,
        message: format!("The section {} answered with {what}.", plugin.label()),
    };
    match response {
        guest::Response::View(view) => {
            let context: serde_json::Value = serde_json::from_str(&view.context)
                .map_err(|e| bad(format!("a view context that is not JSON ({e})")))?;
            if page.wants_json() {
                return Ok(Json(context).into_response());
            }
            let name = format!("{id}/{}", view.template);
            if !state.templates().exists(&name) {
                return Err(bad(format!(
                    "a view template it does not bundle: {:?}",
                    view.template
                )));
            }
            page.render_view(&name, &view.title, context)
        }
        guest::Response::Redirect(redirect) => {
            // The same rule as sign-in's `next`: a local path that can be a `Location` header.
            if super::login::local_next(Some(&redirect.location), "").is_empty() {
                return Err(bad(format!(
                    "a redirect outside this site: {:?}",
                    redirect.location
                )));
            }
            if page.wants_json() {
                return Ok(Json(
                    serde_json::json!({ "location": redirect.location, "message": redirect.flash }),
                )
                .into_response());
            }
            let behind_tls = state.settings().behind_tls;
            Ok(see_other(
                &redirect.location,
                redirect.flash.as_deref().map(|m| (m, behind_tls)),
            ))
        }
        guest::Response::Json(body) => {
            let value: serde_json::Value = serde_json::from_str(&body)
                .map_err(|e| bad(format!("JSON that does not parse ({e})")))?;
            Ok(Json(value).into_response())
        }
        guest::Response::Download(file) => {
            if !downloadable(&file.content_type) {
                return Err(bad(format!(
                    "a download of type {:?}, which the host does not serve from a plugin (allowed: {})",
                    file.content_type,
                    DOWNLOAD_TYPES.join(", ")
                )));
            }
            let content_type = HeaderValue::from_str(&file.content_type)
                .map_err(|_| bad(format!("an invalid content type {:?}", file.content_type)))?;
            let filename: String = file
                .filename
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "-_. ".contains(*c))
                .take(100)
                .collect();
            let disposition =
                HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
                    .map_err(|_| bad("an invalid file name".into()))?;
            Ok((
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                file.bytes,
            )
                .into_response())
        }
        guest::Response::Failure(failure) => {
            let status = StatusCode::from_u16(failure.status)
                .ok()
                .filter(|s| s.is_client_error() || s.is_server_error())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err(AppError::Plugin {
                status,
                message: failure.message.chars().take(2000).collect(),
            })
        }
    }
}

/// The content types a plugin may answer a download with: nothing a page could load as script
/// or style (`<script src>` ignores `Content-Disposition`), and nothing a browser renders as an
/// active document (HTML, XML). SVG is allowed: as an attachment with `nosniff` it is never a
/// document on the origin, and an `<img>` runs none of its script.
const DOWNLOAD_TYPES: &[&str] = &[
    "text/csv",
    "text/plain",
    "application/json",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/svg+xml",
];

/// Whether `content_type` (parameters such as `charset` aside) is in [`DOWNLOAD_TYPES`].
fn downloadable(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    DOWNLOAD_TYPES
        .iter()
        .any(|t| t.eq_ignore_ascii_case(essence))
}

#[cfg(test)]
mod tests {
    use super::downloadable;

    #[test]
    fn only_inert_types_are_downloads() {
        assert!(downloadable("text/csv; charset=utf-8"));
        assert!(downloadable("image/PNG"));
        for active in [
            "text/html",
            "application/javascript",
            "text/javascript",
            "text/css",
            "text/xml",
            "",
        ] {
            assert!(!downloadable(active), "{active}");
        }
    }
}
