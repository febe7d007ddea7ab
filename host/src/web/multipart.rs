//! `multipart/form-data` bodies: file uploads to plugin routes, and the CSRF token inside them.
//!
//! Plugins receive no bytes and no streams: a multipart body reaches them as form pairs, the
//! same `request.form` an urlencoded form fills. A text field is one pair; a file part is a pair
//! named like its field whose value is the file's text (UTF-8, a leading byte-order mark
//! dropped), plus a pair `<field>.filename`. A file that is not UTF-8 text is refused with 400
//! before the plugin runs. This keeps the WIT contract unchanged and fits what plugins import:
//! CSV and other text files.
//!
//! Multipart bodies to plugin routes may be up to [`PLUGIN_UPLOAD_LIMIT`]; every other body the
//! host reads keeps the small general limit (`web::BODY_LIMIT`).

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use futures_util::StreamExt;

use super::error::{AppError, AppResult};
use crate::plugins::bindings::types::Pair;

/// Largest `multipart/form-data` body a plugin route accepts (16 MiB): room for a CSV of some
/// 100,000 product rows, small enough to hold in memory while the plugin runs.
pub const PLUGIN_UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

/// The multipart boundary when the request's content type is `multipart/form-data`.
pub fn boundary(headers: &HeaderMap) -> Option<AppResult<String>> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    Some(
        multer::parse_boundary(content_type)
            .map_err(|_| AppError::BadRequest("The multipart body has no boundary.".into())),
    )
}

/// Reads the whole body into form pairs (see the module comment), refusing more than `limit`
/// bytes with 413.
pub async fn pairs(body: Body, boundary: String, limit: usize) -> AppResult<Vec<Pair>> {
    let mut parts = reader(body.into_data_stream(), boundary, limit);
    let mut pairs = Vec::new();
    while let Some(field) = parts.next_field().await.map_err(unreadable)? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let filename = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(unreadable)?;
        let text = String::from_utf8(bytes.into()).map_err(|_| match &filename {
            Some(file) => AppError::BadRequest(format!("The file {file} is not UTF-8 text.")),
            None => AppError::BadRequest("The form contains text that is not valid UTF-8.".into()),
        })?;
        match filename {
            Some(file) => {
                let text = text
                    .strip_prefix('\u{feff}')
                    .map(str::to_owned)
                    .unwrap_or(text);
                pairs.push(Pair {
                    name: format!("{name}.filename"),
                    value: file,
                });
                pairs.push(Pair { name, value: text });
            }
            None => pairs.push(Pair { name, value: text }),
        }
    }
    Ok(pairs)
}

/// The value of the text field `name`, and the body to pass on unchanged.
///
/// Reads only as far as that field: the bytes read are kept and replayed in front of the rest of
/// the stream, so a form whose hidden field comes first (as browsers send it, in document order)
/// is checked without buffering its files. A field after the files costs buffering up to
/// `limit`.
pub async fn field(
    body: Body,
    boundary: String,
    name: &str,
    limit: usize,
) -> AppResult<(Option<String>, Body)> {
    let mut stream = body.into_data_stream();
    let mut seen: Vec<Bytes> = Vec::new();
    let value = {
        let recorded = (&mut stream).inspect(|chunk| {
            if let Ok(bytes) = chunk {
                seen.push(bytes.clone());
            }
        });
        let mut parts = reader(recorded, boundary, limit);
        let mut value = None;
        while let Some(field) = parts.next_field().await.map_err(unreadable)? {
            if field.name() == Some(name) && field.file_name().is_none() {
                value = Some(field.text().await.map_err(unreadable)?);
                break;
            }
        }
        value
    };
    let replay = futures_util::stream::iter(seen.into_iter().map(Ok::<_, axum::Error>));
    Ok((value, Body::from_stream(replay.chain(stream))))
}

fn reader<'r, S>(stream: S, boundary: String, limit: usize) -> multer::Multipart<'r>
where
    S: futures_util::Stream<Item = Result<Bytes, axum::Error>> + Send + 'r,
{
    let limit = multer::SizeLimit::new().whole_stream(limit as u64);
    multer::Multipart::with_constraints(
        stream,
        boundary,
        multer::Constraints::new().size_limit(limit),
    )
}

fn unreadable(error: multer::Error) -> AppError {
    match error {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            AppError::TooLarge
        }
        other => AppError::BadRequest(format!("The multipart body could not be read: {other}.")),
    }
}
