//! Hot reload of theme folders: any change under the themes directory re-reads the themes and
//! rebuilds their environments. Events are debounced (editors write in several steps) and handled
//! by one thread, so two rebuilds never race; a build that finds a broken file keeps the last good
//! version of it serving (see `env`).

use std::path::Path;
use std::sync::{Arc, Weak, mpsc};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::templates::Templates;

/// Quiet time after the last event before the themes are re-read.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// Starts watching `dir`; the returned watcher must be kept alive, and dropping it stops the
/// reload thread.
pub fn spawn(dir: &Path, templates: &Arc<Templates>) -> notify::Result<notify::RecommendedWatcher> {
    let (tx, rx) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !event.kind.is_access()
        {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    let templates: Weak<Templates> = Arc::downgrade(templates);
    std::thread::Builder::new()
        .name("theme-reload".into())
        .spawn(move || {
            while rx.recv().is_ok() {
                // Wait until the directory is quiet.
                loop {
                    match rx.recv_timeout(DEBOUNCE) {
                        Ok(()) => continue,
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
                let Some(templates) = templates.upgrade() else {
                    return;
                };
                templates.reload_themes();
            }
        })
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    tracing::info!(dir = %dir.display(), "watching for theme changes");
    Ok(watcher)
}
