//! Observability of a running host: its metrics (`metrics`, the families `/metrics` exposes),
//! the gauges read only when scraped (`scrape`), the log format (`logging`) and request ids
//! (`request_id`). The HTTP side (the `/metrics` page, the request log line, `/readyz`) lives in
//! `web::metrics`, `web::request_log` and `web::health`.
//!
//! Nothing here decides anything: these modules count and describe what the rest of the host
//! does, and must never slow a request down by more than a few atomic adds.

pub mod logging;
pub mod metrics;
pub mod request_id;
pub mod scrape;

pub use metrics::Metrics;
pub use request_id::RequestId;
