//! The search & filter settings page: per attribute, full-text and filter settings, and the
//! reindex that applies a full-text change to every product, one page of products per call.

use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::model::attributes;
use crate::model::products;
use crate::model::search_settings::{self, FILTER_TYPES, SearchSetting};

pub fn routes(router: Router) -> Router {
    router
        .get("search", "index", index)
        .post("search", "edit", update)
        .post("search", "reindex", reindex)
}

const INDEX: &str = "/admin/catalog/search/index";

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
    let stored = search_settings::all()?;
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
fn read(fields: &Fields) -> Result<Vec<SearchSetting>, Failure> {
    if !fields.is_form() {
        let list = fields
            .value("settings")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        return serde_json::from_value(list).map_err(|_| {
            Failure::unprocessable("settings must be a list of {key, full_text, filter, position}")
        });
    }
    let mut errors = Errors::new();
    let mut out = Vec::new();
    for (key, filter) in fields.prefixed("filter.") {
        let position = match fields
            .value(&format!("position.{key}"))
            .and_then(Value::as_str)
        {
            None => 0,
            Some(text) if text.trim().is_empty() => 0,
            Some(text) => text.trim().parse().map_err(|_| {
                Failure::unprocessable(format!("position of {key} must be an integer"))
            })?,
        };
        out.push(SearchSetting {
            key: key.to_owned(),
            full_text: fields
                .checkbox(&format!("full_text.{key}"), &mut errors)
                .unwrap_or_default(),
            filter: filter.as_str().unwrap_or_default().to_owned(),
            position,
        });
    }
    errors.finish()?;
    Ok(out)
}

fn update(req: &Request) -> Reply {
    let list = read(&Fields::from_request(req)?)?;
    search_settings::save(&list)?;
    services::audit(
        "search.settings",
        "search_settings",
        &format!("{} attributes", list.len()),
    );
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "settings": list }),
        INDEX,
        "Search settings saved; reindex products to apply full-text changes",
    ))
}

/// Recomputes the search text of up to 1000 products after `after` (a cursor), so a changed
/// full-text setting reaches every product without one huge call. Answers the next cursor.
fn reindex(req: &Request) -> Reply {
    let after = req.param("after").filter(|a| !a.is_empty());
    let (reindexed, next) = products::reindex_page(after.as_deref(), 1000)?;
    if req.wants_json {
        return Ok(json(
            &serde_json::json!({ "reindexed": reindexed, "next": next }),
        ));
    }
    let flash = match &next {
        Some(_) => format!("Reindexed {reindexed} products; press Reindex again to continue"),
        None => format!("Reindexed {reindexed} products; the index is up to date"),
    };
    let location = match next {
        Some(cursor) => url::with_param(INDEX, "after", &cursor),
        None => INDEX.to_owned(),
    };
    Ok(redirect(location).flash(flash))
}
