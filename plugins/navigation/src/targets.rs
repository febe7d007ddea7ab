//! What category and CMS-page nodes point at, read through the grants the admin approves
//! (`catalog/categories`, `content/pages`): whether the record still exists and is shown on the
//! storefront, and its address there. Nodes keep only ids, so a renamed slug or a moved page
//! address is followed on the next render, and a deleted or deactivated target hides the node
//! instead of leaving a broken link.

use std::collections::{BTreeMap, BTreeSet};

use backoffice_sdk::prelude::*;
use backoffice_sdk::storage::{Collection, Op, StorageError};
use backoffice_sdk::{context, dates, url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The granted collections.
pub const CATEGORIES: (&str, &str) = ("catalog", "categories");
pub const PAGES: (&str, &str) = ("content", "pages");

/// What a node's menu entry becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Not shown, nor anything below it.
    Hidden,
    /// A title without a link (it groups its children).
    Label,
    Link(String),
}

/// The part of a catalog category a menu needs.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Category {
    slug: String,
    active: bool,
    /// A category that is not clickable only groups its children: its page does not open.
    clickable: bool,
}

/// The part of a CMS page a menu needs: its published version.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Page {
    live: Option<LiveDoc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct LiveDoc {
    active: bool,
    valid_from: String,
    valid_to: String,
    stores: Vec<String>,
    locales: BTreeMap<String, PageTexts>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct PageTexts {
    url: String,
}

fn collection<T: Serialize + DeserializeOwned>((plugin, name): (&str, &str)) -> Collection<T> {
    Collection::new(format!("{plugin}/{name}"))
}

/// Records of `ids` in `of`, by id. A read that fails (no grant yet, the section not
/// installed) finds nothing: its nodes are hidden, never shown as broken links.
fn read<T: Serialize + DeserializeOwned>(
    of: (&str, &str),
    ids: &BTreeSet<String>,
) -> BTreeMap<String, T> {
    let mut out = BTreeMap::new();
    let ids: Vec<Value> = ids.iter().cloned().map(Value::from).collect();
    for chunk in ids.chunks(200) {
        let found = collection::<T>(of)
            .query()
            .filter("id", Op::InList, Value::Array(chunk.to_vec()))
            .fetch_all();
        match found {
            Ok(records) => out.extend(records.into_iter().map(|r| (r.id, r.data))),
            Err(e) => {
                backoffice_sdk::services::log::warn(&format!(
                    "reading {}/{}: {e:?}; its nodes are hidden",
                    of.0, of.1
                ));
                return out;
            }
        }
    }
    out
}

/// The categories and CMS pages some nodes point at, read in a few queries.
#[derive(Debug, Default)]
pub struct Targets {
    categories: BTreeMap<String, Category>,
    pages: BTreeMap<String, Page>,
}

impl Targets {
    /// Reads the records of `(kind, target)` pairs that are categories or CMS pages.
    pub fn load<'a>(wanted: impl IntoIterator<Item = (&'a str, &'a str)>) -> Targets {
        let mut categories = BTreeSet::new();
        let mut pages = BTreeSet::new();
        for (kind, target) in wanted {
            match kind {
                "category" => categories.insert(target.to_owned()),
                "cms-page" => pages.insert(target.to_owned()),
                _ => false,
            };
        }
        Targets {
            categories: if categories.is_empty() {
                BTreeMap::new()
            } else {
                read(CATEGORIES, &categories)
            },
            pages: if pages.is_empty() {
                BTreeMap::new()
            } else {
                read(PAGES, &pages)
            },
        }
    }

    /// The entry of a `kind` node pointing at `target`, for a shopper in `locale` on `day`.
    pub fn shown(&self, kind: &str, target: &str, locale: &str, day: i64) -> Shown {
        match kind {
            "label" => Shown::Label,
            "link" | "external" => Shown::Link(target.to_owned()),
            "category" => match self.categories.get(target) {
                Some(c) if c.active && c.clickable => {
                    Shown::Link(format!("/c/{}", url::encode(&c.slug)))
                }
                Some(c) if c.active => Shown::Label,
                _ => Shown::Hidden,
            },
            "cms-page" => {
                let live = self.pages.get(target).and_then(|p| p.live.as_ref());
                match live {
                    Some(doc)
                        if doc.active
                            && dates::day_in_window(day, &doc.valid_from, &doc.valid_to)
                            && context::in_store(&doc.stores) =>
                    {
                        doc.locales
                            .get(locale)
                            .filter(|t| !t.url.is_empty())
                            .map_or(Shown::Hidden, |t| Shown::Link(t.url.clone()))
                    }
                    _ => Shown::Hidden,
                }
            }
            _ => Shown::Hidden,
        }
    }
}

/// When a node is saved: a category or CMS-page target must exist (422 naming it). A target
/// that cannot be read (no grant) is refused with the reason, so the editor is not left to
/// wonder why the entry never shows.
pub fn check(kind: &str, locale: &str, target: &str, errors: &mut Errors) -> Result<(), Failure> {
    let (of, what) = match kind {
        "category" => (CATEGORIES, "category"),
        "cms-page" => (PAGES, "CMS page"),
        _ => return Ok(()),
    };
    match collection::<Value>(of).find(target) {
        Ok(Some(_)) => {}
        Ok(None) => errors.add("target", format!("there is no {what} {target} ({locale})")),
        Err(StorageError::Forbidden(reason)) => errors.add(
            "target",
            format!(
                "the {what} cannot be read: the grant {}/{} is not approved ({reason})",
                of.0, of.1
            ),
        ),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
