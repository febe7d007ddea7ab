//! Hot reload: watches the plugin directories and reloads a `.wasm` file shortly after its
//! content changes. Events are debounced (copies and editors write in several steps) and handled
//! by one task, so a plugin is never loaded from two places at once.
//!
//! Only events that can change a file's content count: a file that is merely opened or read (a
//! `cat`, a backup, a checksum, another host loading the same directory, or this watcher's own
//! reload) must never start a reload, or each reload's read would start the next one. The loader
//! then compares content hashes, so a write of identical bytes changes nothing either.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use super::runtime::Runtime;
use crate::clock::Clock;

/// Quiet time after the last event for a file before it is loaded.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Starts watching; the returned watcher must be kept alive.
pub fn spawn(
    runtime: Arc<Runtime>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && changes_content(&event.kind)
        {
            for path in event.paths {
                if is_plugin_file(&path) {
                    let _ = tx.send(path);
                }
            }
        }
    })?;
    for dir in runtime.dirs() {
        if dir.is_dir() {
            watcher.watch(&dir, RecursiveMode::NonRecursive)?;
            tracing::info!(dir = %dir.display(), "watching for plugin changes");
        }
    }
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut pending: HashSet<PathBuf> = HashSet::from([first]);
            // Collect everything that arrives until the directory is quiet.
            while let Ok(Some(path)) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                pending.insert(path);
            }
            // Counted before any loading, so that once a later file is seen loaded, every
            // change noticed before it has been counted (the Plugins page shows the counts).
            for path in &pending {
                runtime.registry().note_change(path);
            }
            for path in pending {
                if path.exists() {
                    // A failure is recorded for the Plugins page; the old version keeps serving.
                    let _ = runtime.loader().load_file(&path, clock.now()).await;
                }
            }
        }
    });
    Ok(watcher)
}

/// Whether an event may mean new content: a creation, a write, a rename into place, or the
/// close of a file opened for writing. Opens, reads, closes after reading and metadata changes
/// (`chmod`, `touch -a`) do not.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// `*.wasm`, not hidden (uploads are written under a hidden name first).
fn is_plugin_file(path: &std::path::Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.'));
    !hidden && path.extension().is_some_and(|e| e == "wasm")
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, MetadataKind, RenameMode};

    #[test]
    fn reads_and_metadata_never_count_as_changes() {
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Read),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
            EventKind::Remove(notify::event::RemoveKind::File),
        ] {
            assert!(!changes_content(&kind), "{kind:?}");
        }
    }

    #[test]
    fn writes_creations_and_renames_count_as_changes() {
        for kind in [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
        ] {
            assert!(changes_content(&kind), "{kind:?}");
        }
    }
}
