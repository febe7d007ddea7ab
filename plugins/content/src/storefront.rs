//! The storefront side, answered through the host's `host.not-found` point (asked before a
//! 404): a CMS page by its address in the shopper's locale, a draft through a valid preview
//! link, else a redirect. Only the published version is ever shown without a preview link, and
//! only while the page is active, valid today and in the current store.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::Failure;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::model::{self, PageDoc};
use crate::{items, redirects, rules};

#[derive(Debug, Deserialize)]
struct Asked {
    path: String,
    #[serde(default)]
    query: BTreeMap<String, String>,
    #[serde(default)]
    locale: String,
}

/// The answer to `host.not-found` (see the README for the JSON).
pub fn not_found(input: &str) -> Result<String, String> {
    let asked: Asked =
        serde_json::from_str(input).map_err(|e| format!("not a not-found question: {e}"))?;
    let locale = rules::shop_locale(&asked.locale);
    if let Some(token) = asked.query.get("preview") {
        // A preview link that does not hold (another visitor, expired, forged) shows what
        // the address shows without it.
        if let Some(draft) = preview(&asked.path, &locale, token).map_err(|f| f.message)? {
            return Ok(draft.to_string());
        }
    }
    if let Some(page) = live(&asked.path, &locale).map_err(|f| f.message)? {
        return Ok(page.to_string());
    }
    if let Some(redirect) = redirects::from(&asked.path).map_err(|f| f.message)? {
        return Ok(
            json!({ "redirect": { "location": redirect.to_url, "status": redirect.status } })
                .to_string(),
        );
    }
    Ok(json!({}).to_string())
}

/// The page id with the `stage` address `path` in `locale`.
fn page_at(stage: &str, locale: &str, path: &str) -> Result<Option<String>, Failure> {
    let key = format!("{stage}:{locale}:{path}");
    Ok(model::urls()
        .query()
        .eq("key", key.as_str())
        .first()?
        .map(|u| u.data.page_id))
}

fn live(path: &str, locale: &str) -> Result<Option<Value>, Failure> {
    let Some(id) = page_at("live", locale, path)? else {
        return Ok(None);
    };
    let Some(page) = model::pages().find(&id)? else {
        return Ok(None);
    };
    let Some(doc) = page.data.live else {
        return Ok(None);
    };
    let shown = doc.active
        && rules::in_window(&doc.valid_from, &doc.valid_to)
        && rules::in_store(&doc.stores);
    Ok(shown.then(|| view(&doc, locale, false)).flatten())
}

fn preview(path: &str, locale: &str, token: &str) -> Result<Option<Value>, Failure> {
    let Some(id) = page_at("draft", locale, path)? else {
        return Ok(None);
    };
    if !rules::preview_allowed(&id, token) {
        return Ok(None);
    }
    let Some(page) = model::pages().find(&id)? else {
        return Ok(None);
    };
    Ok(view(&page.data.draft, locale, true))
}

/// The view of `doc` in `locale` for the host to render.
fn view(doc: &PageDoc, locale: &str, preview: bool) -> Option<Value> {
    let texts = doc.locales.get(locale)?;
    let title = if texts.meta_title.is_empty() {
        &texts.name
    } else {
        &texts.meta_title
    };
    Some(json!({
        "view": {
            "template": format!("cms/{}.html", doc.template),
            "title": title,
            "context": {
                "name": texts.name,
                "meta_keywords": texts.meta_keywords,
                "meta_description": texts.meta_description,
                "robots": if doc.searchable && !preview { "" } else { "noindex" },
                "preview": preview,
                "placeholders": items::placeholders(&texts.placeholders, locale),
            },
        },
        "private": preview,
    }))
}
