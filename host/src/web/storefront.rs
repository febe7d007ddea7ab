//! The storefront shell: the home page at `/`, rendered with the storefront theme. Everything
//! else a shop shows (categories, products, CMS pages, cart) comes from plugins: their
//! storefront routes (`web::dispatch::storefront`) and the layout slots they fill.

use axum::Router;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::error::AppResult;
use super::view::PageCtx;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(page: PageCtx) -> AppResult<Response> {
    page.render("storefront/home.html", "Welcome", json!({}))
}
