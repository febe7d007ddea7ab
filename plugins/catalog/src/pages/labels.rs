//! Label pages: the list, the create and edit forms (with the products that carry the label),
//! delete, and a preview of what a product shows on a given day.

use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::model::labels::{self, Label, LabelData, labels};
use crate::model::links::{self, LABEL};
use crate::model::skus;
use crate::model::values::{self, FORM_LOCALES};

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

const INDEX: &str = "/admin/catalog/labels/index";

#[derive(Debug, Serialize)]
struct IndexContext {
    labels: Vec<Out<LabelData>>,
}

fn index(req: &Request) -> Reply {
    let page = labels()
        .query()
        .sort_desc("priority")
        .sort("name")
        .limit(1000)
        .fetch()?;
    let ctx = IndexContext {
        labels: page.records.into_iter().map(Out::from).collect(),
    };
    Ok(view_or_json(req, "labels/index.html", "Labels", &ctx))
}

#[derive(Debug, Serialize)]
struct FormContext {
    label: Option<Out<LabelData>>,
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
    let label = labels().load(&input::required_id(req)?)?;
    let ctx = FormContext {
        skus: links::skus(LABEL, &label.id)?,
        label: Some(label.into()),
        action: "edit",
        locales: FORM_LOCALES,
    };
    Ok(view_or_json(req, "labels/form.html", "Edit label", &ctx))
}

#[derive(Debug, Serialize)]
struct LabelContext {
    label: Out<LabelData>,
    skus: Vec<String>,
}

fn label_context(label: Label) -> Result<LabelContext, Failure> {
    Ok(LabelContext {
        skus: links::skus(LABEL, &label.id)?,
        label: label.into(),
    })
}

fn written(req: &Request, label: Label, flash: &str) -> Reply {
    if req.wants_json {
        return Ok(json(&label_context(label)?));
    }
    Ok(redirect(INDEX).flash(flash))
}

fn create(req: &Request) -> Reply {
    let mut data = LabelData::default();
    let skus = labels::apply(&Fields::from_request(req)?, &mut data, true)?;
    let label = labels().add(&data)?;
    if let Some(skus) = skus {
        links::set_products(LABEL, &label.id, &skus)?;
    }
    written(req, label, "Label created")
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let fields = Fields::from_request(req)?;
    let current = labels().load_version(&id, Some(version))?;
    let mut data = current.data.clone();
    let skus = labels::apply(&fields, &mut data, false)?;
    let label = labels().update(&current, &data)?;
    if let Some(skus) = skus {
        links::set_products(LABEL, &id, &skus)?;
    }
    written(req, label, "Label saved")
}

fn confirm_delete(req: &Request) -> Reply {
    let ctx = label_context(labels().load(&input::required_id(req)?)?)?;
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
    let label = labels().load(&id)?;
    let products_updated = links::remove_target(LABEL, &id)?;
    labels().remove(&label)?;
    let ctx = json!({"deleted": id, "products_updated": products_updated});
    Ok(json_or_redirect(req, &ctx, INDEX, "Label deleted"))
}

#[derive(Debug, Serialize)]
struct PreviewContext {
    sku: String,
    date: String,
    labels: Vec<Out<LabelData>>,
}

/// `labels/preview?sku=&date=`: what the product shows on `date` (default today, UTC).
fn preview(req: &Request) -> Reply {
    let info = skus::require(&input::required(req, "sku")?)?;
    let date = match input::query(req, "date") {
        Some(date) => {
            values::check_date("date", date).map_err(|f| Failure::bad_request(f.message))?;
            date.to_owned()
        }
        None => values::today(),
    };
    let shown = labels::visible_for(&info.product.data, &date)?;
    let ctx = PreviewContext {
        labels: shown.into_iter().map(Out::from).collect(),
        sku: info.sku,
        date,
    };
    let title = format!("Labels of {}", ctx.sku);
    Ok(view_or_json(req, "labels/preview.html", &title, &ctx))
}
