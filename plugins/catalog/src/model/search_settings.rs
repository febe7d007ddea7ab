//! Search & filter settings: per attribute, whether its values are found by full-text search,
//! whether (and how) the storefront offers it as a filter, and in which order the filters show.
//! Stored one record per attribute key (the record id is the key).

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use super::attributes::{self, Attribute};

pub const FILTER_TYPES: &[&str] = &["none", "single", "multi", "range"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchSetting {
    pub key: String,
    pub full_text: bool,
    /// `none`, `single` (one value at a time), `multi` (any of several), `range` (numbers).
    pub filter: String,
    pub position: i64,
}

pub fn settings() -> Collection<SearchSetting> {
    Collection::new("search_settings")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("search_settings").field(Field::integer("position").indexed())
}

/// The settings of every attribute that has some, by key.
pub fn all() -> Result<BTreeMap<String, SearchSetting>, Failure> {
    Ok(settings()
        .query()
        .limit(1000)
        .fetch()?
        .records
        .into_iter()
        .map(|r| (r.data.key.clone(), r.data))
        .collect())
}

/// The storefront filters, in their order: (setting, attribute definition).
pub fn facets() -> Result<Vec<(SearchSetting, Attribute)>, Failure> {
    let mut out = Vec::new();
    for setting in settings()
        .query()
        .sort("position")
        .limit(1000)
        .fetch()?
        .records
    {
        if setting.data.filter == "none" {
            continue;
        }
        if let Some(attribute) = attributes::by_key(&setting.data.key)? {
            out.push((setting.data, attribute));
        }
    }
    Ok(out)
}

/// Checks settings against the attributes they name (it exists; a range filter needs a number
/// attribute) and stores them.
pub fn save(list: &[SearchSetting]) -> Result<(), Failure> {
    for s in list {
        let Some(attribute) = attributes::by_key(&s.key)? else {
            return Err(Failure::unprocessable(format!(
                "attribute {} does not exist",
                s.key
            )));
        };
        if !FILTER_TYPES.contains(&s.filter.as_str()) {
            return Err(Failure::unprocessable(format!(
                "filter of {} must be one of none, single, multi, range",
                s.key
            )));
        }
        if s.filter == "range" && attribute.data.input_type != "number" {
            return Err(Failure::unprocessable(format!(
                "a range filter needs a number attribute; {} is {}",
                s.key, attribute.data.input_type
            )));
        }
    }
    for s in list {
        settings().put(&s.key, s)?;
    }
    Ok(())
}
