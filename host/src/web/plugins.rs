//! The Plugins page: `/admin/plugins/plugins/<action>`. Lists every plugin with its version,
//! status, capabilities, grants, health and numbers; enables, disables and uploads plugins.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::input::Input;
use super::record;
use super::view::PageCtx;
use crate::acl::Granted;
use crate::error::{AppError, AppResult};
use crate::plugins::outbox;
use crate::plugins::registry::LoadFailure;
use crate::plugins::runtime::MAX_COMPONENT_BYTES;
use crate::plugins::stats::Snapshot;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/plugins/plugins/index", get(index))
        .route("/admin/plugins/plugins/enable", post(enable))
        .route("/admin/plugins/plugins/disable", post(disable))
        .route(
            "/admin/plugins/plugins/upload",
            post(upload).layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES + (1 << 20))),
        )
}

/// One row of the page.
#[derive(Debug, Serialize)]
struct Row {
    id: String,
    name: String,
    version: String,
    description: String,
    enabled: bool,
    file: String,
    hash: String,
    loaded_at: i64,
    manifest: serde_json::Value,
    stats: Snapshot,
    events: outbox::DeliveryHealth,
    last_error: Option<LoadFailure>,
}

async fn index(State(state): State<AppState>, _: Granted, page: PageCtx) -> AppResult<Response> {
    let runtime = state.plugins();
    runtime.refresh_enabled().await?;
    let registry = runtime.registry();
    let mut rows = Vec::new();
    for plugin in registry.all() {
        rows.push(Row {
            id: plugin.manifest.id.clone(),
            name: plugin.manifest.name.clone(),
            version: plugin.manifest.version.clone(),
            description: plugin.manifest.description.clone(),
            enabled: !registry.is_disabled(&plugin.manifest.id),
            file: plugin.source.display().to_string(),
            hash: plugin.hash.clone(),
            loaded_at: plugin.loaded_at,
            manifest: serde_json::to_value(&*plugin.manifest).unwrap_or_default(),
            stats: plugin.stats.snapshot(),
            events: outbox::health(state.db(), &plugin.manifest.id).await?,
            last_error: registry.failure_for(&plugin),
        });
    }
    let data = json!({
        "plugins": rows,
        "failures": registry.failures(),
        "upload_enabled": runtime.settings().upload_dir.is_some(),
        "max_upload_mib": MAX_COMPONENT_BYTES >> 20,
    });
    page.render("backoffice/plugins/index.html", "Plugins", data)
}

#[derive(Debug, Deserialize)]
struct IdForm {
    id: String,
}

async fn set_enabled(
    state: &AppState,
    granted: &Granted,
    page: &PageCtx,
    id: &str,
    enabled: bool,
) -> AppResult<Response> {
    let runtime = state.plugins();
    if runtime.registry().get(id).is_none() {
        return Err(AppError::not_found(format!(
            "There is no plugin with id {id:?}."
        )));
    }
    crate::plugins::runtime::set_enabled(state.db(), id, enabled, state.now()).await?;
    runtime.refresh_enabled().await?;
    let (action, message) = if enabled {
        ("plugin.enabled", format!("The section {id} is enabled."))
    } else {
        (
            "plugin.disabled",
            format!("The section {id} is disabled; its data is kept."),
        )
    };
    record(state, page, granted, action, &format!("plugin {id}"), "").await?;
    Ok(page.done(
        "/admin/plugins/plugins/index",
        &message,
        json!({ "id": id, "enabled": enabled }),
    ))
}

async fn enable(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    set_enabled(&state, &granted, &page, &form.id, true).await
}

async fn disable(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    set_enabled(&state, &granted, &page, &form.id, false).await
}

/// Accepts a `.wasm` upload: checked, compiled and validated before it replaces anything; then
/// saved into the upload directory (where hot reload also watches) and swapped in.
async fn upload(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let runtime = state.plugins();
    let Some(dir) = runtime.settings().upload_dir.clone() else {
        return Err(AppError::Conflict(
            "Uploads are disabled on this host (no plugin upload directory).".into(),
        ));
    };
    let mut bytes = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("The upload could not be read: {e}")))?
    {
        if field.name() == Some("file") {
            let data = field
                .bytes()
                .await
                .map_err(|e| AppError::BadRequest(format!("The upload could not be read: {e}")))?;
            bytes = Some(data.to_vec());
        }
    }
    let bytes = bytes.ok_or_else(|| AppError::invalid("Choose a .wasm file to upload."))?;
    let plugin = runtime
        .install_upload(&dir, bytes, state.now())
        .await
        .map_err(|e| AppError::Invalid(format!("The plugin was not installed: {e:#}")))?;
    let id = plugin.manifest.id.clone();
    record(
        &state,
        &page,
        &granted,
        "plugin.uploaded",
        &format!("plugin {id}"),
        &plugin.manifest.version,
    )
    .await?;
    Ok(page.done(
        "/admin/plugins/plugins/index",
        &format!(
            "{} {} is installed.",
            plugin.manifest.name, plugin.manifest.version
        ),
        json!({ "id": id, "version": plugin.manifest.version }),
    ))
}
