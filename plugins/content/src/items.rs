//! Content items: a banner (title, subtitle, an image from the host's media library, a click
//! address, alt text; texts per locale), a product list (SKUs) or a navigation reference (a
//! menu key of the navigation section). Rich texts place them with `{{ content_item("key") }}`;
//! [`view`] is what their templates (`items/<kind>.html`) see. Banners keep the media file's
//! id, so this section answers `host.usage` for media files.

use std::collections::BTreeMap;

use backoffice_sdk::media;
use backoffice_sdk::prelude::*;
use backoffice_sdk::usage::{Question, Use, Uses};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::model::{self, ITEM_KINDS, Item, ItemTexts};
use crate::{rich, rules};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ItemInput {
    id: Option<String>,
    version: Option<i64>,
    #[serde(flatten)]
    item: Item,
}

pub fn index(req: &Request) -> Reply {
    let items = model::list(&model::items(), "key", req)?;
    Ok(view_or_json(
        req,
        "items/index.html",
        "Content items",
        &json!({ "items": items, "kinds": ITEM_KINDS, "locales": rules::locale_codes() }),
    ))
}

fn check(item: &Item, errors: &mut Errors) {
    model::check_key(&item.key, errors);
    if item.name.trim().is_empty() {
        errors.add("name", "name is required");
    }
    if !ITEM_KINDS.contains(&item.kind.as_str()) {
        errors.add(
            "kind",
            format!("kind must be one of {}", ITEM_KINDS.join(", ")),
        );
    }
    if item.kind == "banner" && item.image != 0 && file(item.image).is_none() {
        errors.add("image", format!("there is no media file {}", item.image));
    }
    for (locale, texts) in &item.locales {
        rules::check_locale(locale, errors);
        if !texts.click_url.is_empty() && !rules::is_target(&texts.click_url) {
            errors.add(
                "click_url",
                "click_url must be a local path or an http(s) address",
            );
        }
    }
}

/// A new item from the list's form: its settings and one locale's texts.
fn from_form(req: &Request) -> Result<ItemInput, Failure> {
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::new();
    let locale = fields.required_text("locale", &mut errors);
    let texts = ItemTexts {
        title: fields.text("title", &mut errors).unwrap_or_default(),
        subtitle: fields.text("subtitle", &mut errors).unwrap_or_default(),
        click_url: fields.text("click_url", &mut errors).unwrap_or_default(),
        alt: fields.text("alt", &mut errors).unwrap_or_default(),
    };
    let item = Item {
        key: fields.required_text("key", &mut errors),
        name: fields.required_text("name", &mut errors),
        kind: fields.required_text("kind", &mut errors),
        image: fields.integer("image", &mut errors).unwrap_or(0),
        skus: rules::codes(&fields.text("skus", &mut errors).unwrap_or_default()),
        menu: fields.text("menu", &mut errors).unwrap_or_default(),
        locales: BTreeMap::from([(locale, texts)]),
    };
    errors.finish()?;
    Ok(ItemInput {
        item,
        ..ItemInput::default()
    })
}

/// A new item: the whole item as JSON, or the list's form.
pub fn create(req: &Request) -> Reply {
    let input = if req.body.is_some() {
        req.json::<ItemInput>()?
    } else {
        from_form(req)?
    };
    let mut errors = Errors::new();
    check(&input.item, &mut errors);
    errors.finish()?;
    let item = model::items().add(&input.item)?;
    Ok(json_or_redirect(
        req,
        &json!({ "item": Out::from(item) }),
        "/admin/content/items/index",
        "Content item saved",
    ))
}

pub fn update(req: &Request) -> Reply {
    let input: ItemInput = req.input()?;
    let id = input
        .id
        .ok_or_else(|| Failure::bad_request("id is required"))?;
    let current = model::items().load_version(&id, input.version)?;
    let mut errors = Errors::new();
    check(&input.item, &mut errors);
    errors.finish()?;
    let item = model::items().update(&current, &input.item)?;
    Ok(json_or_redirect(
        req,
        &json!({ "item": Out::from(item) }),
        "/admin/content/items/index",
        "Content item saved",
    ))
}

pub fn delete(req: &Request) -> Reply {
    let item = model::items().load(&input::required_id(req)?)?;
    model::items().remove(&item)?;
    Ok(json_or_redirect(
        req,
        &json!({ "deleted": item.id }),
        "/admin/content/items/index",
        "Content item deleted",
    ))
}

