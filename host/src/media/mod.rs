//! The media library, a host service (DESIGN rule 10): images uploaded once, stored by the
//! host content-addressed (SHA-256, so the same bytes are one file), served at URLs that never
//! change their bytes, and referenced by plugins by id (WIT `media`).
//!
//! An upload is trusted for nothing it says about itself: [`check`] finds the format from the
//! magic bytes, refuses a header declaring too many pixels, and decodes the whole image under
//! `image::Limits` before anything is stored. The bytes live in the database (`store`), so
//! several hosts on one PostgreSQL database serve the same files. Resized variants
//! (`variants`) are made on first request, off the async runtime, and stored beside the
//! original.
//!
//! Whether a record still uses a file is for the sections to say (`host.usage`, asked by
//! the web layer before [`delete`]); the host knows no products.

mod check;
mod error;
mod file;
mod format;
mod name;
mod store;
#[cfg(test)]
mod tests;
mod variants;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

pub use error::MediaError;
pub use file::{Described, MediaFile};
pub use store::MANY_MAX;
pub use variants::Size;

use crate::db::{Db, is_unique_violation};
use crate::validate::{Invalid, optional_text};
use format::Format;

/// Default cap on one upload (10 MiB); `serve --media-max-mib` changes it.
pub const DEFAULT_MAX_UPLOAD: usize = 10 << 20;
/// Longest alt text, in characters.
pub const ALT_MAX: usize = 300;

/// How the library is configured.
#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// Largest file accepted, in bytes.
    pub max_upload: usize,
}

impl Default for MediaSettings {
    fn default() -> MediaSettings {
        MediaSettings {
            max_upload: DEFAULT_MAX_UPLOAD,
        }
    }
}

/// The answer to an upload: the file, and whether it existed already (same bytes).
#[derive(Debug)]
pub struct Uploaded {
    pub file: MediaFile,
    pub existing: bool,
}

