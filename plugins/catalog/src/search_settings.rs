//! Search & filter settings: per attribute, whether its values are found by full-text search,
//! whether (and how) the storefront offers it as a filter, and in which order the filters show.
//! Stored one record per attribute key (the record id is the key).

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::attributes::{self, Attribute};
use crate::input;

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

pub fn routes(router: Router) -> Router {
    router
        .get("search", "index", index)
        .post("search", "edit", update)
        .post("search", "reindex", reindex)
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

#[derive(Debug, Serialize)]
struct Row {
    key: String,
    input_type: String,
    #[serde(flatten)]
    setting: SearchSetting,
}

#[derive(Debug, Serialize)]
struct IndexContext {
    settings: Vec<Row>,
    /// Where a reindex that did not finish in one go continues.
    after: Option<String>,
    filter_types: &'static [&'static str],
}

fn index(req: &Request) -> Reply {
    let stored = all()?;
    let settings = attributes::all()?
        .into_iter()
        .map(|a| {
            let setting = stored.get(&a.data.key).cloned().unwrap_or(SearchSetting {
                key: a.data.key.clone(),
                filter: "none".into(),
                ..SearchSetting::default()
            });
            Row {
                key: a.data.key,
                input_type: a.data.input_type,
                setting,
            }
        })
        .collect();
    let ctx = IndexContext {
        settings,
        after: input::query(req, "after").map(str::to_owned),
        filter_types: FILTER_TYPES,
    };
    Ok(view_or_json(
        req,
        "search/index.html",
        "Search & filters",
        &ctx,
    ))
}

/// The settings sent: JSON `{"settings":[{"key","full_text","filter","position"}]}` or form
/// fields `full_text.<key>`, `filter.<key>`, `position.<key>` for every attribute shown.
fn read(req: &Request) -> Result<Vec<SearchSetting>, Failure> {
    if let Some(text) = &req.body {
        let object = input::json_object(text)?;
        let list = object
            .get("settings")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        return serde_json::from_value(list).map_err(|_| {
            Failure::unprocessable("settings must be a list of {key, full_text, filter, position}")
        });
    }
    let mut out = Vec::new();
    for p in &req.form {
        if let Some(key) = p.name.strip_prefix("filter.") {
            let position = match req.form(&format!("position.{key}")).map(str::trim) {
                None | Some("") => 0,
                Some(text) => text.parse().map_err(|_| {
                    Failure::unprocessable(format!("position of {key} must be an integer"))
                })?,
            };
            out.push(SearchSetting {
                key: key.to_owned(),
                full_text: input::form_checkbox(req, &format!("full_text.{key}")),
                filter: p.value.clone(),
                position,
            });
        }
    }
    Ok(out)
}

fn update(req: &Request) -> Reply {
    let list = read(req)?;
    for s in &list {
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
    for s in &list {
        settings().put(&s.key, s)?;
    }
    services::audit(
        "search.settings",
        "search_settings",
        &format!("{} attributes", list.len()),
    );
    if req.wants_json {
        Ok(json(&serde_json::json!({ "settings": list })))
    } else {
        Ok(redirect("/admin/catalog/search/index")
            .flash("Search settings saved; reindex products to apply full-text changes"))
    }
}

/// Recomputes the search text of up to 1000 products after `after` (a cursor), so a changed
/// full-text setting reaches every product without one huge call. Answers the next cursor.
fn reindex(req: &Request) -> Reply {
    let after = req.param("after").filter(|a| !a.is_empty());
    let (done, next) = crate::products::reindex_page(after.as_deref(), 1000)?;
    if req.wants_json {
        return Ok(json(
            &serde_json::json!({ "reindexed": done, "next": next }),
        ));
    }
    let flash = match &next {
        Some(_) => format!("Reindexed {done} products; press Reindex again to continue"),
        None => format!("Reindexed {done} products; the index is up to date"),
    };
    let location = match next {
        Some(cursor) => format!(
            "/admin/catalog/search/index?after={}",
            input::encode_component(&cursor)
        ),
        None => "/admin/catalog/search/index".to_owned(),
    };
    Ok(redirect(location).flash(flash))
}
