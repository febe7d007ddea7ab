//! Product labels ("New", "Sale" …): a unique name, a priority (higher shows first), an
//! exclusive flag, validity dates, per-locale text and an active flag; assigned to abstract
//! products through `links`. [`visible_for`] decides what a product shows on a given day.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::input::{self, FORM_LOCALES, Fields};
use crate::links::{self, LABEL};
use crate::products::ProductData;
use crate::skus;

pub const NAME_MAX: usize = 100;
pub const TEXT_MAX: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelData {
    pub name: String,
    /// Higher shows first; among exclusive labels, the highest wins alone.
    pub priority: i64,
    pub exclusive: bool,
    /// First and last day (`YYYY-MM-DD`, inclusive) the label shows; `None`: unbounded.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// What the storefront shows, per locale.
    pub texts: BTreeMap<String, String>,
    pub active: bool,
}

impl LabelData {
    /// Active and within its validity on `today` (`YYYY-MM-DD`).
    pub fn applies_on(&self, today: &str) -> bool {
        self.active
            && self.valid_from.as_deref().is_none_or(|from| from <= today)
            && self.valid_to.as_deref().is_none_or(|to| today <= to)
    }
}

pub type Label = Record<LabelData>;

#[derive(Debug, Clone, Serialize)]
pub struct LabelOut {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub data: LabelData,
}

impl From<Label> for LabelOut {
    fn from(l: Label) -> Self {
        LabelOut {
            id: l.id,
            version: l.version,
            data: l.data,
        }
    }
}

pub fn labels() -> Collection<LabelData> {
    Collection::new("labels")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("labels")
        .field(Field::text("name").unique().searchable())
        .field(Field::integer("priority").indexed())
        .field(Field::boolean("active").indexed())
        .shared()
}

pub fn routes(router: Router) -> Router {
    router
        .get("labels", "index", index)
        .get("labels", "create", new_form)
        .post("labels", "create", create)
        .get("labels", "edit", edit_form)
        .post("labels", "edit", update)
        .get("labels", "delete", confirm_delete)
        .post("labels", "delete", delete)
        .get("labels", "preview", preview)
}

/// The labels `product` shows on `today` (`YYYY-MM-DD`), highest priority first: when an
/// exclusive label applies, only the highest-priority exclusive one; else every applying
/// label. Inactive, expired and not-yet-valid labels never show.
pub fn visible_for(product: &ProductData, today: &str) -> Result<Vec<LabelOut>, Failure> {
    let mut applying = Vec::new();
    for id in &product.label_ids {
        if let Some(label) = labels().find(id)?
            && label.data.applies_on(today)
        {
            applying.push(LabelOut::from(label));
        }
    }
    Ok(choose(applying))
}

/// The rule of [`visible_for`] on labels that apply.
fn choose(mut applying: Vec<LabelOut>) -> Vec<LabelOut> {
    applying.sort_by(|a, b| {
        b.data
            .priority
            .cmp(&a.data.priority)
            .then_with(|| a.data.name.cmp(&b.data.name))
    });
    match applying.iter().position(|l| l.data.exclusive) {
        Some(first) => vec![applying.swap_remove(first)],
        None => applying,
    }
}

fn load(id: &str) -> Result<Label, Failure> {
    labels()
        .find(id)?
        .ok_or_else(|| Failure::not_found(format!("label {id} not found")))
}

fn storage_error(e: StorageError, name: &str) -> Failure {
    match e {
        StorageError::UniqueViolation(field) if field == "name" => {
            Failure::conflict(format!("label {name} already exists"))
        }
        e => e.into(),
    }
}

#[derive(Debug, Serialize)]
struct IndexContext {
    labels: Vec<LabelOut>,
}

fn index(req: &Request) -> Reply {
    let page = labels()
        .query()
        .sort_desc("priority")
        .sort("name")
        .limit(1000)
        .fetch()?;
    let ctx = IndexContext {
        labels: page.records.into_iter().map(LabelOut::from).collect(),
    };
    Ok(view_or_json(req, "labels/index.html", "Labels", &ctx))
}

#[derive(Debug, Serialize)]
struct FormContext {
    label: Option<LabelOut>,
    skus: Vec<String>,
    action: &'static str,
    locales: &'static [&'static str],
}

fn new_form(req: &Request) -> Reply {
    let ctx = FormContext {
        label: None,
        skus: Vec::new(),
        action: "create",
        locales: FORM_LOCALES,
    };
    Ok(view_or_json(req, "labels/form.html", "New label", &ctx))
}

fn edit_form(req: &Request) -> Reply {
    let label = load(&input::required_id(req)?)?;
    let ctx = FormContext {
        skus: links::skus(LABEL, &label.id)?,
        label: Some(label.into()),
        action: "edit",
        locales: FORM_LOCALES,
    };
    Ok(view_or_json(req, "labels/form.html", "Edit label", &ctx))
}

/// A date field: `Some(None)` when sent empty (unbounded), 422 when not a date.
fn date_field(fields: &Fields, field: &str) -> Result<Option<Option<String>>, Failure> {
    if !fields.has(field) {
        return Ok(None);
    }
    match fields.text(field)?.map(|t| t.trim().to_owned()) {
        None => Ok(Some(None)),
        Some(text) if text.is_empty() => Ok(Some(None)),
        Some(text) => {
            input::check_date(field, &text)?;
            Ok(Some(Some(text)))
        }
    }
}

