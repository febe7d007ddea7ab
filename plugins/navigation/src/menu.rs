//! A navigation as the storefront shows it: the tree in one locale on one day. A node that is
//! inactive, outside its validity window, untitled in that locale or whose target is gone hides
//! its whole subtree. Answers the host's layout slots (`host.slot-header`: the `main`
//! navigation, `host.slot-footer`: the `footer` navigation) and the Back Office preview.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use backoffice_sdk::storage::Record;
use backoffice_sdk::{context, dates};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::{self, Navigation, Node};
use crate::targets::{Shown, Targets};
use crate::tree;

/// Which navigation fills which slot.
pub const SLOTS: &[(&str, &str)] = &[("header", "main"), ("footer", "footer")];

/// One entry of a shown menu. Empty fields are left out of the JSON: the host converts the
/// whole menu into template values on every page, so every value left out is work saved.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub title: String,
    /// `None` for a label (and a category whose page does not open).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Only for the breadcrumbs, worked out here: templates need not see it.
    #[serde(skip)]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub css_class: String,
    /// An external address: the theme marks it (`rel="noopener"`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Entry>,
}

/// One step of a breadcrumb.
#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    pub title: String,
    pub url: Option<String>,
}

/// Every node of navigation `id`.
pub fn nodes_of(id: &str) -> Result<Vec<Record<Node>>, Failure> {
    Ok(model::nodes().query().eq("navigation_id", id).fetch_all()?)
}

/// The entries of `nodes` for a shopper in `locale` on `day` (day number).
pub fn entries(nodes: &[Record<Node>], locale: &str, day: i64) -> Vec<Entry> {
    let targets = Targets::load(nodes.iter().filter_map(|n| {
        n.data
            .locales
            .get(locale)
            .map(|t| (n.data.kind.as_str(), t.target.as_str()))
    }));
    let children = tree::children(nodes);
    build(&children, None, locale, day, &targets, 0)
}

fn build(
    children: &BTreeMap<Option<&str>, Vec<&Record<Node>>>,
    parent: Option<&str>,
    locale: &str,
    day: i64,
    targets: &Targets,
    depth: usize,
) -> Vec<Entry> {
    let Some(list) = children.get(&parent) else {
        return Vec::new();
    };
    if depth >= tree::MAX_DEPTH {
        return Vec::new();
    }
    list.iter()
        .filter(|n| {
            n.data.active && dates::day_in_window(day, &n.data.valid_from, &n.data.valid_to)
        })
        .filter_map(|n| {
            let texts = n.data.locales.get(locale)?;
            if texts.title.is_empty() {
                return None;
            }
            let url = match targets.shown(&n.data.kind, &texts.target, locale, day) {
                Shown::Hidden => return None,
                Shown::Label => None,
                Shown::Link(url) => Some(url),
            };
            Some(Entry {
                title: texts.title.clone(),
                url,
                kind: n.data.kind.clone(),
                css_class: texts.css_class.clone(),
                external: n.data.kind == "external",
                children: build(
                    children,
                    Some(n.id.as_str()),
                    locale,
                    day,
                    targets,
                    depth + 1,
                ),
            })
        })
        .collect()
}

/// The breadcrumb of every category and CMS page in the menu, by its address: the titles from
/// the top down to it. A page in the menu twice keeps its first (shallowest-first) trail.
pub fn crumbs(entries: &[Entry]) -> BTreeMap<String, Vec<Crumb>> {
    fn walk(entries: &[Entry], trail: &mut Vec<Crumb>, out: &mut BTreeMap<String, Vec<Crumb>>) {
        for e in entries {
            trail.push(Crumb {
                title: e.title.clone(),
                url: e.url.clone(),
            });
            if let Some(url) = &e.url
                && matches!(e.kind.as_str(), "category" | "cms-page")
            {
                out.entry(url.clone()).or_insert_with(|| trail.clone());
            }
            walk(&e.children, trail, out);
            trail.pop();
        }
    }
    let mut out = BTreeMap::new();
    walk(entries, &mut Vec::new(), &mut out);
    out
}

/// The active navigation with `key`.
fn active_by_key(key: &str) -> Result<Option<Record<Navigation>>, Failure> {
    Ok(model::navigations()
        .query()
        .eq("key", key)
        .first()?
        .filter(|n| n.data.active))
}

/// What a menu template sees as `slot`: `{key, name, placement, nodes, crumbs}`.
pub fn view(
    nav: &Record<Navigation>,
    placement: &str,
    locale: &str,
    day: i64,
) -> Result<serde_json::Value, Failure> {
    let nodes = nodes_of(&nav.id)?;
    let entries = entries(&nodes, locale, day);
    let crumbs = if placement == "header" {
        crumbs(&entries)
    } else {
        BTreeMap::new()
    };
    Ok(json!({
        "key": nav.data.key,
        "name": nav.data.name,
        "placement": placement,
        "nodes": entries,
        "crumbs": crumbs,
    }))
}

/// The host's question for a slot: `{"slot": "header", "locale": "en"}`.
#[derive(Debug, Deserialize)]
struct SlotQuestion {
    slot: String,
    #[serde(default)]
    locale: String,
}

/// The answer to `host.slot-header` / `host.slot-footer`: the slot's navigation rendered by
/// `slots/menu.html`, or nothing when it does not exist, is inactive or shows no entry.
pub fn slot(input: &str) -> Result<String, String> {
    let question: SlotQuestion =
        serde_json::from_str(input).map_err(|e| format!("not a slot question: {e}"))?;
    let Some((_, key)) = SLOTS.iter().find(|(s, _)| *s == question.slot) else {
        return Err(format!(
            "navigation does not fill the slot {}",
            question.slot
        ));
    };
    let locale = context::shop_locale(&question.locale);
    let day = dates::day_of(dates::now());
    let nav = active_by_key(key).map_err(|f| f.message)?;
    let mut items = Vec::new();
    if let Some(nav) = nav {
        let view = view(&nav, &question.slot, &locale, day).map_err(|f| f.message)?;
        if view["nodes"].as_array().is_some_and(|n| !n.is_empty()) {
            items.push(json!({ "template": "slots/menu.html", "context": view }));
        }
    }
    Ok(json!({ "items": items }).to_string())
}
