//! The media tables (`migrations/*/0009_media.sql`): `media_files`, one row per distinct
//! upload (unique by hash), and `media_blobs`, the bytes of each original and of each variant
//! made so far, keyed by hash and variant. In the database, so every host behind a load
//! balancer serves every file (see `docs/architecture.md`).

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Executor};

use super::file::MediaFile;
use crate::db::Db;

/// The blob key of an original; a variant's is `<size>.<ext>`.
pub const ORIGINAL: &str = "";

const COLUMNS: &str =
    "id, hash, name, content_type, width, height, bytes, alt, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    hash: String,
    name: String,
    content_type: String,
    width: i64,
    height: i64,
    bytes: i64,
    alt: String,
    created_at: i64,
    updated_at: i64,
}

impl From<Row> for MediaFile {
    fn from(r: Row) -> MediaFile {
        MediaFile {
            id: r.id,
            hash: r.hash,
            name: r.name,
            content_type: r.content_type,
            width: u32::try_from(r.width).unwrap_or(0),
            height: u32::try_from(r.height).unwrap_or(0),
            bytes: r.bytes,
            // Written only by `set_alt` from a map; an unreadable value shows as none.
            alt: serde_json::from_str(&r.alt).unwrap_or_default(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub async fn find(db: &Db, id: i64) -> sqlx::Result<Option<MediaFile>> {
    let sql = format!("SELECT {COLUMNS} FROM media_files WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(MediaFile::from))
}

/// Most ids [`many`] looks up at once (a page of products with their images).
pub const MANY_MAX: usize = 500;

/// The files of `ids` that exist (at most [`MANY_MAX`] ids), in the order of `ids`, repeats
/// kept: one query for a whole page of records.
pub async fn many(db: &Db, ids: &[i64]) -> sqlx::Result<Vec<MediaFile>> {
    let ids = &ids[..ids.len().min(MANY_MAX)];
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM media_files WHERE id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let found: BTreeMap<i64, MediaFile> = query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|r| (r.id, MediaFile::from(r)))
        .collect();
    Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
}

pub async fn by_hash(conn: &mut AnyConnection, hash: &str) -> sqlx::Result<Option<MediaFile>> {
    let sql = format!("SELECT {COLUMNS} FROM media_files WHERE hash = $1");
    let row: Option<Row> = sqlx::query_as(&sql).bind(hash).fetch_optional(conn).await?;
    Ok(row.map(MediaFile::from))
}

/// A page of files whose name contains `search` (any case), newest first, and how many match.
pub async fn list(
    db: &Db,
    search: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<MediaFile>, i64)> {
    let pattern = format!("%{}%", like_escape(&search.to_lowercase()));
    let filter = "WHERE LOWER(name) LIKE $1 ESCAPE '\\'";
    let sql =
        format!("SELECT {COLUMNS} FROM media_files {filter} ORDER BY id DESC LIMIT $2 OFFSET $3");
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM media_files {filter}"))
        .bind(&pattern)
        .fetch_one(db.pool())
        .await?;
    Ok((rows.into_iter().map(MediaFile::from).collect(), total))
}

/// `text` with LIKE's wildcards and the escape character escaped.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// What a new file row holds.
pub struct NewFile<'a> {
    pub hash: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub width: u32,
    pub height: u32,
    pub bytes: &'a [u8],
}

/// Inserts the file row and its original's bytes (in the caller's transaction); the new id.
pub async fn insert(conn: &mut AnyConnection, new: &NewFile<'_>, now: i64) -> sqlx::Result<i64> {
    put_blob(&mut *conn, new.hash, ORIGINAL, new.content_type, new.bytes).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO media_files (hash, name, content_type, width, height, bytes, alt, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, '{}', $7, $7) RETURNING id",
    )
    .bind(new.hash)
    .bind(new.name)
    .bind(new.content_type)
    .bind(i64::from(new.width))
    .bind(i64::from(new.height))
    .bind(new.bytes.len() as i64)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn set_alt(
    db: &Db,
    id: i64,
    alt: &BTreeMap<String, String>,
    now: i64,
) -> sqlx::Result<bool> {
    let alt = serde_json::to_string(alt).unwrap_or_else(|_| "{}".into());
    let done = sqlx::query("UPDATE media_files SET alt = $1, updated_at = $2 WHERE id = $3")
        .bind(alt)
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes the file row and every blob of its hash, in one transaction.
pub async fn delete(db: &Db, file: &MediaFile) -> sqlx::Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM media_files WHERE id = $1")
        .bind(file.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM media_blobs WHERE hash = $1")
        .bind(&file.hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The stored bytes of `hash`'s `variant` ([`ORIGINAL`] or `<size>.<ext>`), with their type.
pub async fn blob(db: &Db, hash: &str, variant: &str) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    sqlx::query_as("SELECT content_type, data FROM media_blobs WHERE hash = $1 AND variant = $2")
        .bind(hash)
        .bind(variant)
        .fetch_optional(db.pool())
        .await
}

/// Stores bytes under `hash` and `variant`; a row already there (another request or host made
/// the same variant first) is kept: both are the same rendering of the same original.
pub async fn put_blob<'e, E: Executor<'e, Database = sqlx::Any>>(
    executor: E,
    hash: &str,
    variant: &str,
    content_type: &str,
    data: &[u8],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO media_blobs (hash, variant, content_type, data) VALUES ($1, $2, $3, $4)
         ON CONFLICT (hash, variant) DO NOTHING",
    )
    .bind(hash)
    .bind(variant)
    .bind(content_type)
    .bind(data.to_vec())
    .execute(executor)
    .await?;
    Ok(())
}
