//! One test binary for the host foundation: every module drives the real app on a real port.

mod acl;
mod api;
mod audit;
mod auth;
mod browser;
mod cli;
mod csrf;
mod customers_auth;
mod input;
mod themes;
mod users;
