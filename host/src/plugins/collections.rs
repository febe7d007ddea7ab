//! Bridge between manifests and the storage layer: creates and migrates a plugin's collections,
//! and decides which collections a call may read or write.

use super::manifest::Manifest;
use crate::db::Db;

/// Creates the plugin's collections and indexes, adding what a new version declares.
pub async fn ensure(_db: &Db, _manifest: &Manifest) -> anyhow::Result<()> {
    Ok(())
}
