//! Probes for orchestrators and load balancers, served outside every other layer (no session,
//! theme, CSRF or request log), so they answer when those would fail:
//!
//! - `/healthz` — liveness: the process answers HTTP. Touches nothing; never restart a host
//!   because its database is down.
//! - `/readyz` — readiness: 200 when the database answers and has every migration this build
//!   knows, and every plugin file has been loaded (or has failed, visibly on the Plugins page);
//!   503 otherwise (during start-up while plugins compile, when the database is unreachable).
//!   The JSON body says which check failed.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::state::AppState;

/// How long `/readyz` waits for the database (a pool whose database went away would otherwise
/// wait for a connection for its whole acquire timeout).
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Database {
    Ok,
    /// Reachable, but a migration this build knows is not applied.
    MigrationsPending,
    Unreachable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Plugins {
    Loaded,
    Loading,
}

#[derive(Debug, Serialize)]
struct Readiness {
    ready: bool,
    database: Database,
    plugins: Plugins,
    /// Plugin files that failed to load (the host is ready without them; the Plugins page
    /// shows why).
    plugins_failed: usize,
}

async fn readyz(State(state): State<AppState>) -> Response {
    let database = match tokio::time::timeout(DATABASE_TIMEOUT, state.db().migrated()).await {
        Ok(Ok(true)) => Database::Ok,
        Ok(Ok(false)) => Database::MigrationsPending,
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: the database does not answer");
            Database::Unreachable
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer within {DATABASE_TIMEOUT:?}");
            Database::Unreachable
        }
    };
    let runtime = state.plugins();
    let plugins = if runtime.loaded() {
        Plugins::Loaded
    } else {
        Plugins::Loading
    };
    let ready = database == Database::Ok && plugins == Plugins::Loaded;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        ready,
        database,
        plugins,
        plugins_failed: runtime.registry().failures().len(),
    };
    (status, Json(body)).into_response()
}
