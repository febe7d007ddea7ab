//! Bridge between manifests and the storage layer: creates and migrates a plugin's collections,
//! and decides which collections a call may use.
//!
//! A plugin names its own collections plainly (`notes`) and another plugin's as
//! `<plugin>/<collection>`. It may write only its own; it may read another's when the collection
//! is shared and the plugin's manifest asked for it under `reads` (shown to the admin on the
//! Plugins page). Everything else is `forbidden`.

use sqlx::AnyConnection;

use super::manifest::{Grant, Manifest};
use crate::db::{Db, Engine};
use crate::storage::{self, Collection, StorageError};

/// Creates the plugin's collections and indexes, adding what a new version declares; never
/// drops data.
pub async fn ensure(db: &Db, manifest: &Manifest, now: i64) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    storage::ensure(
        &mut tx,
        db.engine(),
        &manifest.id,
        &manifest.collections,
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("preparing storage: {e}"))?;
    tx.commit().await?;
    Ok(())
}

/// How a call wants to use a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Read,
    Write,
}

/// The collection `name` as the calling plugin may use it, or why not.
pub async fn open(
    conn: &mut AnyConnection,
    engine: Engine,
    manifest: &Manifest,
    name: &str,
    usage: Use,
) -> Result<Collection, StorageError> {
    let (owner, collection) = match name.split_once('/') {
        Some((owner, collection)) => (owner, collection),
        None => (manifest.id.as_str(), name),
    };
    if owner == manifest.id {
        return storage::open(conn, engine, owner, collection).await;
    }
    if usage == Use::Write {
        return Err(StorageError::Forbidden(format!(
            "{name} belongs to the section {owner}; other sections' collections are read-only"
        )));
    }
    let grant = Grant {
        plugin: owner.to_owned(),
        collection: collection.to_owned(),
    };
    if !manifest.reads.contains(&grant) {
        return Err(StorageError::Forbidden(format!(
            "{name} is not granted to {}: declare it under `reads` in the manifest",
            manifest.id
        )));
    }
    match storage::spec(conn, engine, owner, collection).await? {
        Some(spec) if spec.shared => storage::open(conn, engine, owner, collection).await,
        Some(_) => Err(StorageError::Forbidden(format!(
            "{name} is not shared by the section {owner}"
        ))),
        None => Err(StorageError::Invalid(format!(
            "there is no collection {name}"
        ))),
    }
}