/// The media file `id` (none for 0, a negative id or a deleted file).
fn file(id: i64) -> Option<media::File> {
    u64::try_from(id)
        .ok()
        .filter(|id| *id > 0)
        .and_then(media::get)
}

/// The texts of `locale`, else of the same language, else the first.
fn texts_for<'a>(locales: &'a BTreeMap<String, ItemTexts>, locale: &str) -> Option<&'a ItemTexts> {
    let language = |code: &str| code.split(['_', '-']).next().unwrap_or("").to_owned();
    locales
        .get(locale)
        .or_else(|| {
            locales
                .iter()
                .find(|(c, _)| language(c) == language(locale))
                .map(|(_, t)| t)
        })
        .or_else(|| locales.values().next())
}

/// A product as the catalog shares it (`catalog/products`, read under the grant this section
/// asks for); only what a product list shows.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct CatalogProduct {
    name: String,
    names: BTreeMap<String, String>,
    slug: String,
    slugs: BTreeMap<String, String>,
    status: String,
}

/// The active products of `skus` in that order, each `{sku, name, url}` in `locale`. Unknown
/// or inactive SKUs are left out; without the catalog (or its grant) the list is empty.
fn products(skus: &[String], locale: &str) -> Vec<Value> {
    let catalog = Collection::<CatalogProduct>::new("catalog/products");
    let pick = |texts: &BTreeMap<String, String>, fallback: &str| {
        let language = locale.split(['_', '-']).next().unwrap_or("");
        texts
            .get(locale)
            .or_else(|| texts.get(language))
            .cloned()
            .unwrap_or_else(|| fallback.to_owned())
    };
    skus.iter()
        .filter_map(|sku| {
            let product = catalog.query().eq("sku", sku.as_str()).first().ok()??.data;
            (product.status == "active").then(|| {
                json!({
                    "sku": sku,
                    "name": pick(&product.names, &product.name),
                    "url": format!("/p/{}", url::encode(&pick(&product.slugs, &product.slug))),
                })
            })
        })
        .collect()
}

/// What the template of the item `key` sees in `locale`: `{key, kind, template, …}`; none for
/// an unknown key.
pub fn view(key: &str, locale: &str) -> Option<Value> {
    let item = model::items().query().eq("key", key).first().ok()??.data;
    let texts = texts_for(&item.locales, locale)
        .cloned()
        .unwrap_or_default();
    let image = file(item.image).map(|f| {
        let (medium, width, height) = f
            .variant("medium")
            .map_or((f.url.clone(), f.width, f.height), |v| {
                (v.url.clone(), v.width, v.height)
            });
        let alt = if texts.alt.is_empty() {
            f.alt_for(locale).unwrap_or_default().to_owned()
        } else {
            texts.alt.clone()
        };
        json!({ "url": medium, "original": f.url, "width": width, "height": height, "alt": alt })
    });
    Some(json!({
        "key": item.key,
        "kind": item.kind,
        "template": format!("content/items/{}.html", item.kind),
        "title": texts.title,
        "subtitle": texts.subtitle,
        "click_url": texts.click_url,
        "image": image,
        "skus": item.skus,
        "products": if item.kind == "product-list" { products(&item.skus, locale) } else { Vec::new() },
        "menu": item.menu,
    }))
}

/// `host.usage` for media files: the banners that show the file.
pub fn media_uses(question: &Question) -> Result<Uses, Failure> {
    let mut uses = Uses::default();
    if question.kind != "media" {
        return Ok(uses);
    }
    let Ok(id) = question.code.parse::<i64>() else {
        return Ok(uses);
    };
    let page = model::items()
        .query()
        .eq("image", id)
        .limit(5)
        .count_total()
        .fetch()?;
    uses.add(page, |r| Use {
        label: format!("content item {}", r.data.key),
        href: Some("/admin/content/items/index".into()),
    });
    Ok(uses)
}

/// Placeholders rendered for a template: each rich text split into HTML and items.
pub fn placeholders(
    texts: &BTreeMap<String, String>,
    locale: &str,
) -> BTreeMap<String, Vec<rich::Part>> {
    let mut resolve = |key: &str| view(key, locale);
    texts
        .iter()
        .map(|(name, html)| (name.clone(), rich::parts(html, &mut resolve)))
        .collect()
}
