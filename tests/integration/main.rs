//! One test binary for the host foundation: every module drives the real app on a real port.

mod acl;
mod api;
mod audit;
mod auth;
mod cli;
mod csrf;
mod input;
mod plugins_conformance;
mod plugins_data;
mod plugins_lifecycle;
mod plugins_sandbox;
mod users;
