//! The Plugins page: `/admin/plugins/plugins/<action>`. Lists every plugin with its version,
//! status, capabilities, grants, health and numbers; enables, disables and uploads plugins.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

use super::error::{AppError, AppResult};
use super::input::Input;
use super::record;
use super::view::PageCtx;
use crate::acl::Granted;
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
        .route("/admin/plugins/plugins/limits", post(limits))
        .route("/admin/plugins/plugins/approve", post(approve))
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
    /// Content changes of its file the watcher saw since start (reads never count).
    file_changes: u64,
    manifest: serde_json::Value,
    stats: Snapshot,
    /// The limits its calls run under (milliseconds, MiB, calls at once, pending timers).
    deadline_ms: u128,
    memory_mib: usize,
    max_calls: usize,
    max_timers: u64,
    events: outbox::DeliveryHealth,
    last_error: Option<LoadFailure>,
}

/// An extension point as the page shows it: who owns it, who answers it (in the order they
/// are asked) and who asks it.
#[derive(Debug, Default, Serialize)]
struct PointRow {
    point: String,
    owner: String,
    providers: Vec<ProviderRow>,
    invokers: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ProviderRow {
    plugin: String,
    priority: i32,
    enabled: bool,
    stats: Snapshot,
}

/// Every extension point some loaded plugin provides or invokes, by name.
fn points(registry: &crate::plugins::registry::Registry) -> Vec<PointRow> {
    let mut points: std::collections::BTreeMap<String, PointRow> = Default::default();
    for plugin in registry.all() {
        let id = &plugin.manifest.id;
        for provision in &plugin.manifest.provides {
            let entry = points
                .entry(provision.point.clone())
                .or_insert_with(|| point_row(&provision.point));
            entry.providers.push(ProviderRow {
                plugin: id.clone(),
                priority: provision.priority,
                enabled: !registry.is_disabled(id),
                stats: plugin.points.snapshot(&provision.point),
            });
        }
        for point in &plugin.manifest.invokes {
            points
                .entry(point.clone())
                .or_insert_with(|| point_row(point))
                .invokers
                .push(id.clone());
        }
    }
    let mut rows: Vec<PointRow> = points.into_values().collect();
    for row in &mut rows {
        row.providers
            .sort_by(|a, b| a.priority.cmp(&b.priority).then(a.plugin.cmp(&b.plugin)));
    }
    rows
}

/// A version waiting for approval, with what it asks and what of that is new.
fn pending_row(
    registry: &crate::plugins::registry::Registry,
    pending: &crate::plugins::registry::Pending,
) -> serde_json::Value {
    let manifest = &pending.plugin.manifest;
    json!({
        "id": manifest.id,
        "name": manifest.name,
        "version": manifest.version,
        "contract": manifest.contract,
        "file": pending.plugin.source.display().to_string(),
        "serving": registry.get(&manifest.id).map(|p| p.manifest.version.clone()),
        "asks": pending.asks,
        "missing": pending.missing,
        "missing_summary": pending.missing.summary(),
    })
}

fn point_row(point: &str) -> PointRow {
    PointRow {
        point: point.to_owned(),
        owner: point.split('.').next().unwrap_or_default().to_owned(),
        ..PointRow::default()
    }
}

async fn index(State(state): State<AppState>, _: Granted, page: PageCtx) -> AppResult<Response> {
    let runtime = state.plugins();
    runtime.refresh_states().await?;
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
            file_changes: registry.changes_of(&plugin.source),
            manifest: serde_json::to_value(&*plugin.manifest).unwrap_or_default(),
            stats: plugin.stats.snapshot(),
            deadline_ms: registry
                .limits_for(&plugin.manifest.id)
                .deadline
                .as_millis(),
            memory_mib: registry.limits_for(&plugin.manifest.id).memory >> 20,
            max_calls: registry.limits_for(&plugin.manifest.id).calls,
            max_timers: registry.limits_for(&plugin.manifest.id).timers,
            events: outbox::health(state.db(), &plugin.manifest.id, state.clock().now()).await?,
            last_error: registry.failure_for(&plugin),
        });
    }
    let data = json!({
        "plugins": rows,
        "failures": registry.failures(),
        "points": points(registry),
        "pending": registry.pendings().iter().map(|p| pending_row(registry, p)).collect::<Vec<_>>(),
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
    runtime.refresh_states().await?;
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

#[derive(Debug, Deserialize)]
struct LimitsForm {
    id: String,
    /// Empty or absent: the host default.
    #[serde(default)]
    deadline_ms: Option<String>,
    #[serde(default)]
    memory_mib: Option<String>,
    #[serde(default)]
    max_calls: Option<String>,
    #[serde(default)]
    max_timers: Option<String>,
}

/// Approves what the pending version of a plugin asks for; it then replaces the version
/// serving, if any.
async fn approve(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    let by = granted.principal().label();
    let Some(pending) = state
        .plugins()
        .approve(&form.id, &by, state.now())
        .await
        .map_err(|e| AppError::Conflict(format!("The plugin could not be activated: {e:#}")))?
    else {
        return Err(AppError::not_found(format!(
            "No version of plugin {:?} is waiting for approval.",
            form.id
        )));
    };
    let manifest = &pending.plugin.manifest;
    let detail = format!("{}: {}", manifest.version, pending.asks.summary());
    record(
        &state,
        &page,
        &granted,
        "plugin.approved",
        &format!("plugin {}", form.id),
        &detail,
    )
    .await?;
    Ok(page.done(
        "/admin/plugins/plugins/index",
        &format!(
            "{} {} is approved and serving.",
            manifest.name, manifest.version
        ),
        json!({ "id": form.id, "version": manifest.version, "granted": pending.asks }),
    ))
}

/// An optional whole number from a form field (empty means "default").
fn optional_number(label: &str, value: Option<&str>) -> AppResult<Option<i64>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid(format!("{label} must be a whole number."))),
    }
}

