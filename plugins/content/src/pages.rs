//! CMS pages in the Back Office: the list, create and update (JSON, the whole draft), the edit
//! form (one locale's texts and the page's settings), delete. Every save checks the whole draft
//! (`check`): a known template and only its placeholders, real stores and locales, a validity
//! window, and per locale a name and an address that is valid, unique in its locale and not
//! answered by anyone else on the storefront. Rich text is sanitised before it is stored.

use std::collections::BTreeMap;

use backoffice_sdk::input::Text;
use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{self, PAGE_TEMPLATES, Page, PageDoc, PageTexts, Url};
use crate::rules;

const NAME: Text = Text::line(200).required();
const META: Text = Text::line(500);

/// The whole draft as a script sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageInput {
    id: Option<String>,
    version: Option<i64>,
    #[serde(flatten)]
    doc: PageDoc,
}

#[derive(Serialize)]
struct List {
    pages: Vec<Out<Page>>,
    templates: &'static [model::Template],
    locales: Vec<String>,
}

pub fn index(req: &Request) -> Reply {
    let mut query = model::pages()
        .query()
        .sort("title")
        .limit(input::limit(req)?);
    if let Some(text) = input::query(req, "q") {
        query = query.search(text);
    }
    let pages = query.fetch()?.records.into_iter().map(Out::from).collect();
    let locales = rules::locale_codes();
    let list = List {
        pages,
        templates: PAGE_TEMPLATES,
        locales,
    };
    Ok(view_or_json(req, "pages/index.html", "CMS pages", &list))
}

pub fn show(req: &Request) -> Reply {
    let page = model::pages().load(&input::required_id(req)?)?;
    Ok(json(&serde_json::json!({ "page": Out::from(page) })))
}

/// Checks and cleans `doc` for page `id` (none: a new page): every problem in `errors`.
pub fn check(id: Option<&str>, doc: &mut PageDoc, errors: &mut Errors) -> Result<(), Failure> {
    let Some(template) = model::template(PAGE_TEMPLATES, &doc.template) else {
        errors.add(
            "template",
            format!("there is no page template {:?}", doc.template),
        );
        return Ok(());
    };
    rules::check_stores(&doc.stores, errors);
    rules::check_window(&doc.valid_from, &doc.valid_to, errors);
    if doc.locales.is_empty() {
        errors.add("locales", "a page needs the texts of at least one locale");
    }
    for (locale, texts) in &mut doc.locales {
        rules::check_locale(locale, errors);
        NAME.check("name", &texts.name, errors);
        for (field, value) in [
            ("meta_title", &texts.meta_title),
            ("meta_keywords", &texts.meta_keywords),
            ("meta_description", &texts.meta_description),
        ] {
            META.check(field, value, errors);
        }
        template.clean(&mut texts.placeholders, errors);
        check_url(id, locale, &texts.url, errors)?;
    }
    Ok(())
}

/// An address: valid, not another page's in the same locale, not anyone else's route.
fn check_url(
    id: Option<&str>,
    locale: &str,
    url: &str,
    errors: &mut Errors,
) -> Result<(), Failure> {
    if !rules::is_url(url) {
        errors.add("url", format!("{url:?} is not a storefront address like /about-us (lower-case letters, digits, - _ . and /)"));
        return Ok(());
    }
    let key = format!("draft:{locale}:{url}");
    if let Some(other) = model::urls().query().eq("key", key.as_str()).first()?
        && Some(other.data.page_id.as_str()) != id
    {
        errors.add(
            "url",
            format!("{url} is the address of another page in {locale}"),
        );
    }
    if let Some(owner) = rules::route_owner(url)? {
        errors.add(
            "url",
            format!("{url} is answered by {owner} on the storefront"),
        );
    }
    Ok(())
}

