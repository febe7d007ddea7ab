//! Abstract products as stored: the record, its collection, the reads others need (by id, by
//! SKU, by category) and its full-text `search_text`. The rules a create or edit follows are
//! in `product_input`.
//!
//! Filters on many-valued properties (categories, labels, stores) use the full-text index: a
//! product's `search_text` carries one opaque token per category, label and store (see
//! [`token`]), so "in category X, sorted by price" stays one indexed query at 100k products
//! without a join table the storage API does not have. It also carries a token of its status:
//! the storefront asks for "active" that way, so the full-text index alone counts a search's
//! matches (through the table, a common word's 5,000 matches cost 8 ms to count).

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::search_settings;
use super::values;
use super::variants::{self, Variant};

/// The currency whose gross price is copied into the indexed `price` field.
pub const DEFAULT_CURRENCY: &str = "EUR";
pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const SKU_MAX: usize = 64;
pub const STATUSES: &[&str] = &["active", "inactive"];
pub const META_TITLE_MAX: usize = 200;
pub const META_DESCRIPTION_MAX: usize = 1000;

/// A price in cents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub gross: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<i64>,
}

/// A product as stored in `products`. `name` and `price` are indexed copies of
/// `names[DEFAULT_LOCALE]` and `prices[DEFAULT_CURRENCY].gross`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductData {
    pub sku: String,
    pub name: String,
    pub names: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    pub status: String,
    pub price: i64,
    pub prices: BTreeMap<String, Price>,
    pub category_ids: Vec<String>,
    pub tax_class: String,
    /// Non-super attribute values of the abstract product (`{"material": "cotton"}`).
    pub attributes: BTreeMap<String, Value>,
    pub meta_title: BTreeMap<String, String>,
    pub meta_description: BTreeMap<String, String>,
    /// URL slug per locale; `slug` is the default locale's (unique: the storefront's `/p/{slug}`).
    pub slugs: BTreeMap<String, String>,
    pub slug: String,
    pub stores: Vec<String>,
    /// What full-text search finds besides `sku` and `name`: every locale's name, the variants'
    /// SKUs, full-text attribute values, and the filter tokens (see the module docs).
    pub search_text: String,
    /// Labels on the product; written only through `links`.
    pub label_ids: Vec<String>,
    /// Option groups offered with the product; written only through `links`.
    pub option_group_ids: Vec<String>,
    /// UTC unix seconds of the last write by this plugin.
    pub updated: i64,
}

pub type Product = Record<ProductData>;

/// Products; a duplicate SKU or slug is a 409 naming it.
pub fn products() -> Resource<ProductData> {
    Resource::new("products", "product")
        .unique("sku", "SKU {sku} already exists")
        .unique("slug", "slug {slug} already exists")
        .describe("{sku}")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("products")
        .field(Field::text("sku").unique().searchable())
        .field(Field::text("name").indexed().searchable())
        .field(Field::text("status").indexed())
        .field(Field::integer("price").indexed())
        .field(Field::integer("updated").indexed())
        .field(Field::text("slug").unique())
        .field(Field::text("search_text").searchable())
        // Filterable, not indexed: only `host.usage` looks products up by tax set.
        .field(Field::text("tax_class"))
        .shared()
}

/// The abstract product with `sku`, if any.
pub fn by_sku(sku: &str) -> Result<Option<Product>, Failure> {
    Ok(products().query().eq("sku", sku).first()?)
}

/// 1–64 of `A–Z a–z 0–9 . _ -`.
pub fn check_sku(sku: &str) -> Result<(), Failure> {
    if sku.is_empty() {
        return Err(Failure::unprocessable("sku is required"));
    }
    let ok = sku.len() <= SKU_MAX
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Failure::unprocessable(
            "sku must be 1 to 64 characters: letters, digits, '.', '_' or '-'",
        ))
    }
}

/// The search word standing for "has `value` of `kind`" (`a` status, `c` category, `l` label,
/// `s` store):
/// letters and digits only, so the tokenizer keeps it whole, and unlike any real word.
pub fn token(kind: char, value: &str) -> String {
    let mut out = format!("zz{kind}");
    for b in value.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The `search_text` of a product: see [`ProductData::search_text`].
pub fn search_text(data: &ProductData, variants: &[Variant], full_text: &[String]) -> String {
    let attribute_text = |attrs: &BTreeMap<String, Value>| -> Vec<String> {
        full_text
            .iter()
            .filter_map(|key| match attrs.get(key) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(v @ Value::Number(_)) => Some(v.to_string()),
                _ => None,
            })
            .collect()
    };
    let mut words: Vec<String> = data.names.values().cloned().collect();
    words.extend(attribute_text(&data.attributes));
    for v in variants {
        words.push(v.data.sku.clone());
        words.extend(attribute_text(&v.data.attributes));
    }
    words.extend(data.category_ids.iter().map(|c| token('c', c)));
    words.extend(data.label_ids.iter().map(|l| token('l', l)));
    words.extend(data.stores.iter().map(|s| token('s', s)));
    words.push(token('a', &data.status));
    words.join(" ")
}