/// Bytes to serve, with what identifies them for caches.
#[derive(Debug)]
pub struct Served {
    pub content_type: String,
    pub data: Vec<u8>,
    /// A strong ETag, quotes included.
    pub etag: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores an upload named `raw_name` (the browser's file name: a label only) unless the same
/// bytes are stored already, in which case that file is the answer. Refuses more than
/// `max_upload` bytes, a name that is a path, and anything [`check::check`] refuses.
pub async fn upload(
    db: &Db,
    raw_name: &str,
    bytes: Vec<u8>,
    settings: &MediaSettings,
    now: i64,
) -> Result<Uploaded, MediaError> {
    if bytes.len() > settings.max_upload {
        return Err(MediaError::TooLarge {
            limit: settings.max_upload,
        });
    }
    let name = name::display(raw_name)?;
    let (bytes, hash) = tokio::task::spawn_blocking(move || {
        let hash = sha256_hex(&bytes);
        (bytes, hash)
    })
    .await?;
    let mut conn = db.pool().acquire().await?;
    if let Some(file) = store::by_hash(&mut conn, &hash).await? {
        return Ok(Uploaded {
            file,
            existing: true,
        });
    }
    drop(conn);
    let (bytes, checked) = {
        let name = name.clone();
        tokio::task::spawn_blocking(move || {
            let checked = check::check(&bytes, &name).map(|c| (c.format, c.width, c.height));
            (bytes, checked)
        })
        .await?
    };
    let (format, width, height) = checked?;
    let new = store::NewFile {
        hash: &hash,
        name: &name,
        content_type: format.content_type(),
        width,
        height,
        bytes: &bytes,
    };
    let mut tx = db.begin_write().await?;
    if let Some(file) = store::by_hash(&mut tx, &hash).await? {
        return Ok(Uploaded {
            file,
            existing: true,
        });
    }
    match store::insert(&mut tx, &new, now).await {
        Ok(id) => {
            tx.commit().await?;
            let file = store::find(db, id).await?.ok_or(MediaError::NotFound(id))?;
            Ok(Uploaded {
                file,
                existing: false,
            })
        }
        // Another host stored the same bytes between our look and our insert.
        Err(err) if is_unique_violation(&err) => {
            drop(tx);
            let mut conn = db.pool().acquire().await?;
            let file = store::by_hash(&mut conn, &hash).await?.ok_or(err)?;
            Ok(Uploaded {
                file,
                existing: true,
            })
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn get(db: &Db, id: i64) -> Result<MediaFile, MediaError> {
    store::find(db, id).await?.ok_or(MediaError::NotFound(id))
}

/// The files of `ids` that exist, in order (see [`store::many`]).
pub async fn many(db: &Db, ids: &[i64]) -> Result<Vec<MediaFile>, MediaError> {
    Ok(store::many(db, ids).await?)
}

/// A page of files whose name contains `search`, newest first, and the number of matches.
pub async fn list(
    db: &Db,
    search: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<MediaFile>, i64), MediaError> {
    Ok(store::list(db, search, limit, offset).await?)
}

/// Replaces the alt texts of file `id`: one per locale of `locales` (the shop's), empty ones
/// dropped; a locale the shop does not have is refused.
pub async fn set_alt(
    db: &Db,
    id: i64,
    alt: BTreeMap<String, String>,
    locales: &[String],
    now: i64,
) -> Result<MediaFile, MediaError> {
    let mut clean = BTreeMap::new();
    for (locale, text) in alt {
        let label = format!("Alt text ({locale})");
        if !locales.contains(&locale) {
            return Err(
                Invalid::new(&label, format!("{label}: the shop has no locale {locale}.")).into(),
            );
        }
        let text = optional_text(&label, &text, ALT_MAX)?;
        if !text.is_empty() {
            clean.insert(locale, text);
        }
    }
    if !store::set_alt(db, id, &clean, now).await? {
        return Err(MediaError::NotFound(id));
    }
    get(db, id).await
}

/// Deletes file `id` and its variants, refused while `uses` (what the sections answered to
/// `host.usage`, asked by the caller) is not empty.
pub async fn delete(db: &Db, id: i64, uses: Vec<String>) -> Result<MediaFile, MediaError> {
    let file = get(db, id).await?;
    if !uses.is_empty() {
        return Err(MediaError::InUse { id, uses });
    }
    store::delete(db, &file).await?;
    Ok(file)
}

/// The file `id` when `prefix` is its hash prefix: a URL naming another file's hash (an id
/// reused, a URL made up) is not found.
async fn addressed(db: &Db, id: i64, prefix: &str) -> Result<MediaFile, MediaError> {
    let file = get(db, id).await?;
    if file.matches(prefix) {
        Ok(file)
    } else {
        Err(MediaError::NotFound(id))
    }
}

/// The original bytes of file `id` at hash prefix `prefix`.
pub async fn original(db: &Db, id: i64, prefix: &str) -> Result<Served, MediaError> {
    let file = addressed(db, id, prefix).await?;
    let (content_type, data) = store::blob(db, &file.hash, store::ORIGINAL)
        .await?
        .ok_or(MediaError::NotFound(id))?;
    Ok(Served {
        content_type,
        data,
        etag: format!("\"{}\"", file.hash),
    })
}

/// The variant `size` of file `id` in the format of the extension `ext` (`webp`, or the
/// file's own variant format), made and stored on its first request.
pub async fn variant(
    db: &Db,
    id: i64,
    prefix: &str,
    size: &str,
    ext: &str,
) -> Result<Served, MediaError> {
    let file = addressed(db, id, prefix).await?;
    let size = Size::parse(size).ok_or(MediaError::NotFound(id))?;
    let native = file.format().variant_format();
    let format = [Format::Webp, native]
        .into_iter()
        .find(|f| f.extension() == ext)
        .ok_or(MediaError::NotFound(id))?;
    let key = format!("{}.{}", size.name(), format.extension());
    let etag = format!("\"{}-{key}\"", file.hash);
    if let Some((content_type, data)) = store::blob(db, &file.hash, &key).await? {
        return Ok(Served {
            content_type,
            data,
            etag,
        });
    }
    let (_, original) = store::blob(db, &file.hash, store::ORIGINAL)
        .await?
        .ok_or(MediaError::NotFound(id))?;
    let source = file.format();
    let name = file.name.clone();
    let data = tokio::task::spawn_blocking(move || {
        let checked = check::decode(&original, source, &name).map_err(|e| e.to_string())?;
        variants::render(&checked.image, size, format)
    })
    .await?
    .map_err(|reason| MediaError::Variant { id, reason })?;
    store::put_blob(db.pool(), &file.hash, &key, format.content_type(), &data).await?;
    Ok(Served {
        content_type: format.content_type().to_owned(),
        data,
        etag,
    })
}