/// Makes the `stage` addresses of page `id` those of `doc` (a unique address taken meanwhile:
/// 409).
pub fn write_urls(id: &str, stage: &str, doc: &PageDoc) -> Result<(), Failure> {
    let old = model::urls()
        .query()
        .eq("page_id", id)
        .eq("stage", stage)
        .fetch_all()?;
    for url in old {
        model::urls().delete(&url.id)?;
    }
    for (locale, texts) in &doc.locales {
        let url = Url {
            key: format!("{stage}:{locale}:{}", texts.url),
            page_id: id.to_owned(),
            stage: stage.to_owned(),
            locale: locale.clone(),
            url: texts.url.clone(),
        };
        model::urls().insert(&url).map_err(|e| match e {
            StorageError::UniqueViolation(_) => Failure::conflict(format!(
                "{} is the {stage} address of another page in {locale}",
                texts.url
            )),
            other => other.into(),
        })?;
    }
    Ok(())
}

/// The title lists show: the first locale's name.
fn title(doc: &PageDoc) -> String {
    doc.locales
        .values()
        .next()
        .map(|t| t.name.clone())
        .unwrap_or_default()
}

/// Stores `doc` as the draft of `current` (none: a new page).
pub fn save_draft(
    current: Option<&Record<Page>>,
    mut doc: PageDoc,
) -> Result<Record<Page>, Failure> {
    let mut errors = Errors::new();
    check(current.map(|c| c.id.as_str()), &mut doc, &mut errors)?;
    errors.finish()?;
    let record = match current {
        Some(current) => {
            let mut page = current.data.clone();
            page.title = title(&doc);
            page.unpublished = page.live.as_ref() != Some(&doc);
            page.draft = doc;
            model::pages().update(current, &page)?
        }
        None => model::pages().add(&Page {
            title: title(&doc),
            unpublished: true,
            draft: doc,
            ..Page::default()
        })?,
    };
    write_urls(&record.id, "draft", &record.data.draft)?;
    Ok(record)
}

/// A new page: the whole draft as JSON, or from the list's form a template and the name and
/// address in one locale (the rest is filled in on the edit page).
pub fn create(req: &Request) -> Reply {
    let doc = if req.body.is_some() {
        req.json::<PageInput>()?.doc
    } else {
        let fields = Fields::from_request(req)?;
        let mut errors = Errors::new();
        let template = fields.required_text("template", &mut errors);
        let locale = fields.required_text("locale", &mut errors);
        let texts = PageTexts {
            name: fields.required_text("name", &mut errors),
            url: fields.required_text("url", &mut errors),
            ..PageTexts::default()
        };
        errors.finish()?;
        PageDoc {
            template,
            locales: BTreeMap::from([(locale, texts)]),
            ..PageDoc::default()
        }
    };
    saved(req, save_draft(None, doc)?)
}

/// The answer to a saved draft: the page, or its edit form again.
fn saved(req: &Request, page: Record<Page>) -> Reply {
    let location = format!("/admin/content/pages/edit?id={}", page.id);
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "page": Out::from(page) }),
        &location,
        "Page saved",
    ))
}

pub fn update(req: &Request) -> Reply {
    let input: PageInput = req.input()?;
    let id = input
        .id
        .ok_or_else(|| Failure::bad_request("id is required"))?;
    let current = model::pages().load_version(&id, input.version)?;
    saved(req, save_draft(Some(&current), input.doc)?)
}

#[derive(Serialize)]
struct EditPage {
    /// Not `page`: a view's whole context is `page` in its template.
    cms_page: Out<Page>,
    locale: String,
    texts: PageTexts,
    placeholders: Vec<(String, String)>,
    templates: &'static [model::Template],
    locales: Vec<String>,
    stores: String,
    errors: Errors,
}

/// The edit form: the page's settings and the texts of one locale (`locale`, default the
/// shop's first).
pub fn edit_form(req: &Request) -> Reply {
    let page = model::pages().load(&input::required_id(req)?)?;
    let locale = input::query(req, "locale")
        .map(str::to_owned)
        .or_else(|| page.data.draft.locales.keys().next().cloned())
        .unwrap_or_else(|| rules::shop_locale(""));
    form_page(req, page, locale, Errors::new())
}

