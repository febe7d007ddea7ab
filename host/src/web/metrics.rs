//! `/metrics`: the host's metrics in the Prometheus text format (the families are listed in
//! `observe::metrics`). Scrapers authenticate with an API token of a user allowed
//! `metrics/prometheus/index`. The gauges read from the database are read here, per scrape,
//! so that requests never pay for them.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::error::{AppError, AppResult};
use crate::acl::store::permissions_for;
use crate::auth::Identity;
use crate::observe::scrape;
use crate::state::AppState;

/// The content type of the Prometheus text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(
    State(state): State<AppState>,
    identity: axum::Extension<Identity>,
) -> AppResult<Response> {
    let principal = identity
        .principal
        .as_ref()
        .ok_or(AppError::Unauthenticated)?;
    let permissions = permissions_for(state.db(), principal.user.id).await?;
    if !permissions.can("metrics", "prometheus", "index") {
        return Err(AppError::Forbidden("metrics/prometheus/index".into()));
    }
    scrape::collect(
        state.metrics(),
        state.db(),
        state.plugins().registry(),
        state.settings().lifetimes,
        state.now(),
    )
    .await?;
    let text = state.metrics().render();
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response())
}
