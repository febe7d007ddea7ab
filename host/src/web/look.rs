//! Middleware that decides how a request will look: its surface (Back Office or storefront, from
//! the path) and the theme that renders it — the surface's active theme, or a theme being
//! previewed. A preview (`?preview_theme=<name>`, then remembered in a cookie until
//! `?preview_theme=` clears it) is honoured only for a signed-in user allowed
//! `themes/themes/preview`; for anyone else it is ignored.
//!
//! The result, a [`Look`], goes into the request extensions (for `web::view`) and into the
//! response's (for the error pages).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::cookies;
use super::error::AppResult;
use crate::acl::store;
use crate::auth::Identity;
use crate::state::AppState;
use crate::themes::env::BUILTIN;
use crate::themes::store::Settings;
use crate::themes::{Surface, paths};

/// The query parameter that asks for a preview.
pub const PREVIEW_PARAM: &str = "preview_theme";

/// How a request is rendered.
#[derive(Debug, Clone)]
pub struct Look {
    pub surface: Surface,
    /// The theme whose environment renders (or `themes::env::BUILTIN`).
    pub theme: String,
    /// True when `theme` is a preview rather than the active theme.
    pub preview: bool,
    /// The theme settings read for this request.
    pub settings: Arc<Settings>,
}

impl Look {
    /// The look of a request that never passed the middleware (e.g. an error raised before it).
    pub fn fallback(state: &AppState, path: &str) -> Look {
        let surface = Surface::of_path(path);
        let settings = Arc::new(Settings::default());
        let active = settings.active(surface);
        let theme = if state.templates().has_theme(active) {
            active.to_owned()
        } else {
            BUILTIN.to_owned()
        };
        Look {
            surface,
            theme,
            preview: false,
            settings,
        }
    }
}

pub async fn choose(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> AppResult<Response> {
    let surface = Surface::of_path(request.uri().path());
    let settings = state.templates().settings().get(state.db()).await?;
    crate::themes::studio::sync::sync(state.templates(), state.db(), settings.studio_revision)
        .await?;
    let behind_tls = state.settings().behind_tls;
    let asked: Option<String> =
        form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == PREVIEW_PARAM)
            .map(|(_, v)| v.into_owned());
    let remembered = cookies::get(request.headers(), cookies::PREVIEW, behind_tls);
    // A studio theme previews its draft (`Templates::preview_env`).
    let wanted = asked
        .clone()
        .or(remembered)
        .filter(|n| paths::is_theme_name(n))
        .and_then(|n| state.templates().preview_env(&n));
    let mut preview = None;
    if let Some(name) = wanted {
        let identity = request.extensions().get::<Identity>();
        if let Some(principal) = identity.and_then(|i| i.principal.as_ref()) {
            let permissions = store::permissions_for(state.db(), principal.user.id).await?;
            if permissions.can("themes", "themes", "preview") {
                preview = Some(name);
            }
        }
    }
    let active = settings.active(surface).to_owned();
    let theme = match &preview {
        Some(name) => name.clone(),
        None if state.templates().has_theme(&active) => active,
        None => BUILTIN.to_owned(),
    };
    let look = Look {
        surface,
        theme,
        preview: preview.is_some(),
        settings,
    };
    request.extensions_mut().insert(look.clone());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(look);
    match (asked.as_deref(), preview) {
        (Some(""), _) => {
            response.headers_mut().append(
                header::SET_COOKIE,
                cookies::clear(cookies::PREVIEW, behind_tls),
            );
        }
        (Some(_), Some(name)) => {
            response.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(
                    cookies::PREVIEW,
                    crate::themes::studio::published_name(&name),
                    None,
                    behind_tls,
                ),
            );
        }
        _ => {}
    }
    Ok(response)
}
