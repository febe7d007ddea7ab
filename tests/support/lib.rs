//! Shared harness for the end-to-end tests: the real application served on a real port, over a
//! fresh SQLite file, with a clock the test moves by hand.
//!
//! Nothing here sleeps: a test that needs time to pass calls [`TestApp::advance`]. Nothing here
//! reaches past the HTTP surface to fake a result either; the database helpers only set up
//! fixtures (users, groups, roles) and read what the app wrote (audit rows, table snapshots).

pub mod binary;
pub mod browser;
pub mod crash;
pub mod discounts;
pub mod fixtures;
pub mod logs;
pub mod multipart;
pub mod navigation;
pub mod outbox;
pub mod plugins;
pub mod raw;
pub mod shipping;
pub mod smtp;
pub mod studio;
pub mod themes;
pub mod webdriver;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use backoffice::clock::ManualClock;
use backoffice::db::Db;
use backoffice::{AppState, WebSettings};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use browser::{Browser, Reply};
pub use fixtures::AuditRow;
pub use multipart::Multipart;

/// The first admin every test app starts with.
pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "first-admin-password-0001";
/// Unix time at which every test app's clock starts (2025-01-01 00:00:00 UTC).
pub const START: i64 = 1_735_689_600;

/// A running application and everything a test needs to drive and inspect it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub clock: ManualClock,
    pub db: Db,
    pub admin_id: i64,
    /// The app's state, for tests that register plugin templates or inspect themes directly.
    pub state: AppState,
    dir: TempDir,
    /// Hot reload, event delivery: running while the app runs (plugin tests only).
    _background: Option<backoffice::plugins::Background>,
    /// The mail sender, when the settings name an SMTP server; stopped with the app.
    mail_sender: Option<JoinHandle<()>>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// A fresh data directory, migrated database, first admin, default settings.
    pub async fn start() -> TestApp {
        Self::start_with(WebSettings::default()).await
    }

    pub async fn start_with(settings: WebSettings) -> TestApp {
        let dir = tempfile::tempdir().expect("creating a temp dir");
        Self::start_in(dir, settings).await
    }

    /// Serves the app over the data directory `dir` (which may already hold a database, e.g. one
    /// the CLI prepared). The first admin is created only when the database has no users.
    pub async fn start_in(dir: TempDir, settings: WebSettings) -> TestApp {
        Self::serve(dir, settings, false).await
    }

    /// Serves the app and, when `plugins` is set, loads the plugins of `settings` and starts the
    /// runtime's background work (hot reload, event delivery), as `serve` does.
    pub(crate) async fn serve(dir: TempDir, settings: WebSettings, plugins: bool) -> TestApp {
        let db = open_db(dir.path()).await;
        let clock = ManualClock::starting_at(START);
        backoffice::bootstrap::ensure_first_admin(
            &db,
            Some(ADMIN_EMAIL),
            Some(ADMIN_PASSWORD),
            START,
        )
        .await
        .expect("creating the first admin");
        let admin_id = fixtures::user_id(&db, ADMIN_EMAIL).await.unwrap_or(0);
        let state = AppState::new(db.clone(), Arc::new(clock.clone()), settings)
            .expect("building the app state");
        let mail_sender =
            backoffice::mail::delivery::start(state.mail().clone(), Arc::new(clock.clone()))
                .expect("starting the mail sender");
        let background = if plugins {
            Some(backoffice::plugins::start(state.plugins().clone(), Arc::new(clock.clone())).await)
        } else {
            None
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a port");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(backoffice::server::serve(
            listener,
            state.clone(),
            async move {
                let _ = rx.await;
            },
        ));
        TestApp {
            addr,
            clock,
            db,
            admin_id,
            state,
            dir,
            _background: background,
            mail_sender,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A new browser with an empty cookie jar.
    pub fn browser(&self) -> Browser {
        Browser::new(self.base_url())
    }

    /// A browser signed in as `email`, with its session's CSRF token loaded.
    pub async fn signed_in(&self, email: &str, password: &str) -> Browser {
        let browser = self.browser();
        let reply = browser.sign_in(email, password).await;
        assert_eq!(
            reply.status, 303,
            "sign-in of {email} failed: {}",
            reply.body
        );
        browser
    }

    /// A browser signed in as the first admin.
    pub async fn admin(&self) -> Browser {
        self.signed_in(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Moves the app's clock forward.
    pub fn advance(&self, seconds: i64) {
        self.clock.advance(seconds);
    }

    /// Stops the server gracefully and checks it ended without error.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("the server task panicked")
                .expect("the server ended with an error");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(sender) = &self.mail_sender {
            sender.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Calls `probe` until it returns `Some`, or panics naming `what` after `limit`. Probes run on a
/// 5 ms cadence (an interval, not a sleep used as synchronisation: the wait ends as soon as the
/// condition holds).
pub async fn poll<T, F, Fut>(limit: std::time::Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + limit;
    let mut cadence = tokio::time::interval(std::time::Duration::from_millis(5));
    loop {
        cadence.tick().await;
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not seen within {limit:?}"
        );
    }
}

/// Connects to (and migrates) the SQLite database of a data directory.
pub async fn open_db(dir: &Path) -> Db {
    let db = Db::connect(&Db::default_url(dir))
        .await
        .expect("connecting to SQLite");
    db.migrate().await.expect("migrating");
    db
}
