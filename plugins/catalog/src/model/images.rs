//! Image sets of products and variants: ordered ids of files in the host's media library (WIT
//! `media`; the catalog stores ids only, never URLs or alt texts). `product_images` holds one
//! record per (owner, position), indexed by owner and by media id, so an owner's set is one
//! query in order, a page of products gets its first images in one `in` query, and "which
//! products use file X" (the `host.usage` answer) is one indexed query too.

use std::collections::BTreeMap;

use backoffice_sdk::media;
use backoffice_sdk::prelude::*;
use backoffice_sdk::url::encode;
use backoffice_sdk::usage::{Use, Uses};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most images one product or variant has.
pub const MAX_IMAGES: usize = 20;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageLink {
    /// `product:<id>` or `variant:<id>` (see [`Owner`]).
    pub owner: String,
    /// The abstract product the owner is or belongs to: what a use is reported as.
    pub product_id: String,
    pub media_id: i64,
    pub position: i64,
}

fn links() -> Collection<ImageLink> {
    Collection::new("product_images")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("product_images")
        .field(Field::text("owner").indexed())
        .field(Field::integer("media_id").indexed())
        .field(Field::integer("position").indexed())
}

/// Whose images: a product's or a variant's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    Product(&'a str),
    Variant(&'a str),
}

impl Owner<'_> {
    pub fn key(self) -> String {
        match self {
            Owner::Product(id) => format!("product:{id}"),
            Owner::Variant(id) => format!("variant:{id}"),
        }
    }
}

/// The media ids of `owner`, in order.
pub fn ids_of(owner: Owner) -> Result<Vec<i64>, Failure> {
    let found = links()
        .query()
        .eq("owner", owner.key())
        .sort("position")
        .fetch_all()?;
    Ok(found.into_iter().map(|l| l.data.media_id).collect())
}

/// The first media id of each owner of `owners` that has images, in one query per 200.
pub fn first_ids(owners: &[String]) -> Result<BTreeMap<String, i64>, Failure> {
    let mut out = BTreeMap::new();
    for chunk in owners.chunks(200) {
        let keys: Vec<Value> = chunk.iter().map(|o| Value::from(o.clone())).collect();
        let found = links()
            .query()
            .filter("owner", Op::InList, Value::Array(keys))
            .eq("position", 0)
            .fetch_all()?;
        for link in found {
            out.insert(link.data.owner, link.data.media_id);
        }
    }
    Ok(out)
}

/// Replaces the images of `owner` (of product `product_id`) with `ids`, in that order. Every
/// id must be a file of the media library; at most [`MAX_IMAGES`], none twice (422 naming the
/// problem).
pub fn set(owner: Owner, product_id: &str, ids: &[i64]) -> Result<(), Failure> {
    if ids.len() > MAX_IMAGES {
        return Err(Failure::unprocessable(format!(
            "image_ids: at most {MAX_IMAGES} images"
        )));
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(Failure::unprocessable(format!(
                "image_ids: image {id} is listed twice"
            )));
        }
    }
    let wanted: Vec<u64> = ids.iter().map(|id| *id as u64).collect();
    let found = media::get_many(&wanted);
    if let Some(missing) = ids
        .iter()
        .find(|id| !found.iter().any(|f| f.id == **id as u64))
    {
        return Err(Failure::unprocessable(format!(
            "image_ids: there is no image {missing} in the media library"
        )));
    }
    let key = owner.key();
    for old in links().query().eq("owner", key.as_str()).fetch_all()? {
        links().delete(&old.id)?;
    }
    for (position, id) in ids.iter().enumerate() {
        let link = ImageLink {
            owner: key.clone(),
            product_id: product_id.to_owned(),
            media_id: *id,
            position: position as i64,
        };
        links().put(&format!("{key}~{position}"), &link)?;
    }
    Ok(())
}

/// Uses listed (the rest are counted).
const USES_SHOWN: usize = 5;

