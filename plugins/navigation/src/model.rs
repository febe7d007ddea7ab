//! The navigation section's records: navigations (a unique key such as `main` or `footer`, a
//! name, active) and their nodes (a tree by parent id and position; a type; per-locale title,
//! target and CSS class; active and a validity window), with the rules a node must keep.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use backoffice_sdk::{context, dates};
use serde::{Deserialize, Serialize};

/// A record of `navigations`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Navigation {
    /// `main`, `footer`, …: unique; the storefront slots look navigations up by key.
    pub key: String,
    pub name: String,
    pub active: bool,
}

/// What a node is and where it leads. The target of each locale (below) says which record or
/// address: a category's or CMS page's id, an internal path, an external URL; a label has none.
pub const KINDS: &[&str] = &["label", "category", "cms-page", "link", "external"];

/// A node's texts in one locale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeTexts {
    pub title: String,
    /// By kind: a category id, a CMS page id, a path such as `/sale`, an `https://` URL;
    /// empty for a label.
    pub target: String,
    /// Extra classes on the menu entry (the theme's hook for a highlighted entry).
    pub css_class: String,
}

/// A record of `nodes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Node {
    pub navigation_id: String,
    /// `None` for a top-level node.
    pub parent_id: Option<String>,
    /// Among its siblings, ascending.
    pub position: i64,
    pub kind: String,
    pub active: bool,
    /// `YYYY-MM-DD` or empty (open); both days included.
    pub valid_from: String,
    pub valid_to: String,
    /// Locale code → texts; a node is shown only in the locales it has a title in.
    pub locales: BTreeMap<String, NodeTexts>,
}

pub fn navigations() -> Resource<Navigation> {
    Resource::new("navigations", "navigation")
        .unique("key", "a navigation with the key {key} exists already")
        .describe("{key}")
}

pub fn nodes() -> Resource<Node> {
    Resource::new("nodes", "node")
}

/// The collections, for the manifest: both private (the storefront sees menus through the
/// slots, not through grants).
pub fn collections() -> Vec<CollectionDef> {
    vec![
        CollectionDef::new("navigations")
            .field(Field::text("key").unique())
            .field(Field::text("name").indexed()),
        CollectionDef::new("nodes")
            .field(Field::text("navigation_id").indexed())
            .field(Field::text("parent_id").indexed())
            .field(Field::integer("position").indexed()),
    ]
}

/// A navigation's key: 1 to 100 lower-case letters, digits, `-` or `_`.
pub fn check_key(key: &str, errors: &mut Errors) {
    let ok = !key.is_empty()
        && key.len() <= 100
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        errors.add(
            "key",
            "key must be 1 to 100 lower-case letters, digits, - or _",
        );
    }
}

pub fn check_navigation(nav: &Navigation, errors: &mut Errors) {
    check_key(&nav.key, errors);
    if nav.name.trim().is_empty() {
        errors.add("name", "name is required");
    } else if nav.name.len() > 200 {
        errors.add("name", "name must be at most 200 characters");
    }
}

/// The most characters of a title, a CSS class list and a target.
pub const TITLE_MAX: usize = 200;
pub const CSS_MAX: usize = 100;
pub const TARGET_MAX: usize = 2000;

/// Checks a node's own fields (not where it sits in the tree, and not whether a category or
/// CMS page target exists: see `targets::check`).
pub fn check_node(node: &Node, errors: &mut Errors) {
    if !KINDS.contains(&node.kind.as_str()) {
        errors.add("kind", format!("kind must be one of {}", KINDS.join(", ")));
    }
    dates::check_window(&node.valid_from, &node.valid_to, errors);
    if node.locales.is_empty() {
        errors.add("locales", "a node needs a title in at least one locale");
    }
    for (locale, texts) in &node.locales {
        context::check_locale(locale, errors);
        check_texts(&node.kind, locale, texts, errors);
    }
}

fn check_texts(kind: &str, locale: &str, texts: &NodeTexts, errors: &mut Errors) {
    if texts.title.trim().is_empty() {
        errors.add("title", format!("title is required in {locale}"));
    } else if texts.title.chars().count() > TITLE_MAX {
        errors.add(
            "title",
            format!("title must be at most {TITLE_MAX} characters ({locale})"),
        );
    }
    let css_ok = texts.css_class.len() <= CSS_MAX
        && texts
            .css_class
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b' ');
    if !css_ok {
        errors.add(
            "css_class",
            format!(
                "css_class must be at most {CSS_MAX} letters, digits, -, _ or spaces ({locale})"
            ),
        );
    }
    let target = texts.target.as_str();
    if target.len() > TARGET_MAX {
        errors.add(
            "target",
            format!("target must be at most {TARGET_MAX} characters ({locale})"),
        );
        return;
    }
    match kind {
        "label" if !target.is_empty() => {
            errors.add("target", format!("a label has no target ({locale})"))
        }
        "category" | "cms-page" if target.is_empty() => errors.add(
            "target",
            format!("target is required in {locale}: the {kind}'s id"),
        ),
        "link" if !is_local_path(target) => errors.add(
            "target",
            format!("target must be a storefront path such as /sale in {locale}"),
        ),
        "external" if !is_external_url(target) => errors.add(
            "target",
            format!("target must be an http:// or https:// address in {locale}"),
        ),
        _ => {}
    }
}

/// A path on this shop: starts with one `/` (not `//`, which browsers read as another host),
/// no spaces, backslashes or control characters.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

/// An `http://` or `https://` address with a host, no spaces or control characters.
pub fn is_external_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_urls() {
        assert!(is_local_path("/sale"));
        assert!(!is_local_path("//evil.example"));
        assert!(!is_local_path("sale"));
        assert!(!is_local_path("/a b"));
        assert!(is_external_url("https://example.com/x"));
        assert!(!is_external_url("javascript:alert(1)"));
        assert!(!is_external_url("https:///x"));
        assert!(!is_external_url("ftp://example.com"));
    }
}
