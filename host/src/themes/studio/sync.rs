//! Keeping this host's templates in step with the studio themes in the database. The theme
//! settings (`themes::store`, re-read every couple of seconds and at once after a change made
//! here) carry the studio's revision; when it differs from the one the templates were built
//! at, the studio themes are read again and the environments rebuilt. Hosts sharing a database
//! so serve the same published versions within the settings' refresh time.

use std::collections::BTreeMap;

use super::{draft_name, files, store};
use crate::db::Db;
use crate::templates::Templates;

/// One load at a time: the requests that find the revision moved wait for the first one's load
/// rather than each reading every studio theme again.
static LOADING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Reloads the studio themes when `revision` is not the one the templates hold.
pub async fn sync(templates: &Templates, db: &Db, revision: i64) -> sqlx::Result<()> {
    if templates.studio_revision() == Some(revision) {
        return Ok(());
    }
    let _loading = LOADING.lock().await;
    if templates
        .studio_revision()
        .is_some_and(|held| held >= revision)
    {
        return Ok(());
    }
    let (revision, stored) = store::load_all(db).await?;
    let mut folders = BTreeMap::new();
    let mut problems = Vec::new();
    for theme in stored {
        let mut add =
            |env_name: String, set: &super::Files| match files::to_folder(&theme.name, set) {
                Ok((folder, file_problems)) => {
                    problems.extend(file_problems);
                    folders.insert(env_name, folder);
                }
                Err(problem) => problems.push(problem),
            };
        add(draft_name(&theme.name), &theme.draft);
        if let Some(live) = &theme.live {
            add(theme.name.clone(), live);
        }
    }
    templates.set_studio(revision, folders, problems);
    Ok(())
}
