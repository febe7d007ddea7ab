//! Backoffice host: a small axum server that provides auth, ACL and storage to Back Office
//! sections. This crate knows no commerce; sections are plugins.
//!
//! `main.rs` is a thin CLI over this library; tests build the same [`app`] and serve it on a
//! real port.

pub mod acl;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod cli;
pub mod clock;
pub mod db;
pub mod mail;
pub mod media;
pub mod observe;
pub mod server;
pub mod shop;
pub mod state;
pub mod storage;
pub mod templates;
pub mod themes;
pub mod users;
pub mod validate;
pub mod web;

pub use state::{AppState, WebSettings};
pub use web::{app, app_with_admin_routes};
pub mod plugins;
