//! Variant pages: the create and edit forms of a product's variants, and discontinue. Every
//! write brings the product's search text up to date (it holds the variants' SKUs).

use backoffice_sdk::prelude::*;
use serde::Serialize;

use super::products::show_path;
use crate::model::attributes::AttributeData;
use crate::model::products::{self, ProductData, products};
use crate::model::reads::Live;
use crate::model::values::FORM_LOCALES;
use crate::model::variant_input::{self, VariantInput};
use crate::model::variants::{Variant, VariantData, variants};

pub fn routes(router: Router) -> Router {
    router
        .get("variants", "create", new_form)
        .post("variants", "create", create)
        .get("variants", "edit", edit_form)
        .post("variants", "edit", update)
        .post("variants", "discontinue", discontinue)
}

#[derive(Debug, Serialize)]
struct FormContext {
    variant: Option<Out<VariantData>>,
    product: Out<ProductData>,
    action: &'static str,
    locales: &'static [&'static str],
    attributes: Vec<Out<AttributeData>>,
}

fn form(req: &Request, product_id: &str, variant: Option<Out<VariantData>>) -> Reply {
    let action = if variant.is_some() { "edit" } else { "create" };
    let ctx = FormContext {
        variant,
        product: products().load(product_id)?.into(),
        action,
        locales: FORM_LOCALES,
        attributes: super::attributes::for_form(true)?,
    };
    let title = if action == "edit" {
        "Edit variant"
    } else {
        "New variant"
    };
    Ok(view_or_json(req, "variants/form.html", title, &ctx))
}

fn product_id(req: &Request) -> Result<String, Failure> {
    req.param("product_id")
        .ok_or_else(|| Failure::bad_request("product_id is required"))
}

fn new_form(req: &Request) -> Reply {
    form(req, &product_id(req)?, None)
}

fn edit_form(req: &Request) -> Reply {
    let v = variants().load(&input::required_id(req)?)?;
    let product_id = v.data.abstract_id.clone();
    form(req, &product_id, Some(v.into()))
}

#[derive(Debug, Serialize)]
struct VariantContext {
    variant: Out<VariantData>,
}

fn written(req: &Request, v: Variant, flash: &str) -> Reply {
    products::reindex(&v.data.abstract_id)?;
    let location = show_path(&v.data.abstract_id);
    Ok(json_or_redirect(
        req,
        &VariantContext { variant: v.into() },
        location,
        flash,
    ))
}

fn create(req: &Request) -> Reply {
    let product_id = product_id(req)?;
    let product = products().load(&product_id).map_err(|f| {
        if f.status == 404 {
            Failure::unprocessable(format!("product {product_id} does not exist"))
        } else {
            f
        }
    })?;
    let mut data = VariantData {
        abstract_id: product.id,
        abstract_sku: product.data.sku,
        active: true,
        ..VariantData::default()
    };
    let input = VariantInput::from_fields(&Fields::from_request(req)?)?;
    input.apply(None, &product.data.name, &mut data, &Live)?;
    let v = variants().add(&data)?;
    written(req, v, "Variant created")
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let input = VariantInput::from_fields(&Fields::from_request(req)?)?;
    let current = variants().load_version(&id, Some(version))?;
    let product = products().load(&current.data.abstract_id)?;
    let mut data = current.data.clone();
    input.apply(Some(&id), &product.data.name, &mut data, &Live)?;
    let v = variants().update(&current, &data)?;
    written(req, v, "Variant saved")
}

/// Marks a variant discontinued (no longer sold, kept for orders and history) with a note.
fn discontinue(req: &Request) -> Reply {
    let current = variants().load(&input::required_id(req)?)?;
    let mut data = current.data.clone();
    variant_input::discontinue(&mut data, &req.param("note").unwrap_or_default())?;
    let v = variants().change("discontinue", &current, &data)?;
    written(req, v, "Variant discontinued")
}