/// Applies what the client sent (fields not sent are kept; a new label is active) and checks
/// the result. Returns the SKUs to assign when `skus` was sent.
fn apply(
    fields: &Fields,
    data: &mut LabelData,
    creating: bool,
) -> Result<Option<Vec<String>>, Failure> {
    if let Some(name) = fields.text("name")? {
        data.name = name.trim().to_owned();
    }
    if data.name.is_empty() {
        return Err(Failure::unprocessable("name is required"));
    }
    if data.name.chars().count() > NAME_MAX {
        return Err(Failure::unprocessable(format!(
            "name must be at most {NAME_MAX} characters"
        )));
    }
    if let Some(priority) = fields.integer("priority", "priority must be an integer")? {
        data.priority = priority;
    }
    if let Some(exclusive) = fields.flag("exclusive")? {
        data.exclusive = exclusive;
    }
    match fields.flag("active")? {
        Some(active) => data.active = active,
        None if creating => data.active = true,
        None => {}
    }
    if let Some(from) = date_field(fields, "valid_from")? {
        data.valid_from = from;
    }
    if let Some(to) = date_field(fields, "valid_to")? {
        data.valid_to = to;
    }
    if let (Some(from), Some(to)) = (&data.valid_from, &data.valid_to)
        && from > to
    {
        return Err(Failure::unprocessable(
            "valid_from must not be after valid_to",
        ));
    }
    if let Some(texts) = fields.locales("texts", "text")? {
        data.texts = input::merge_locales("text", &data.texts, texts, TEXT_MAX)?;
    }
    fields.words("skus")
}

#[derive(Debug, Serialize)]
struct LabelContext {
    label: LabelOut,
    skus: Vec<String>,
}

fn written(req: &Request, label: Label, flash: &str) -> Reply {
    Ok(if req.wants_json {
        json(&LabelContext {
            skus: links::skus(LABEL, &label.id)?,
            label: label.into(),
        })
    } else {
        redirect("/admin/catalog/labels/index").flash(flash)
    })
}

fn create(req: &Request) -> Reply {
    let mut data = LabelData::default();
    let skus = apply(&Fields::of(req)?, &mut data, true)?;
    let label = labels()
        .insert(&data)
        .map_err(|e| storage_error(e, &data.name))?;
    if let Some(skus) = skus {
        links::set_products(LABEL, &label.id, &skus)?;
    }
    services::audit("label.create", &label.id, &label.data.name);
    written(req, label, "Label created")
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let fields = Fields::of(req)?;
    let current = load(&id)?;
    input::check_version("label", &id, version, current.version)?;
    let mut data = current.data;
    let skus = apply(&fields, &mut data, false)?;
    let label = labels()
        .replace(&id, &data, version)
        .map_err(|e| storage_error(e, &data.name))?;
    if let Some(skus) = skus {
        links::set_products(LABEL, &id, &skus)?;
    }
    services::audit("label.edit", &id, &label.data.name);
    written(req, label, "Label saved")
}

fn confirm_delete(req: &Request) -> Reply {
    let label = load(&input::required_id(req)?)?;
    let ctx = LabelContext {
        skus: links::skus(LABEL, &label.id)?,
        label: label.into(),
    };
    Ok(view_or_json(
        req,
        "labels/delete.html",
        "Delete label",
        &ctx,
    ))
}

/// Deletes the label; its products lose it.
fn delete(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let label = load(&id)?;
    let products_updated = links::remove_target(LABEL, &id)?;
    labels().delete(&id)?;
    services::audit("label.delete", &id, &label.data.name);
    Ok(if req.wants_json {
        json(&json!({"deleted": id, "products_updated": products_updated}))
    } else {
        redirect("/admin/catalog/labels/index").flash("Label deleted")
    })
}

#[derive(Debug, Serialize)]
struct PreviewContext {
    sku: String,
    date: String,
    labels: Vec<LabelOut>,
}

/// `labels/preview?sku=&date=`: what the product shows on `date` (default today, UTC).
fn preview(req: &Request) -> Reply {
    let info = skus::require(&skus::param(req)?)?;
    let date = match input::query(req, "date") {
        Some(date) => {
            input::check_date("date", date).map_err(|f| Failure::bad_request(f.message))?;
            date.to_owned()
        }
        None => input::today(),
    };
    let ctx = PreviewContext {
        labels: visible_for(&info.product.data, &date)?,
        sku: info.sku,
        date,
    };
    let title = format!("Labels of {}", ctx.sku);
    Ok(view_or_json(req, "labels/preview.html", &title, &ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, priority: i64, exclusive: bool) -> LabelOut {
        LabelOut {
            id: name.into(),
            version: 1,
            data: LabelData {
                name: name.into(),
                priority,
                exclusive,
                active: true,
                ..LabelData::default()
            },
        }
    }

    fn names(labels: &[LabelOut]) -> Vec<&str> {
        labels.iter().map(|l| l.data.name.as_str()).collect()
    }

    #[test]
    fn the_highest_exclusive_label_shows_alone() {
        let all = vec![
            label("new", 5, false),
            label("sale", 10, true),
            label("top", 20, false),
            label("outlet", 3, true),
        ];
        assert_eq!(names(&choose(all)), ["sale"]);
        let plain = vec![label("new", 5, false), label("top", 20, false)];
        assert_eq!(names(&choose(plain)), ["top", "new"]);
    }

    #[test]
    fn validity_is_inclusive_and_needs_active() {
        let mut l = label("x", 0, false).data;
        l.valid_from = Some("2025-01-10".into());
        l.valid_to = Some("2025-01-20".into());
        assert!(!l.applies_on("2025-01-09"));
        assert!(l.applies_on("2025-01-10"));
        assert!(l.applies_on("2025-01-20"));
        assert!(!l.applies_on("2025-01-21"));
        l.active = false;
        assert!(!l.applies_on("2025-01-15"));
    }
}
