//! Hot reload: watches the plugin directories and reloads a `.wasm` file shortly after it
//! changes. Events are debounced (copies and editors write in several steps) and handled by one
//! task, so a plugin is never loaded from two places at once.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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
        if let Ok(event) = event {
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
            for path in pending {
                if path.exists() {
                    runtime.load_file_recording(&path, clock.now()).await;
                }
            }
        }
    });
    Ok(watcher)
}

/// `*.wasm`, not hidden (uploads are written under a hidden name first).
fn is_plugin_file(path: &std::path::Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.'));
    !hidden && path.extension().is_some_and(|e| e == "wasm")
}
