//! Studio themes in the database: a row per theme (which version is live), its draft files, and
//! its published versions with their files, author, note and diff. Every change runs in one
//! transaction that also moves `theme_studio_revision`, so a publish is seen whole or not at
//! all, and every host notices the change (`sync`).
//!
//! Callers check files (`files`) before they come here; this module only stores them.

use serde::Serialize;
use sqlx::Row;

use super::{Files, StudioError, diff};
use crate::db::Db;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A studio theme as the database holds it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub name: String,
    /// The live version, if any.
    pub published: Option<i64>,
    pub draft: Files,
    /// The files of the live version.
    pub live: Option<Files>,
}

/// One published version, as the versions page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub version: i64,
    pub author: String,
    pub note: String,
    pub diff: String,
    pub created_at: i64,
}

/// The change counter: it moves with every write to a studio theme.
pub async fn revision(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT revision FROM theme_studio_revision WHERE id = 1")
        .fetch_one(db.pool())
        .await
}

/// Every studio theme with its draft and live files, and the revision they were read at.
pub async fn load_all(db: &Db) -> sqlx::Result<(i64, Vec<Stored>)> {
    let revision = revision(db).await?;
    let mut out = Vec::new();
    for row in sqlx::query("SELECT name, published FROM theme_studio ORDER BY name")
        .fetch_all(db.pool())
        .await?
    {
        let name: String = row.try_get("name")?;
        let published: Option<i64> = row.try_get("published")?;
        let draft = draft_files(db, &name).await?;
        let live = match published {
            Some(version) => Some(version_files(db, &name, version).await?),
            None => None,
        };
        out.push(Stored {
            name,
            published,
            draft,
            live,
        });
    }
    Ok((revision, out))
}

/// The theme's row, if it is a studio theme: its live version.
pub async fn find(db: &Db, name: &str) -> sqlx::Result<Option<Option<i64>>> {
    let row = sqlx::query("SELECT published FROM theme_studio WHERE name = $1")
        .bind(name)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| r.try_get::<Option<i64>, _>("published"))
        .transpose()
}

/// The draft's files.
pub async fn draft_files(db: &Db, name: &str) -> sqlx::Result<Files> {
    files_of(
        sqlx::query("SELECT path, body FROM theme_studio_drafts WHERE theme = $1")
            .bind(name)
            .fetch_all(db.pool())
            .await?,
    )
}

/// The files of one published version (empty when there is no such version).
pub async fn version_files(db: &Db, name: &str, version: i64) -> sqlx::Result<Files> {
    files_of(
        sqlx::query("SELECT path, body FROM theme_studio_files WHERE theme = $1 AND version = $2")
            .bind(name)
            .bind(version)
            .fetch_all(db.pool())
            .await?,
    )
}

fn files_of(rows: Vec<sqlx::any::AnyRow>) -> sqlx::Result<Files> {
    rows.into_iter()
        .map(|r| Ok((r.try_get("path")?, r.try_get("body")?)))
        .collect()
}

