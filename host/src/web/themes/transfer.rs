//! Theme archives over HTTP: import a `.zip` as a new studio theme (`themes/themes/import`),
//! checked whole before anything is stored (`themes::studio::archive`; a refused archive
//! changes nothing and the page lists every problem), and export any theme — a studio theme's
//! live version, draft or an earlier version, or a theme folder on disk — as a `.zip`
//! (`themes/themes/export`).

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

use super::super::error::{AppError, AppResult};
use super::super::input::Params;
use super::super::view::PageCtx;
use super::{Change, author};
use crate::acl::Granted;
use crate::state::AppState;
use crate::themes::studio::{Files, StudioError, archive, store};
use crate::themes::{folder::Folder, paths};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/themes/themes/import",
            get(import_form)
                .post(import)
                .layer(DefaultBodyLimit::max(archive::MAX_ARCHIVE + (1 << 20))),
        )
        .route("/admin/themes/themes/export", get(export))
}

async fn import_form(_: Granted, page: PageCtx) -> AppResult<Response> {
    page.render(
        "backoffice/themes/import.html",
        "Import a theme",
        json!({ "problems": [], "max_mib": archive::MAX_ARCHIVE >> 20 }),
    )
}

/// The import page again, listing why the archive was refused (422).
fn refused(page: &PageCtx, problems: Vec<String>) -> AppResult<Response> {
    if page.wants_json() {
        return Err(StudioError::Refused(problems).into());
    }
    let mut response = page.render(
        "backoffice/themes/import.html",
        "Import a theme",
        json!({ "problems": problems, "max_mib": archive::MAX_ARCHIVE >> 20 }),
    )?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

async fn import(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::FileTooLarge(format!(
                "The archive is larger than {} MiB.",
                archive::MAX_ARCHIVE >> 20
            ))
        } else {
            AppError::BadRequest(format!("The upload could not be read: {e}"))
        }
    };
    let mut bytes = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("archive") {
            bytes = Some(field.bytes().await.map_err(unreadable)?);
        }
    }
    let bytes = bytes
        .filter(|b| !b.is_empty())
        .ok_or_else(|| AppError::invalid("Choose a .zip archive to import."))?;
    let templates = state.templates();
    let imported = match archive::read(&bytes, &|t| templates.has_theme(t)) {
        Ok(imported) => imported,
        Err(problems) => return refused(&page, problems),
    };
    let name = imported.name;
    if templates.is_disk_theme(&name) || templates.has_theme(&name) {
        return refused(&page, vec![StudioError::Exists(name).to_string()]);
    }
    store::create(
        state.db(),
        &name,
        &imported.files,
        &author(&granted),
        "imported",
        state.now(),
    )
    .await?;
    let detail = &format!("{} files", imported.files.len());
    Change::new(&state, &page, &granted)
        .made("theme.imported", &name, detail)
        .await?;
    Ok(page.done(
        &format!("/admin/themes/themes/versions?theme={name}"),
        &format!(
            "The theme {name} is imported ({} files).",
            imported.files.len()
        ),
        json!({ "theme": name, "files": imported.files.keys().collect::<Vec<_>>() }),
    ))
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    theme: Option<String>,
    version: Option<i64>,
    #[serde(default)]
    draft: bool,
}

async fn export(
    State(state): State<AppState>,
    _: Granted,
    Params(q): Params<ExportQuery>,
) -> AppResult<Response> {
    let theme = q.theme.unwrap_or_default();
    if !paths::is_theme_name(&theme) {
        return Err(AppError::not_found("There is no such theme."));
    }
    let files = if let Some(folder) = state.templates().disk_folder(&theme) {
        disk_files(&folder)?
    } else {
        let published = store::find(state.db(), &theme)
            .await?
            .ok_or_else(|| StudioError::NotFound(theme.clone()))?;
        if q.draft {
            store::draft_files(state.db(), &theme).await?
        } else {
            let version = q.version.or(published).unwrap_or(0);
            let files = store::version_files(state.db(), &theme, version).await?;
            if files.is_empty() {
                return Err(StudioError::NoVersion { theme, version }.into());
            }
            files
        }
    };
    let zip = archive::write(&files).map_err(|e| AppError::Internal(e.into()))?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{theme}.zip\""))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        zip,
    )
        .into_response())
}

/// The files of a theme folder on disk, as an archive holds them.
fn disk_files(folder: &Folder) -> AppResult<Files> {
    let mut files = Files::new();
    let manifest = paths::resolve(&folder.root, "theme.toml")
        .and_then(|p| std::fs::read(p).map_err(|_| paths::PathError::Missing("theme.toml".into())))
        .map_err(|e| AppError::Internal(e.into()))?;
    files.insert("theme.toml".into(), manifest);
    for (name, text) in &folder.templates {
        files.insert(format!("templates/{name}"), text.clone().into_bytes());
    }
    let root = folder.root.join("static");
    for rel in folder.statics.keys() {
        if let Ok(bytes) = paths::resolve(&root, rel)
            .and_then(|p| std::fs::read(p).map_err(|_| paths::PathError::Missing(rel.clone())))
        {
            files.insert(format!("static/{rel}"), bytes);
        }
    }
    Ok(files)
}
