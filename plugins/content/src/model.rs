//! The content section's records and collections: CMS pages (a draft, the live snapshot and
//! their addresses), page versions, blocks, content items and redirects; and the page and block
//! templates with the placeholders each declares.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::rich;

/// A page template: its name (the bundled `cms/<name>.html`, which a theme may override as
/// `content/cms/<name>.html`), its label and the placeholders it shows.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Template {
    pub name: &'static str,
    pub label: &'static str,
    pub placeholders: &'static [&'static str],
}

/// The page templates.
pub const PAGE_TEMPLATES: &[Template] = &[
    Template {
        name: "standard",
        label: "Standard page",
        placeholders: &["title", "content"],
    },
    Template {
        name: "two-columns",
        label: "Two columns",
        placeholders: &["title", "left", "right"],
    },
];

/// The block templates (`blocks/<name>.html`).
pub const BLOCK_TEMPLATES: &[Template] = &[
    Template {
        name: "text",
        label: "Text",
        placeholders: &["content"],
    },
    Template {
        name: "teaser",
        label: "Teaser",
        placeholders: &["title", "content"],
    },
];

/// The storefront slots a block can be placed into (the host's `host.slot-<name>` points).
pub const SLOTS: &[&str] = &["header", "footer", "home"];

pub fn template(list: &'static [Template], name: &str) -> Option<&'static Template> {
    list.iter().find(|t| t.name == name)
}

impl Template {
    /// Checks that `placeholders` are this template's and not too long, and sanitises each.
    pub fn clean(&self, placeholders: &mut BTreeMap<String, String>, errors: &mut Errors) {
        for (name, html) in placeholders {
            if !self.placeholders.contains(&name.as_str()) {
                errors.add(
                    "placeholders",
                    format!("the template {} has no placeholder {name}", self.name),
                );
            } else if html.len() > rich::MAX_LEN {
                errors.add(
                    "placeholders",
                    format!("{name} is longer than {} characters", rich::MAX_LEN),
                );
            }
            *html = rich::sanitize(html);
        }
    }
}

/// A block's or item's key: 1 to 100 lower-case letters, digits, `-` or `_`.
pub fn check_key(key: &str, errors: &mut Errors) {
    if key.is_empty() || key.len() > 100 || !key.chars().all(rich::is_key_char) {
        errors.add(
            "key",
            "key must be 1 to 100 lower-case letters, digits, - or _",
        );
    }
}

/// A page of `resource`'s records sorted by `field`, as lists show them (`limit` from the
/// request).
pub fn list<T: Serialize + DeserializeOwned>(
    resource: &Resource<T>,
    field: &str,
    req: &Request,
) -> Result<Vec<Out<T>>, Failure> {
    let page = resource
        .query()
        .sort(field)
        .limit(input::limit(req)?)
        .fetch()?;
    Ok(page.records.into_iter().map(Out::from).collect())
}

/// A page's texts in one locale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageTexts {
    pub name: String,
    /// The storefront address, e.g. `/about-us`: unique per locale.
    pub url: String,
    pub meta_title: String,
    pub meta_keywords: String,
    pub meta_description: String,
    /// Placeholder → sanitised rich text (HTML).
    pub placeholders: BTreeMap<String, String>,
}

/// Everything a version of a page holds: what publishing snapshots.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageDoc {
    pub template: String,
    pub active: bool,
    pub searchable: bool,
    /// `YYYY-MM-DD` or empty (no bound); both days included.
    pub valid_from: String,
    pub valid_to: String,
    /// Store codes; empty means every store.
    pub stores: Vec<String>,
    /// Locale code → texts.
    pub locales: BTreeMap<String, PageTexts>,
}

/// A record of `pages`: the draft (edited), and what the storefront shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Page {
    #[serde(flatten)]
    pub draft: PageDoc,
    /// The first locale's name, for lists and search.
    pub title: String,
    /// The published snapshot; none before the first publish.
    pub live: Option<PageDoc>,
    /// The version number `live` is, 0 before the first publish.
    pub live_version: i64,
    /// Versions made so far.
    pub versions: i64,
    /// True when the draft differs from `live`.
    pub unpublished: bool,
}

