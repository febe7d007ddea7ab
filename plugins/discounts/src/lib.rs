//! The discounts section.

mod query;