/// Every published version of a theme, newest first.
pub async fn versions(db: &Db, name: &str) -> sqlx::Result<Vec<Version>> {
    sqlx::query(
        "SELECT version, author, note, diff, created_at FROM theme_studio_versions \
         WHERE theme = $1 ORDER BY version DESC",
    )
    .bind(name)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| {
        Ok(Version {
            version: r.try_get("version")?,
            author: r.try_get("author")?,
            note: r.try_get("note")?,
            diff: r.try_get("diff")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}

/// Creates the theme `name` with `files` as its draft and as its first published version (a
/// new theme is live nowhere until someone activates it).
pub async fn create(
    db: &Db,
    name: &str,
    files: &Files,
    author: &str,
    note: &str,
    now: i64,
) -> Result<(), StudioError> {
    let mut tx = db.begin_write().await?;
    let taken: Option<String> = sqlx::query_scalar("SELECT name FROM theme_studio WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(StudioError::Exists(name.to_owned()));
    }
    sqlx::query(
        "INSERT INTO theme_studio (name, published, created_at, updated_at) VALUES ($1, NULL, $2, $2)",
    )
    .bind(name)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    replace_draft(&mut tx, name, files).await?;
    publish_in(&mut tx, name, files, author, note, now).await?;
    bump(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Stores one file of the draft (`None` removes it).
pub async fn put_draft_file(
    db: &Db,
    name: &str,
    path: &str,
    body: Option<&[u8]>,
    now: i64,
) -> Result<(), StudioError> {
    let mut tx = db.begin_write().await?;
    exists_in(&mut tx, name).await?;
    sqlx::query("DELETE FROM theme_studio_drafts WHERE theme = $1 AND path = $2")
        .bind(name)
        .bind(path)
        .execute(&mut *tx)
        .await?;
    if let Some(body) = body {
        sqlx::query("INSERT INTO theme_studio_drafts (theme, path, body) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(path)
            .bind(body.to_vec())
            .execute(&mut *tx)
            .await?;
    }
    touch(&mut tx, name, now).await?;
    bump(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes the draft the live version: a new version numbered after the last, with the diff
/// against the live one. Refused when the draft is the live version already.
pub async fn publish(
    db: &Db,
    name: &str,
    author: &str,
    note: &str,
    now: i64,
) -> Result<i64, StudioError> {
    let mut tx = db.begin_write().await?;
    exists_in(&mut tx, name).await?;
    let draft = files_of(
        sqlx::query("SELECT path, body FROM theme_studio_drafts WHERE theme = $1")
            .bind(name)
            .fetch_all(&mut *tx)
            .await?,
    )?;
    let live = live_files(&mut tx, name).await?;
    if live.as_ref() == Some(&draft) {
        return Err(StudioError::NothingToPublish(name.to_owned()));
    }
    let version = publish_in(&mut tx, name, &draft, author, note, now).await?;
    bump(&mut tx).await?;
    tx.commit().await?;
    Ok(version)
}

/// Puts the files of `version` back: they become the draft and, as a new version, live.
pub async fn rollback(
    db: &Db,
    name: &str,
    version: i64,
    author: &str,
    now: i64,
) -> Result<i64, StudioError> {
    let mut tx = db.begin_write().await?;
    exists_in(&mut tx, name).await?;
    let known: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM theme_studio_versions WHERE theme = $1 AND version = $2",
    )
    .bind(name)
    .bind(version)
    .fetch_optional(&mut *tx)
    .await?;
    if known.is_none() {
        return Err(StudioError::NoVersion {
            theme: name.to_owned(),
            version,
        });
    }
    let files = files_of(
        sqlx::query("SELECT path, body FROM theme_studio_files WHERE theme = $1 AND version = $2")
            .bind(name)
            .bind(version)
            .fetch_all(&mut *tx)
            .await?,
    )?;
    replace_draft(&mut tx, name, &files).await?;
    let new = publish_in(
        &mut tx,
        name,
        &files,
        author,
        &format!("rolled back to version {version}"),
        now,
    )
    .await?;
    bump(&mut tx).await?;
    tx.commit().await?;
    Ok(new)
}

async fn exists_in(tx: &mut Tx, name: &str) -> Result<(), StudioError> {
    let found: Option<String> = sqlx::query_scalar("SELECT name FROM theme_studio WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    found
        .map(|_| ())
        .ok_or_else(|| StudioError::NotFound(name.to_owned()))
}

async fn live_files(tx: &mut Tx, name: &str) -> sqlx::Result<Option<Files>> {
    let published: Option<i64> =
        sqlx::query_scalar("SELECT published FROM theme_studio WHERE name = $1")
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
    match published {
        None => Ok(None),
        Some(version) => files_of(
            sqlx::query(
                "SELECT path, body FROM theme_studio_files WHERE theme = $1 AND version = $2",
            )
            .bind(name)
            .bind(version)
            .fetch_all(&mut **tx)
            .await?,
        )
        .map(Some),
    }
}

async fn replace_draft(tx: &mut Tx, name: &str, files: &Files) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM theme_studio_drafts WHERE theme = $1")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    for (path, body) in files {
        sqlx::query("INSERT INTO theme_studio_drafts (theme, path, body) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(path)
            .bind(body.clone())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Stores `files` as the next version and makes it live.
async fn publish_in(
    tx: &mut Tx,
    name: &str,
    files: &Files,
    author: &str,
    note: &str,
    now: i64,
) -> sqlx::Result<i64> {
    let previous = live_files(tx, name).await?.unwrap_or_default();
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM theme_studio_versions WHERE theme = $1")
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
    let version = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO theme_studio_versions (theme, version, author, note, diff, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(name)
    .bind(version)
    .bind(author)
    .bind(note)
    .bind(diff::diff(&previous, files))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (path, body) in files {
        sqlx::query(
            "INSERT INTO theme_studio_files (theme, version, path, body) VALUES ($1, $2, $3, $4)",
        )
        .bind(name)
        .bind(version)
        .bind(path)
        .bind(body.clone())
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE theme_studio SET published = $1, updated_at = $2 WHERE name = $3")
        .bind(version)
        .bind(now)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(version)
}

async fn touch(tx: &mut Tx, name: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE theme_studio SET updated_at = $1 WHERE name = $2")
        .bind(now)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn bump(tx: &mut Tx) -> sqlx::Result<()> {
    sqlx::query("UPDATE theme_studio_revision SET revision = revision + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