/// Adds to `uses` the products whose images (or whose variants' images) include the media
/// file `code` (its id as text): the catalog's `host.usage` answer for kind `media`.
pub fn add_uses(uses: &mut Uses, code: &str) -> Result<(), Failure> {
    let Ok(media_id) = code.parse::<i64>() else {
        return Ok(());
    };
    let mut products: Vec<String> = Vec::new();
    for link in links().query().eq("media_id", media_id).fetch_all()? {
        if !products.contains(&link.data.product_id) {
            products.push(link.data.product_id);
        }
    }
    uses.total += products.len() as u64;
    for id in products.iter().take(USES_SHOWN) {
        let label = match super::products::products().find(id)? {
            Some(p) => format!("product {}", p.data.sku),
            None => format!("product {id}"),
        };
        uses.uses.push(Use {
            label,
            href: Some(format!("/admin/catalog/products/show?id={}", encode(id))),
        });
    }
    Ok(())
}

/// The ids of a form's or JSON body's `image_ids`: a JSON array of numbers (or of their
/// texts), or text with the ids separated by commas or spaces (`3, 5 7`), in order.
pub fn parse_ids(value: Option<&Value>) -> Result<Vec<i64>, Failure> {
    let bad =
        |item: &str| Failure::unprocessable(format!("image_ids: {item:?} is not an image id"));
    let parse = |text: &str| text.trim().parse::<i64>().ok().filter(|id| *id > 0);
    let mut ids = Vec::new();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let id = match item {
                    Value::Number(n) => n.as_i64().filter(|id| *id > 0),
                    Value::String(s) => parse(s),
                    _ => None,
                };
                ids.push(id.ok_or_else(|| bad(&item.to_string()))?);
            }
        }
        Some(Value::String(text)) => {
            for item in text
                .split([',', ' ', '\n', '\r', '\t'])
                .filter(|s| !s.trim().is_empty())
            {
                ids.push(parse(item).ok_or_else(|| bad(item))?);
            }
        }
        Some(other) => return Err(bad(&other.to_string())),
    }
    Ok(ids)
}

/// An image as pages show it: its URLs and the alt text for the request's locale.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub id: u64,
    pub name: String,
    pub alt: String,
    pub url: String,
    pub thumb: String,
    pub medium: String,
    pub large: String,
    pub width: u32,
    pub height: u32,
}

impl Shown {
    pub fn of(file: &media::File, locale: &str) -> Shown {
        let url = |name: &str| {
            file.variant(name)
                .map(|v| v.url.clone())
                .unwrap_or_else(|| file.url.clone())
        };
        Shown {
            id: file.id,
            name: file.name.clone(),
            alt: file.alt_for(locale).unwrap_or_default().to_owned(),
            url: file.url.clone(),
            thumb: url("thumb"),
            medium: url("medium"),
            large: url("large"),
            width: file.width,
            height: file.height,
        }
    }
}

/// The files of `ids` that still exist, in order, as shown in `locale` (a file deleted from
/// the library is left out; deleting one a product uses is refused, so this is rare).
pub fn shown(ids: &[i64], locale: &str) -> Vec<Shown> {
    let wanted: Vec<u64> = ids.iter().map(|id| *id as u64).collect();
    media::get_many(&wanted)
        .iter()
        .map(|f| Shown::of(f, locale))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_ids;
    use serde_json::json;

    #[test]
    fn ids_come_as_lists_or_text() {
        assert_eq!(parse_ids(Some(&json!([3, "5"]))).unwrap(), vec![3, 5]);
        assert_eq!(parse_ids(Some(&json!("3, 5 7"))).unwrap(), vec![3, 5, 7]);
        assert_eq!(parse_ids(Some(&json!(""))).unwrap(), Vec::<i64>::new());
        assert_eq!(parse_ids(None).unwrap(), Vec::<i64>::new());
        assert_eq!(parse_ids(Some(&json!("3, x"))).unwrap_err().status, 422);
        assert_eq!(parse_ids(Some(&json!([0]))).unwrap_err().status, 422);
    }
}