fn form_page(req: &Request, page: Record<Page>, locale: String, errors: Errors) -> Reply {
    let texts = page
        .data
        .draft
        .locales
        .get(&locale)
        .cloned()
        .unwrap_or_default();
    let names = model::template(PAGE_TEMPLATES, &page.data.draft.template)
        .map(|t| t.placeholders)
        .unwrap_or(&[]);
    let placeholders = names
        .iter()
        .map(|n| {
            (
                (*n).to_owned(),
                texts.placeholders.get(*n).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let ctx = EditPage {
        stores: page.data.draft.stores.join(", "),
        cms_page: Out::from(page),
        locale,
        texts,
        placeholders,
        templates: PAGE_TEMPLATES,
        locales: rules::locale_codes(),
        errors,
    };
    Ok(view_or_json(req, "pages/edit.html", "Edit CMS page", &ctx))
}

/// The edit form posted: the settings and one locale's texts replace the draft's.
pub fn edit(req: &Request) -> Reply {
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::new();
    let id = fields.required_text("id", &mut errors);
    let locale = fields.required_text("locale", &mut errors);
    errors.finish()?;
    let mut errors = Errors::new();
    let sent = fields.integer("version", &mut errors);
    let current = model::pages().load_version(&id, sent)?;
    let mut doc = current.data.draft.clone();
    if let Some(template) = fields.text("template", &mut errors) {
        doc.template = template;
    }
    doc.active = fields.checkbox("active", &mut errors).unwrap_or(doc.active);
    doc.searchable = fields
        .checkbox("searchable", &mut errors)
        .unwrap_or(doc.searchable);
    doc.valid_from = fields.text("valid_from", &mut errors).unwrap_or_default();
    doc.valid_to = fields.text("valid_to", &mut errors).unwrap_or_default();
    if let Some(stores) = fields.text("stores", &mut errors) {
        doc.stores = rules::codes(&stores);
    }
    let placeholders = rules::placeholders(&fields);
    let texts = PageTexts {
        name: fields.text("name", &mut errors).unwrap_or_default(),
        url: fields.text("url", &mut errors).unwrap_or_default(),
        meta_title: fields.text("meta_title", &mut errors).unwrap_or_default(),
        meta_keywords: fields
            .text("meta_keywords", &mut errors)
            .unwrap_or_default(),
        meta_description: fields
            .text("meta_description", &mut errors)
            .unwrap_or_default(),
        placeholders,
    };
    doc.locales.insert(locale.clone(), texts);
    errors.finish()?;
    match save_draft(Some(&current), doc) {
        Ok(page) => {
            let location = format!("/admin/content/pages/edit?id={}&locale={locale}", page.id);
            Ok(json_or_redirect(
                req,
                &serde_json::json!({ "page": Out::from(page) }),
                &location,
                "Draft saved",
            ))
        }
        Err(failure) if failure.status == 422 && !req.wants_json => {
            let mut errors = Errors::new();
            errors.add("form", failure.message);
            form_page(req, current, locale, errors)
        }
        Err(failure) => Err(failure),
    }
}

/// Deletes a page with its versions and addresses.
pub fn delete(req: &Request) -> Reply {
    let page = model::pages().load(&input::required_id(req)?)?;
    for url in model::urls()
        .query()
        .eq("page_id", page.id.as_str())
        .fetch_all()?
    {
        model::urls().delete(&url.id)?;
    }
    for version in model::versions()
        .query()
        .eq("page_id", page.id.as_str())
        .fetch_all()?
    {
        model::versions().delete(&version.id)?;
    }
    model::pages().remove(&page)?;
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "deleted": page.id }),
        "/admin/content/pages/index",
        "Page deleted",
    ))
}