/// The attribute keys whose values full-text search finds. Read once per call: every call
/// runs in a fresh instance, so this cache lives exactly as long as one request (an import of
/// thousands of rows asks once), and no action both changes the settings and indexes.
pub fn full_text_keys() -> Result<Vec<String>, Failure> {
    thread_local! {
        static KEYS: std::cell::OnceCell<Vec<String>> = const { std::cell::OnceCell::new() };
    }
    if let Some(keys) = KEYS.with(|k| k.get().cloned()) {
        return Ok(keys);
    }
    let keys: Vec<String> = search_settings::all()?
        .into_values()
        .filter(|s| s.full_text)
        .map(|s| s.key)
        .collect();
    KEYS.with(|k| {
        let _ = k.set(keys.clone());
    });
    Ok(keys)
}

/// The `search_text` of a product with these variants (by SKU), under the current search
/// settings.
pub fn search_text_of(data: &ProductData, variants: &[Variant]) -> Result<String, Failure> {
    Ok(search_text(data, variants, &full_text_keys()?))
}

/// Brings the `search_text` of product `id` up to date (after a variant changed).
pub fn reindex(id: &str) -> Result<(), Failure> {
    let product = products().load(id)?;
    let text = search_text_of(&product.data, &variants::of_product(id)?)?;
    if text != product.data.search_text {
        products().patch(id, &serde_json::json!({ "search_text": text }))?;
    }
    Ok(())
}

/// Reindexes up to `limit` products after the cursor `after`; answers how many were looked
/// at and the next cursor (none at the end).
pub fn reindex_page(after: Option<&str>, limit: u32) -> Result<(u64, Option<String>), Failure> {
    let keys = full_text_keys()?;
    let mut query = products().query().limit(limit);
    if let Some(after) = after {
        query = query.after(after);
    }
    let page = query.fetch()?;
    let mut seen = 0;
    for p in page.records {
        let text = search_text(&p.data, &variants::of_product(&p.id)?, &keys);
        if text != p.data.search_text {
            products().patch(&p.id, &serde_json::json!({ "search_text": text }))?;
        }
        seen += 1;
    }
    Ok((seen, page.next_cursor))
}

/// Sets the product's status (activate, deactivate) with its search text; `None` when it
/// already has that status. Audited as `product.<status>`.
pub fn set_status(current: &Product, status: &str) -> Result<Option<Product>, Failure> {
    if current.data.status == status {
        return Ok(None);
    }
    let mut data = current.data.clone();
    data.status = status.into();
    data.search_text = search_text_of(&data, &variants::of_product(&current.id)?)?;
    data.updated = values::now();
    products().change(status, current, &data).map(Some)
}

/// The products of a category (the first 1000 by name): for its admin page of positions.
pub fn in_category(category: &str) -> Result<Vec<Product>, Failure> {
    Ok(products()
        .query()
        .search(token('c', category))
        .sort("name")
        .limit(1000)
        .fetch()?
        .records)
}

/// Removes `category` from every product that has it; returns how many changed. Finds them
/// through the category's search token.
pub fn remove_category(category: &str) -> Result<u64, Failure> {
    let keys = full_text_keys()?;
    let mut changed = 0;
    loop {
        // A product leaves the search once its token is gone, so the first page is the next.
        let page = products()
            .query()
            .search(token('c', category))
            .limit(500)
            .fetch()?;
        if page.records.is_empty() {
            return Ok(changed);
        }
        for p in page.records {
            let mut data = p.data;
            data.category_ids.retain(|c| c != category);
            data.search_text = search_text(&data, &variants::of_product(&p.id)?, &keys);
            let changes = serde_json::json!({
                "category_ids": data.category_ids,
                "search_text": data.search_text,
            });
            products().patch(&p.id, &changes)?;
            changed += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_rules() {
        assert!(check_sku("ABC-1_x.2").is_ok());
        assert_eq!(check_sku("").unwrap_err().message, "sku is required");
        assert_eq!(check_sku("a b").unwrap_err().status, 422);
        assert!(check_sku(&"a".repeat(64)).is_ok());
        assert!(check_sku(&"a".repeat(65)).is_err());
    }

    #[test]
    fn filter_tokens_are_single_words() {
        assert_eq!(token('c', "c1"), "zzc6331");
        let data = ProductData {
            names: BTreeMap::from([("en".into(), "Shoe".into())]),
            category_ids: vec!["c1".into()],
            stores: vec!["DE".into()],
            status: "active".into(),
            ..ProductData::default()
        };
        assert_eq!(
            search_text(&data, &[], &[]),
            format!("Shoe zzc6331 {} {}", token('s', "DE"), token('a', "active"))
        );
    }
}
