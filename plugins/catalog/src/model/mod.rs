//! The catalog's model: the records it stores, the rules they follow and the reads the pages,
//! the import and the event handlers need. Nothing here knows a request or a response: a page
//! (`crate::pages`) reads its input into the SDK's `Fields`, calls these functions and renders
//! what they answer, so the same rules serve the forms, the JSON API and the CSV import.
//!
//! Modules depend downwards only (no cycles):
//!
//! 1. `values` — per-locale texts, cents, dates, the clock; `shop` — the shop's stores,
//!    currencies and tax sets (host Settings);
//! 2. records with their own reads and rules — `attributes`, `categories`, `warehouses` and
//!    `variants`; `search_settings` (on attributes); `products` (on variants and search
//!    settings: the search text); `labels`, `links` and `skus` (on products); `images` (on
//!    products and the host's media library);
//! 3. rules spanning records — `reads`, `prices` (on skus), `stock` (on skus and warehouses),
//!    `options` (on prices), `product_input` and `variant_input` (the create/edit rules the
//!    forms and the import share), `reservations` (sales events) and `import` (the CSV import
//!    in chunks); `usage` (what `host.usage` asks: products, prices, option groups and,
//!    through `images`, media files).

pub mod attributes;
pub mod categories;
pub mod images;
pub mod import;
pub mod labels;
pub mod links;
pub mod options;
pub mod prices;
pub mod product_input;
pub mod products;
pub mod reads;
pub mod reservations;
pub mod search_settings;
pub mod shop;
pub mod skus;
pub mod stock;
pub mod usage;
pub mod values;
pub mod variant_input;
pub mod variants;
pub mod warehouses;
