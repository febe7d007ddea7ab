//! Plugin fixtures: the real components built by `plugins/build.sh` from `tests/fixtures/*`
//! (and the first-party plugins from `plugins/*`), copied into a test app's own plugin directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use backoffice::WebSettings;
use backoffice::mail::MailSettings;
use backoffice::plugins::PluginSettings;

use crate::TestApp;

fn target_dir() -> PathBuf {
    option_env!("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// Where `plugins/build.sh --fixtures` puts the test fixtures.
pub fn fixtures_dir() -> PathBuf {
    target_dir().join("fixtures")
}

/// Where `plugins/build.sh` puts the first-party plugins (`plugins/*`).
pub fn first_party_dir() -> PathBuf {
    target_dir().join("plugins")
}

/// The built component `name`: a test fixture, or else a first-party plugin (e.g. `catalog`).
/// Panics with the command to run when neither is built.
pub fn fixture(name: &str) -> PathBuf {
    let file = format!("{name}.wasm");
    let path = fixtures_dir().join(&file);
    if path.is_file() {
        return path;
    }
    let first_party = first_party_dir().join(&file);
    assert!(
        first_party.is_file(),
        "plugin {name} is built neither as {} nor as {}: run scripts/test (or plugins/build.sh --fixtures) first",
        path.display(),
        first_party.display()
    );
    first_party
}

impl TestApp {
    /// An app whose plugin directory holds the given fixtures or first-party plugins (copied as
    /// `<name>.wasm`), loaded before the first request, with hot reload and event delivery
    /// running.
    pub async fn with_plugins(names: &[&str]) -> TestApp {
        TestApp::with_plugins_mailing(names, MailSettings::default()).await
    }

    /// [`TestApp::with_plugins`] with `mail` as the outgoing mail settings (e.g. an SMTP
    /// server from `crate::smtp`).
    pub async fn with_plugins_mailing(names: &[&str], mail: MailSettings) -> TestApp {
        let dir = tempfile::tempdir().expect("creating a temp dir");
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).expect("creating the plugin dir");
        for name in names {
            std::fs::copy(fixture(name), plugins.join(format!("{name}.wasm")))
                .expect("copying a fixture");
        }
        let settings = WebSettings {
            plugins: PluginSettings {
                // The fixtures stand in for the first-party build: approved by configuration.
                trusted: vec![plugins.clone()],
                dirs: vec![plugins],
                upload_dir: Some(dir.path().join("uploads")),
                cache_dir: Some(dir.path().join("cache")),
            },
            mail,
            ..WebSettings::default()
        };
        TestApp::serve(dir, settings, true).await
    }

    /// The directory the app loads plugins from.
    pub fn plugin_dir(&self) -> PathBuf {
        self.data_dir().join("plugins")
    }

    /// Waits until `check` holds (see [`crate::poll`]), or panics after `limit`.
    pub async fn eventually<F, Fut>(&self, limit: Duration, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let probe = || {
            let done = check();
            async move { done.await.then_some(()) }
        };
        crate::poll(limit, what, probe).await
    }
}
