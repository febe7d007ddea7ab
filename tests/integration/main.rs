//! One test binary for the host foundation: every module drives the real app on a real port.

mod acl;
mod api;
mod audit;
mod auth;
mod browser;
mod catalog;
mod catalog_barcodes;
mod catalog_labels;
mod catalog_model;
mod catalog_prices;
mod catalog_stock;
mod catalog_storefront;
mod catalog_transfer;
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
mod plugins_upload;
mod themes;
mod users;
