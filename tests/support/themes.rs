//! Theme fixtures: the shipped `themes/` folder, copies of it a test may edit, and polling with a
//! deadline for things that happen in the background (hot reload).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use backoffice::WebSettings;
use backoffice::themes::ThemeSettings;
use tempfile::TempDir;

use crate::TestApp;

/// How long a test waits for a background change to show.
pub const RELOAD_DEADLINE: Duration = Duration::from_secs(20);

/// The themes shipped in the repository.
pub fn shipped_themes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes")
}

/// A copy of the shipped themes in a fresh temporary directory.
pub fn copy_of_shipped_themes() -> TempDir {
    let dir = tempfile::tempdir().expect("creating a temp dir");
    copy_dir(&shipped_themes(), dir.path());
    dir
}

/// Copies a directory tree (regular files and folders only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating a directory");
    for entry in std::fs::read_dir(from)
        .expect("reading a directory")
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copying a file");
        }
    }
}

/// Writes a file, creating its folders.
pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("creating folders");
    }
    std::fs::write(path, text).expect("writing a file");
}

/// Settings serving the themes in `dir`, with or without hot reload.
pub fn settings(dir: &Path, watch: bool) -> WebSettings {
    WebSettings {
        themes: ThemeSettings {
            dir: Some(dir.to_path_buf()),
            watch,
        },
        ..WebSettings::default()
    }
}

impl TestApp {
    /// An app serving the themes in `dir`.
    pub async fn with_themes(dir: &Path, watch: bool) -> TestApp {
        TestApp::start_with(settings(dir, watch)).await
    }
}

/// Calls `probe` until it returns `Some`, or panics with `what` after [`RELOAD_DEADLINE`].
pub async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    crate::poll(RELOAD_DEADLINE, what, probe).await
}