/// Sets a plugin's deadline and memory cap (empty fields reset to the defaults).
async fn limits(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<LimitsForm>,
) -> AppResult<Response> {
    let overrides = crate::plugins::runtime::Overrides {
        deadline_ms: optional_number("The deadline", form.deadline_ms.as_deref())?,
        memory_mib: optional_number("The memory cap", form.memory_mib.as_deref())?,
        max_calls: optional_number("The concurrent calls", form.max_calls.as_deref())?,
        max_timers: optional_number("The pending timers", form.max_timers.as_deref())?,
    };
    let runtime = state.plugins();
    if runtime.registry().get(&form.id).is_none() {
        return Err(AppError::not_found(format!(
            "There is no plugin with id {:?}.",
            form.id
        )));
    }
    crate::plugins::runtime::set_limits(state.db(), &form.id, overrides, state.now()).await?;
    runtime.refresh_states().await?;
    let limits = runtime.registry().limits_for(&form.id);
    let detail = format!(
        "deadline {} ms, memory {} MiB, {} calls at once",
        limits.deadline.as_millis(),
        limits.memory >> 20,
        limits.calls
    );
    record(
        &state,
        &page,
        &granted,
        "plugin.limits-changed",
        &format!("plugin {}", form.id),
        &detail,
    )
    .await?;
    Ok(page.done(
        "/admin/plugins/plugins/index",
        &format!("The limits of {} are now: {detail}.", form.id),
        json!({ "id": form.id, "deadline_ms": limits.deadline.as_millis() as u64, "memory_mib": limits.memory >> 20, "max_calls": limits.calls, "max_timers": limits.timers }),
    ))
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
        .loader()
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
    let (message, pending) = match runtime.registry().pending(&id) {
        Some(waiting) if Arc::ptr_eq(&waiting.plugin, &plugin) => {
            let upgrade = match runtime.registry().get(&id) {
                Some(serving) => format!(
                    " It replaces version {}, which keeps serving until then.",
                    serving.manifest.version
                ),
                None => String::new(),
            };
            (
                format!(
                    "{} {} is installed and waits for your approval: it asks for {}.{upgrade}",
                    plugin.manifest.name,
                    plugin.manifest.version,
                    waiting.missing.summary()
                ),
                true,
            )
        }
        _ => (
            format!(
                "{} {} is installed.",
                plugin.manifest.name, plugin.manifest.version
            ),
            false,
        ),
    };
    Ok(page.done(
        "/admin/plugins/plugins/index",
        &message,
        json!({ "id": id, "version": plugin.manifest.version, "pending": pending }),
    ))
}
