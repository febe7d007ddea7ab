//! What the benchmark binaries share: an app on a fresh database, an admin session cookie, a
//! server on a real port, and percentiles.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use backoffice::auth::session::{self, Realm};
use backoffice::clock::{Clock, SystemClock};
use backoffice::db::Db;
use backoffice::plugins::PluginSettings;
use backoffice::{AppState, WebSettings};

/// The `q` quantile of sorted samples.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// An app on a fresh SQLite database in `dir`, loading plugins from `plugins`.
pub async fn app(dir: &Path, plugins: Vec<PathBuf>, cache: bool) -> anyhow::Result<AppState> {
    let db = Db::connect(&Db::default_url(dir)).await?;
    db.migrate().await?;
    let settings = WebSettings {
        plugins: PluginSettings {
            dirs: plugins,
            upload_dir: None,
            cache_dir: cache.then(|| dir.join("cache")),
        },
        ..WebSettings::default()
    };
    AppState::new(db, Arc::new(SystemClock), settings)
}

/// Creates the first admin and a session for them; returns the `Cookie` header value.
pub async fn admin_cookie(state: &AppState) -> anyhow::Result<String> {
    let admin =
        backoffice::bootstrap::ensure_first_admin(state.db(), None, Some("bench-password-0001"), 0)
            .await?
            .expect("fresh database");
    let (user, _) = backoffice::users::find_credentials(state.db(), &admin.email)
        .await?
        .expect("admin");
    let (token, _) = session::create(
        state.db(),
        Realm::Admin,
        user.id,
        "127.0.0.1",
        "bench",
        SystemClock.now(),
    )
    .await?;
    Ok(format!("bo_session={token}"))
}

/// Serves `router` on a free local port; returns its base URL.
pub async fn serve(router: axum::Router) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(backoffice::server::serve_router(
        listener,
        router,
        std::future::pending(),
    ));
    Ok(base)
}
