//! Versions of CMS pages: publishing snapshots the draft as a new version (number, author,
//! time) and makes it what the storefront shows; the history lists the versions; a diff compares
//! two of them field by field; rolling back publishes an old snapshot again as a new version;
//! a preview link shows the draft on the storefront to admins for an hour.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use backoffice_sdk::{dates, services};
use serde::Serialize;
use serde_json::Value;

use crate::model::{self, Page, PageDoc, Version};
use crate::{pages, rules};

/// Makes `doc` the live version of `page` as a new version with `note`.
fn publish_doc(page: &Record<Page>, doc: PageDoc, note: &str) -> Result<Record<Page>, Failure> {
    let number = page.data.versions + 1;
    let author = services::current_user()
        .map(|u| u.email)
        .unwrap_or_else(|| "unknown".into());
    let version = Version {
        page_id: page.id.clone(),
        number,
        key: format!("{}#{number}", page.id),
        author,
        at: dates::now(),
        note: note.to_owned(),
        snapshot: doc.clone(),
    };
    model::versions().insert(&version)?;
    let mut data = page.data.clone();
    data.unpublished = data.draft != doc;
    data.live = Some(doc.clone());
    data.live_version = number;
    data.versions = number;
    let saved = model::pages().change("publish", page, &data)?;
    pages::write_urls(&saved.id, "live", &doc)?;
    Ok(saved)
}

/// Publishes the draft.
pub fn publish(req: &Request) -> Reply {
    let page = model::pages().load_version(&input::required_id(req)?, input::version(req)?)?;
    let draft = page.data.draft.clone();
    let saved = publish_doc(&page, draft, "published")?;
    let number = saved.data.live_version;
    let location = format!("/admin/content/pages/edit?id={}", saved.id);
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "page": Out::from(saved), "version": number }),
        &location,
        &format!("Published as version {number}"),
    ))
}

#[derive(Serialize)]
struct VersionLine {
    number: i64,
    author: String,
    at: String,
    note: String,
}

#[derive(Serialize)]
struct History {
    /// Not `page`: a view's whole context is `page` in its template.
    cms_page: Out<Page>,
    versions: Vec<VersionLine>,
}

fn version_of(page_id: &str, number: i64) -> Result<Record<Version>, Failure> {
    model::versions()
        .query()
        .eq("key", format!("{page_id}#{number}").as_str())
        .first()?
        .ok_or_else(|| Failure::not_found(format!("page {page_id} has no version {number}")))
}

/// The history of a page, newest first.
pub fn history(req: &Request) -> Reply {
    let page = model::pages().load(&input::required_id(req)?)?;
    let versions = model::versions()
        .query()
        .eq("page_id", page.id.as_str())
        .sort_desc("number")
        .fetch_all()?
        .into_iter()
        .map(|v| VersionLine {
            number: v.data.number,
            author: v.data.author,
            at: dates::stamp(v.data.at),
            note: v.data.note,
        })
        .collect();
    let history = History {
        cms_page: Out::from(page),
        versions,
    };
    Ok(view_or_json(
        req,
        "pages/versions.html",
        "Page versions",
        &history,
    ))
}

/// Every leaf of a JSON value by its dotted path.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

#[derive(Debug, Serialize)]
struct Change {
    field: String,
    a: Option<String>,
    b: Option<String>,
}

/// The fields in which two snapshots differ.
fn changes(a: &PageDoc, b: &PageDoc) -> Vec<Change> {
    let (mut left, mut right) = (BTreeMap::new(), BTreeMap::new());
    flatten(
        "",
        &serde_json::to_value(a).unwrap_or(Value::Null),
        &mut left,
    );
    flatten(
        "",
        &serde_json::to_value(b).unwrap_or(Value::Null),
        &mut right,
    );
    let fields: std::collections::BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    fields
        .into_iter()
        .filter(|f| left.get(*f) != right.get(*f))
        .map(|f| Change {
            field: f.clone(),
            a: left.get(f).cloned(),
            b: right.get(f).cloned(),
        })
        .collect()
}

fn number(req: &Request, name: &str) -> Result<i64, Failure> {
    input::required(req, name)?
        .parse()
        .map_err(|_| Failure::bad_request(format!("{name} must be a version number")))
}

/// The differences between versions `a` and `b` of a page.
pub fn diff(req: &Request) -> Reply {
    let page = model::pages().load(&input::required_id(req)?)?;
    let (a, b) = (number(req, "a")?, number(req, "b")?);
    let left = version_of(&page.id, a)?;
    let right = version_of(&page.id, b)?;
    let ctx = serde_json::json!({
        "cms_page": Out::from(page),
        "a": a,
        "b": b,
        "changes": changes(&left.data.snapshot, &right.data.snapshot),
    });
    Ok(view_or_json(
        req,
        "pages/diff.html",
        "Compare versions",
        &ctx,
    ))
}

/// Publishes version `version` again (as a new version) and makes it the draft too.
pub fn rollback(req: &Request) -> Reply {
    let page = model::pages().load(&input::required_id(req)?)?;
    let wanted = number(req, "version")?;
    let old = version_of(&page.id, wanted)?;
    let snapshot = old.data.snapshot;
    let mut data = page.data.clone();
    data.draft = snapshot.clone();
    let page = model::pages().save(&page, &data)?;
    pages::write_urls(&page.id, "draft", &snapshot)?;
    let saved = publish_doc(&page, snapshot, &format!("rolled back to version {wanted}"))?;
    let number = saved.data.live_version;
    let location = format!("/admin/content/pages/versions?id={}", saved.id);
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "page": Out::from(saved), "version": number }),
        &location,
        &format!("Version {wanted} is live again (as version {number})"),
    ))
}

/// A signed link to the draft on the storefront, good for an hour, for admins only.
pub fn preview(req: &Request) -> Reply {
    let page = model::pages().load(&input::required_id(req)?)?;
    let locale = input::param(req, "locale")
        .or_else(|| page.data.draft.locales.keys().next().cloned())
        .unwrap_or_else(|| rules::shop_locale(""));
    let texts = page
        .data
        .draft
        .locales
        .get(&locale)
        .ok_or_else(|| Failure::not_found(format!("the page has no texts in {locale}")))?;
    let token = rules::preview_token(&page.id)?;
    let url = format!("{}?preview={token}", texts.url);
    if req.wants_json {
        return Ok(json(
            &serde_json::json!({ "url": url, "expires_in": rules::PREVIEW_TTL }),
        ));
    }
    Ok(redirect(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_each_differing_leaf() {
        let mut a = PageDoc {
            template: "standard".into(),
            ..PageDoc::default()
        };
        a.locales.entry("en_US".into()).or_default().name = "About".into();
        let mut b = a.clone();
        b.locales.entry("en_US".into()).or_default().name = "About us".into();
        b.active = true;
        let fields: Vec<String> = changes(&a, &b).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, vec!["active", "locales.en_US.name"]);
    }
}
