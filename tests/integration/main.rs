//! One test binary for the host foundation: every module drives the real app on a real port.

mod acl;
mod api;
mod audit;
mod auth;
mod browser;
mod catalog;
mod cli;
mod csrf;
mod customers;
mod customers_auth;
mod input;
mod plugins_conformance;
mod plugins_data;
mod plugins_lifecycle;
mod plugins_python;
mod plugins_sandbox;
mod themes;
mod users;