/// A record of `page_versions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Version {
    pub page_id: String,
    pub number: i64,
    /// `<page id>#<number>`: unique.
    pub key: String,
    pub author: String,
    pub at: i64,
    pub note: String,
    pub snapshot: PageDoc,
}

/// A record of `urls`: one address of a page in one locale, of its draft or of its live
/// version. `key` = `<stage>:<locale>:<url>` is unique, which makes addresses unique per locale.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Url {
    pub key: String,
    pub page_id: String,
    /// `draft` or `live`.
    pub stage: String,
    pub locale: String,
    pub url: String,
}

/// Placeholders of a block in one locale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockTexts {
    pub placeholders: BTreeMap<String, String>,
}

/// A record of `blocks`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Block {
    pub key: String,
    pub name: String,
    pub template: String,
    pub active: bool,
    pub valid_from: String,
    pub valid_to: String,
    pub stores: Vec<String>,
    /// The storefront slot it is shown in (`header`, `footer`, `home`), or empty.
    pub slot: String,
    /// Its place in the slot (ascending).
    pub position: i64,
    pub locales: BTreeMap<String, BlockTexts>,
}

/// A content item's values in one locale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemTexts {
    pub title: String,
    pub subtitle: String,
    pub click_url: String,
    pub alt: String,
}

/// A record of `items`: a banner (title, subtitle, image from the media library, click address,
/// alt text), a product list (SKUs) or a navigation reference (a menu key).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Item {
    pub key: String,
    pub name: String,
    /// `banner`, `product-list` or `navigation`.
    pub kind: String,
    /// A media library file id (banners); 0 for none.
    pub image: i64,
    pub skus: Vec<String>,
    pub menu: String,
    pub locales: BTreeMap<String, ItemTexts>,
}

/// The kinds of content items.
pub const ITEM_KINDS: &[&str] = &["banner", "product-list", "navigation"];

/// A record of `redirects`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Redirect {
    /// The storefront address asked for, e.g. `/old-page`.
    pub from_url: String,
    /// Where to send the visitor: a local path or an http(s) address.
    pub to_url: String,
    /// 301 (moved permanently) or 302 (found).
    pub status: i64,
    pub active: bool,
}

pub fn pages() -> Resource<Page> {
    Resource::new("pages", "page").describe("{title}")
}

pub fn versions() -> Collection<Version> {
    Collection::new("page_versions")
}

pub fn urls() -> Collection<Url> {
    Collection::new("urls")
}

pub fn blocks() -> Resource<Block> {
    Resource::new("blocks", "block")
        .unique("key", "a block with the key {key} exists already")
        .unique("name", "a block named {name} exists already")
        .describe("{key}")
}

pub fn items() -> Resource<Item> {
    Resource::new("items", "item")
        .unique("key", "a content item with the key {key} exists already")
        .describe("{key}")
}

pub fn redirects() -> Resource<Redirect> {
    Resource::new("redirects", "redirect")
        .unique("from_url", "a redirect from {from_url} exists already")
        .describe("{from_url}")
}

/// The collections, for the manifest.
pub fn collections() -> Vec<CollectionDef> {
    vec![
        // Shared: the navigation section links to pages by id and reads their live address
        // per locale (and whether the live version is shown) through an approved grant.
        CollectionDef::new("pages")
            .field(Field::text("title").indexed().searchable())
            .field(Field::boolean("active").indexed())
            .field(Field::integer("live_version").indexed())
            .shared(),
        CollectionDef::new("page_versions")
            .field(Field::text("page_id").indexed())
            .field(Field::integer("number").indexed())
            .field(Field::text("key").unique()),
        CollectionDef::new("urls")
            .field(Field::text("key").unique())
            .field(Field::text("page_id").indexed())
            .field(Field::text("stage").indexed()),
        CollectionDef::new("blocks")
            .field(Field::text("key").unique())
            .field(Field::text("name").unique())
            .field(Field::text("slot").indexed())
            .field(Field::integer("position").indexed()),
        CollectionDef::new("items")
            .field(Field::text("key").unique())
            .field(Field::integer("image").indexed()),
        CollectionDef::new("redirects").field(Field::text("from_url").unique()),
    ]
}
