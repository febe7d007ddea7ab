//! Attribute pages: the list, the create and edit forms.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::model::attributes::{self, AttributeData, AttributeInput, INPUT_TYPES, attributes};
use crate::model::values::{self, FORM_LOCALES};

pub fn routes(router: Router) -> Router {
    router
        .get("attributes", "index", index)
        .get("attributes", "create", new_form)
        .post("attributes", "create", create)
        .get("attributes", "edit", edit_form)
        .post("attributes", "edit", update)
}

/// Every attribute for a product or variant form: super attributes only for variants.
pub fn for_form(variant: bool) -> Result<Vec<Out<AttributeData>>, Failure> {
    Ok(attributes::all()?
        .into_iter()
        .filter(|a| variant || !a.data.is_super)
        .map(Out::from)
        .collect())
}

#[derive(Debug, Serialize)]
struct IndexContext {
    attributes: Vec<Out<AttributeData>>,
}

fn index(req: &Request) -> Reply {
    let ctx = IndexContext {
        attributes: attributes::all()?.into_iter().map(Out::from).collect(),
    };
    Ok(view_or_json(
        req,
        "attributes/index.html",
        "Attributes",
        &ctx,
    ))
}

#[derive(Debug, Serialize)]
struct FormContext {
    attribute: Option<Out<AttributeData>>,
    action: &'static str,
    input_types: &'static [&'static str],
    locales: &'static [&'static str],
}

fn form(req: &Request, attribute: Option<Out<AttributeData>>, action: &'static str) -> Reply {
    let title = if attribute.is_some() {
        "Edit attribute"
    } else {
        "New attribute"
    };
    let ctx = FormContext {
        attribute,
        action,
        input_types: INPUT_TYPES,
        locales: FORM_LOCALES,
    };
    Ok(view_or_json(req, "attributes/form.html", title, &ctx))
}

fn new_form(req: &Request) -> Reply {
    form(req, None, "create")
}

fn edit_form(req: &Request) -> Reply {
    let a = attributes().load(&input::required_id(req)?)?;
    form(req, Some(a.into()), "edit")
}

/// What the form or JSON sends. JSON: `values` a list of texts, `value_labels` an object of
/// value to `{locale: text}`. Form: `values` one per line (value translations as fields
/// `vl.<value>.<locale>`), and the super flag only on the create form (which has `key`).
fn read(fields: &Fields) -> Result<AttributeInput, Failure> {
    let mut errors = Errors::new();
    let (values, value_labels, is_super) = if fields.is_form() {
        let values = fields.text("values", &mut errors).map(|text| {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        });
        let mut value_labels: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (rest, text) in fields.prefixed("vl.") {
            if let Some((value, locale)) = rest.rsplit_once('.') {
                value_labels.entry(value.to_owned()).or_default().insert(
                    locale.to_owned(),
                    text.as_str().unwrap_or_default().to_owned(),
                );
            }
        }
        let is_super = if fields.has("key") {
            fields.checkbox("is_super", &mut errors)
        } else {
            None
        };
        (values, Some(value_labels), is_super)
    } else {
        let values = match fields.value("values") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                let texts = items.iter().map(|v| v.as_str().map(str::to_owned));
                let texts: Option<Vec<String>> = texts.collect();
                if texts.is_none() {
                    errors.add("values", "values must be a list of texts");
                }
                texts
            }
            Some(_) => {
                errors.add("values", "values must be a list of texts");
                None
            }
        };
        let value_labels = match fields.value("value_labels") {
            None | Some(Value::Null) => None,
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| {
                    errors.add(
                        "value_labels",
                        "value_labels must be an object of value to {locale: text}",
                    )
                })
                .ok(),
        };
        (values, value_labels, fields.flag("is_super", &mut errors))
    };
    let input = AttributeInput {
        key: fields.text("key", &mut errors),
        input_type: fields.text("input_type", &mut errors),
        values,
        is_super,
        labels: values::locales(fields, "labels", "label", &mut errors),
        value_labels,
    };
    errors.finish()?;
    Ok(input)
}

#[derive(Debug, Serialize)]
struct AttributeContext {
    attribute: Out<AttributeData>,
}

fn written(req: &Request, a: Record<AttributeData>, flash: &str) -> Response {
    let ctx = AttributeContext {
        attribute: a.into(),
    };
    json_or_redirect(req, &ctx, "/admin/catalog/attributes/index", flash)
}

fn create(req: &Request) -> Reply {
    let mut data = AttributeData::default();
    read(&Fields::from_request(req)?)?.apply(&mut data, true)?;
    let a = attributes().add(&data)?;
    Ok(written(req, a, "Attribute created"))
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let input = read(&Fields::from_request(req)?)?;
    let current = attributes().load_version(&id, Some(version))?;
    let mut data = current.data.clone();
    input.apply(&mut data, false)?;
    let a = attributes().update(&current, &data)?;
    Ok(written(req, a, "Attribute saved"))
}
