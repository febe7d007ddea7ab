//! The media library page: `/admin/media/files/<action>`. A grid of the uploaded images with
//! thumbnails and search by name; upload (multipart, one or more files; progress shown by
//! `/assets/media.js`); a file's page with its URLs, alt texts per shop locale and the
//! records that use it; delete, refused while a section says it uses the file (`host.usage`,
//! kind `media`, the file's id as code).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::dispatch::admin_caller;
use super::error::{AppError, AppResult};
use super::input::{Input, Params, SearchQuery};
use super::record;
use super::view::PageCtx;
use crate::acl::Granted;
use crate::media::{self, MediaFile};
use crate::shop::usage;
use crate::state::AppState;

/// `host.usage` kind of a media file.
pub const USAGE_KIND: &str = "media";
const PER_PAGE: i64 = 48;
const INDEX: &str = "/admin/media/files/index";

/// The routes; the upload accepts bodies up to `max_upload` plus room for the form around it.
pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route(INDEX, get(index))
        .route(
            "/admin/media/files/upload",
            post(upload_images).layer(DefaultBodyLimit::max(max_upload + (1 << 20))),
        )
        .route("/admin/media/files/edit", get(edit_form).post(edit))
        .route("/admin/media/files/delete", post(delete_file))
        .route("/assets/media.js", get(script))
}

async fn index(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(query): Params<SearchQuery>,
) -> AppResult<Response> {
    let (search, paging) = query.read(PER_PAGE)?;
    let (files, total) = media::list(state.db(), &search, paging.per_page, paging.offset()).await?;
    let data = json!({
        "q": search,
        "files": files.into_iter().map(MediaFile::describe).collect::<Vec<_>>(),
        "paging": paging.summary(total),
        "max_upload_mib": state.settings().media.max_upload >> 20,
    });
    page.render("backoffice/media/index.html", "Media", data)
}

/// Stores every `file` part of the form (the same bytes twice are one file).
async fn upload_images(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let settings = &state.settings().media;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::from(media::MediaError::TooLarge {
                limit: settings.max_upload,
            })
        } else {
            AppError::BadRequest(format!("The upload could not be read: {e}"))
        }
    };
    let mut stored = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > settings.max_upload {
                return Err(media::MediaError::TooLarge {
                    limit: settings.max_upload,
                }
                .into());
            }
        }
        if name.is_empty() && bytes.is_empty() {
            continue; // an empty file input
        }
        let uploaded = media::upload(state.db(), &name, bytes, settings, state.now()).await?;
        if !uploaded.existing {
            let file = &uploaded.file;
            let detail = format!(
                "{} ({}, {} bytes)",
                file.name, file.content_type, file.bytes
            );
            record(
                &state,
                &page,
                &granted,
                "media.uploaded",
                &target(file.id),
                &detail,
            )
            .await?;
        }
        stored.push(json!({ "existing": uploaded.existing, "file": uploaded.file.describe() }));
    }
    if stored.is_empty() {
        return Err(AppError::invalid("Choose an image to upload."));
    }
    let message = match stored.as_slice() {
        [one] if one["existing"] == true => format!(
            "{} was already in the library: the same image is kept once.",
            one["file"]["name"].as_str().unwrap_or_default()
        ),
        [one] => format!(
            "{} is uploaded.",
            one["file"]["name"].as_str().unwrap_or_default()
        ),
        many => format!("{} images are uploaded.", many.len()),
    };
    let mut extra = json!({ "files": stored });
    if let [one] = stored.as_slice() {
        extra["file"] = one["file"].clone();
        extra["existing"] = one["existing"].clone();
    }
    Ok(page.done(INDEX, &message, extra))
}

fn target(id: i64) -> String {
    format!("media file {id}")
}

#[derive(Debug, Deserialize)]
struct IdQuery {
    id: i64,
}

/// The sections' uses of file `id`, asked through `host.usage`.
async fn uses_of(
    state: &AppState,
    granted: &Granted,
    page: &PageCtx,
    id: i64,
) -> AppResult<Vec<usage::SectionUses>> {
    let caller = admin_caller(granted, page);
    Ok(usage::of(
        state.plugins().calls(),
        &caller,
        USAGE_KIND,
        &id.to_string(),
    )
    .await?)
}

/// A file's page: preview, URLs and variants, alt text per shop locale, and its uses.
async fn edit_form(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Params(q): Params<IdQuery>,
) -> AppResult<Response> {
    let file = media::get(state.db(), q.id).await?;
    let sections = uses_of(&state, &granted, &page, q.id).await?;
    let ctx = state.shop().current().await?;
    let title = file.name.clone();
    let data = json!({
        "file": file.describe(),
        "locales": ctx.locales,
        "uses": sections,
    });
    page.render("backoffice/media/edit.html", &title, data)
}

/// The alt texts of a form (`alt.<locale>` fields) or of a JSON body (`"alt": {locale:
/// text}`), with the file's id (`id`, a number or its text).
#[derive(Debug)]
struct AltForm {
    id: i64,
    alt: BTreeMap<String, String>,
}

impl AltForm {
    fn read(body: Value) -> AppResult<AltForm> {
        let id = match &body["id"] {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| AppError::invalid("Id: the media file's id is required."))?;
        let mut alt = BTreeMap::new();
        let text = |v: &Value| v.as_str().map(str::to_owned);
        if let Some(map) = body["alt"].as_object() {
            for (locale, value) in map {
                alt.insert(locale.clone(), text(value).unwrap_or_default());
            }
        }
        if let Some(fields) = body.as_object() {
            for (key, value) in fields {
                if let Some(locale) = key.strip_prefix("alt.") {
                    alt.insert(locale.to_owned(), text(value).unwrap_or_default());
                }
            }
        }
        Ok(AltForm { id, alt })
    }
}

async fn edit(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(body): Input<Value>,
) -> AppResult<Response> {
    let form = AltForm::read(body)?;
    let ctx = state.shop().current().await?;
    let locales: Vec<String> = ctx.locales.iter().map(|l| l.code.clone()).collect();
    let file = media::set_alt(state.db(), form.id, form.alt, &locales, state.now()).await?;
    let detail = serde_json::to_string(&file.alt).unwrap_or_default();
    record(
        &state,
        &page,
        &granted,
        "media.alt-changed",
        &target(file.id),
        &detail,
    )
    .await?;
    Ok(page.done(
        &format!("/admin/media/files/edit?id={}", file.id),
        &format!("The alt texts of {} are saved.", file.name),
        json!({ "file": file.describe() }),
    ))
}

#[derive(Debug, Deserialize)]
struct IdForm {
    id: i64,
}

async fn delete_file(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    media::get(state.db(), form.id).await?;
    let sections = uses_of(&state, &granted, &page, form.id).await?;
    let file = media::delete(state.db(), form.id, usage::phrases(&sections)).await?;
    record(
        &state,
        &page,
        &granted,
        "media.deleted",
        &target(file.id),
        &file.name,
    )
    .await?;
    Ok(page.done(
        INDEX,
        &format!("{} is deleted.", file.name),
        json!({ "id": file.id }),
    ))
}

/// The upload progress script (a static asset: the CSP allows no inline script).
async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/media.js"),
    )
        .into_response()
}
