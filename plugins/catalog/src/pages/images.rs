//! Images of products and variants: the Back Office page that sets a product's or a variant's
//! image set (ordered media ids, with a picker listing the media library), and the images the
//! storefront pages show.

use std::collections::BTreeMap;

use backoffice_sdk::media;
use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::products::show_path;
use crate::model::images::{self, Owner, Shown};
use crate::model::products::products;
use crate::model::variants::variants;

/// Files the picker lists.
const PICKER_SIZE: u32 = 48;

pub fn routes(router: Router) -> Router {
    router
        .get("products", "images", product_form)
        .post("products", "images", product_save)
        .get("variants", "images", variant_form)
        .post("variants", "images", variant_save)
}

/// Whose images a page edits: the owner, its product and how the page names it.
struct Target {
    owner_id: String,
    product_id: String,
    variant: bool,
    label: String,
}

impl Target {
    fn owner(&self) -> Owner<'_> {
        if self.variant {
            Owner::Variant(&self.owner_id)
        } else {
            Owner::Product(&self.owner_id)
        }
    }

    fn path(&self) -> String {
        let controller = if self.variant { "variants" } else { "products" };
        url::with_param(
            &format!("/admin/catalog/{controller}/images"),
            "id",
            &self.owner_id,
        )
    }
}

fn product_target(req: &Request) -> Result<Target, Failure> {
    let product = products().load(&input::required_id(req)?)?;
    Ok(Target {
        label: format!("product {}", product.data.sku),
        owner_id: product.id.clone(),
        product_id: product.id,
        variant: false,
    })
}

fn variant_target(req: &Request) -> Result<Target, Failure> {
    let variant = variants().load(&input::required_id(req)?)?;
    Ok(Target {
        label: format!("variant {}", variant.data.sku),
        owner_id: variant.id,
        product_id: variant.data.abstract_id,
        variant: true,
    })
}

#[derive(Debug, Serialize)]
struct FormContext {
    id: String,
    product_id: String,
    product_path: String,
    action: String,
    label: String,
    image_ids: String,
    images: Vec<Shown>,
    q: String,
    library: Vec<Shown>,
}

fn form(req: &Request, target: Target) -> Reply {
    let locale = services::locale();
    let ids = images::ids_of(target.owner())?;
    let q = input::query(req, "q").unwrap_or_default().to_owned();
    let library = media::search(&q, PICKER_SIZE)
        .iter()
        .map(|f| Shown::of(f, &locale))
        .collect();
    let ctx = FormContext {
        action: target.path(),
        product_path: show_path(&target.product_id),
        image_ids: ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        images: images::shown(&ids, &locale),
        id: target.owner_id,
        product_id: target.product_id,
        label: target.label.clone(),
        q,
        library,
    };
    let title = format!("Images of {}", target.label);
    Ok(view_or_json(req, "images/form.html", &title, &ctx))
}

fn save(req: &Request, target: Target) -> Reply {
    let fields = input::Fields::from_request(req)?;
    let ids = images::parse_ids(fields.value("image_ids"))?;
    images::set(target.owner(), &target.product_id, &ids)?;
    let shown = images::shown(&ids, &services::locale());
    let detail = serde_json::to_string(&ids).unwrap_or_default();
    services::audit("images.set", &target.label, &detail);
    let flash = format!("The images of {} are saved.", target.label);
    Ok(json_or_redirect(
        req,
        &json!({ "id": target.owner_id, "image_ids": ids, "images": shown }),
        target.path(),
        &flash,
    ))
}

fn product_form(req: &Request) -> Reply {
    form(req, product_target(req)?)
}

fn product_save(req: &Request) -> Reply {
    save(req, product_target(req)?)
}

fn variant_form(req: &Request) -> Reply {
    form(req, variant_target(req)?)
}

fn variant_save(req: &Request) -> Reply {
    save(req, variant_target(req)?)
}

/// The first image of each product of `product_ids` that has one, as shown in `locale`: for
/// the cards of category and search pages (one `in` query and one media call per page).
pub fn first_images(
    product_ids: &[String],
    locale: &str,
) -> Result<BTreeMap<String, Shown>, Failure> {
    let owners: Vec<String> = product_ids
        .iter()
        .map(|id| Owner::Product(id).key())
        .collect();
    let firsts = images::first_ids(&owners)?;
    let ids: Vec<i64> = firsts.values().copied().collect();
    let files: BTreeMap<u64, Shown> = images::shown(&ids, locale)
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    Ok(product_ids
        .iter()
        .filter_map(|id| {
            let media_id = *firsts.get(&Owner::Product(id).key())?;
            Some((id.clone(), files.get(&(media_id as u64))?.clone()))
        })
        .collect())
}

/// The images of a product page: the product's, then each shown variant's not already
/// among them, in order.
pub fn of_product_page(
    product_id: &str,
    variant_ids: &[String],
    locale: &str,
) -> Result<Vec<Shown>, Failure> {
    let mut ids = images::ids_of(Owner::Product(product_id))?;
    for variant in variant_ids {
        for id in images::ids_of(Owner::Variant(variant))? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(images::shown(&ids, locale))
}
