//! The shop's catalog pages (storefront routes): a category with its filters (facets from the search settings), a
//! product with its variants, and full-text search with paging. Only active products of the
//! storefront's store are shown.

use std::collections::{BTreeMap, BTreeSet};

use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::facets::{Chosen, matches, offered, value_text};
use super::images;
use crate::model::attributes::{self, AttributeData};
use crate::model::categories::{CategoryData, categories};
use crate::model::images::Shown;
use crate::model::labels;
use crate::model::prices;
use crate::model::products::{DEFAULT_CURRENCY, Product, ProductData, products, token};
use crate::model::search_settings;
use crate::model::shop;
use crate::model::stock;
use crate::model::values::{self, DEFAULT_LOCALE};
use crate::model::variants::{self, VariantData, variants};

/// The currency this storefront sells in. The store is the shop's default store
/// ([`shop::default_store`]).
pub const CURRENCY: &str = DEFAULT_CURRENCY;
pub const PAGE_SIZE: u32 = 24;
/// The most products of one category a page filters in memory (facets need the whole set).
pub const CATEGORY_SCAN_MAX: usize = 1000;

pub fn routes(router: Router) -> Router {
    router
        .storefront(Method::Get, "/c/{slug}", category_page)
        .storefront(Method::Get, "/p/{slug}", product_page)
        .storefront(Method::Get, "/search", search_page)
}

/// A product as a shopper sees it: texts in the request's locale (default locale as fallback).
#[derive(Debug, Serialize)]
struct Card {
    id: String,
    sku: String,
    slug: String,
    name: String,
    price: i64,
    /// The product's first image, for listings.
    image: Option<Shown>,
}

fn localized(texts: &BTreeMap<String, String>, locale: &str) -> String {
    texts
        .get(locale)
        .or_else(|| texts.get(DEFAULT_LOCALE))
        .cloned()
        .unwrap_or_default()
}

fn card(p: &Product, locale: &str) -> Card {
    Card {
        id: p.id.clone(),
        sku: p.data.sku.clone(),
        slug: p.data.slugs.get(locale).unwrap_or(&p.data.slug).clone(),
        name: localized(&p.data.names, locale),
        price: p.data.price,
        image: None,
    }
}

/// `cards` with their products' first images (one query and one media call for the page).
fn with_images(mut cards: Vec<Card>, locale: &str) -> Result<Vec<Card>, Failure> {
    let ids: Vec<String> = cards.iter().map(|c| c.id.clone()).collect();
    let mut firsts = images::first_images(&ids, locale)?;
    for card in &mut cards {
        card.image = firsts.remove(&card.id);
    }
    Ok(cards)
}

/// The active products of this store that contain every word of `words`, found by their
/// status and store tokens (see `products::token`) so the full-text index alone answers how
/// many there are.
fn shop_search(words: &str) -> backoffice_sdk::storage::Query<ProductData> {
    let (active, store) = (token('a', "active"), token('s', shop::default_store()));
    products()
        .query()
        .search(format!("{words} {active} {store}"))
}

// ---- category ----

/// One filter of a category page: the values found with their counts (select/text/boolean),
/// or the range of a number attribute, and what the shopper chose.
#[derive(Debug, Serialize)]
struct Facet {
    key: String,
    label: String,
    filter: String,
    values: Vec<FacetValue>,
    min: Option<f64>,
    max: Option<f64>,
    chosen_min: Option<f64>,
    chosen_max: Option<f64>,
}

#[derive(Debug, Serialize)]
struct FacetValue {
    value: String,
    label: String,
    count: usize,
    chosen: bool,
}

#[derive(Debug, Serialize)]
struct CategoryContext {
    category: CategoryView,
    products: Vec<Card>,
    facets: Vec<Facet>,
    total: usize,
    page: usize,
    pages: usize,
    /// The query string of the chosen filters, for paging links.
    filter_query: String,
}

#[derive(Debug, Serialize)]
struct CategoryView {
    id: String,
    name: String,
    slug: String,
}

/// What a shopper chose: `f.<key>=value` (repeated for multi), `f.<key>.min`, `f.<key>.max`.
fn value_label(a: &AttributeData, value: &str, locale: &str) -> String {
    a.value_labels
        .get(value)
        .map(|texts| localized(texts, locale))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| value.to_owned())
}

fn category_page(req: &Request) -> Reply {
    let slug = input::query(req, "slug").unwrap_or_default().to_owned();
    let not_found = || Failure::not_found(format!("There is no category {slug}."));
    let category = categories()
        .query()
        .eq("slug", slug.as_str())
        .eq("active", true)
        .first()?
        .ok_or_else(not_found)?;
    if !category.data.clickable {
        return Err(not_found());
    }
    let locale = services::locale();
    let facet_defs = search_settings::facets()?;
    let chosen = Chosen::from_request(req, &facet_defs)?;
    let page: usize = match input::query(req, "page") {
        None => 1,
        Some(t) => t
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| Failure::bad_request("page must be a positive number"))?,
    };

    let mut found = shop_search(&token('c', &category.id))
        .sort("name")
        .limit(CATEGORY_SCAN_MAX as u32)
        .fetch()?
        .records;
    found.sort_by_key(|p| {
        category
            .data
            .positions
            .get(&p.id)
            .copied()
            .unwrap_or(i64::MAX)
    });
    let all_variants = variants_of(&found)?;
    let today = values::today();
    let offers: Vec<BTreeMap<String, Vec<Value>>> = found
        .iter()
        .map(|p| {
            let vs: Vec<&VariantData> = all_variants
                .get(&p.id)
                .map(|list| {
                    list.iter()
                        .filter(|v| variants::is_valid_on(v, &today))
                        .collect()
                })
                .unwrap_or_default();
            offered(&p.data, &vs)
        })
        .collect();

    let facets = facet_defs
        .iter()
        .map(|(setting, attribute)| {
            // Counts follow the other filters, not this one (so a shopper sees alternatives).
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            let (mut min, mut max) = (None::<f64>, None::<f64>);
            for offer in offers
                .iter()
                .filter(|o| matches(o, &chosen, Some(&setting.key)))
            {
                let Some(values) = offer.get(&setting.key) else {
                    continue;
                };
                let distinct: BTreeSet<String> = values.iter().filter_map(value_text).collect();
                for v in distinct {
                    *counts.entry(v).or_default() += 1;
                }
                for x in values.iter().filter_map(Value::as_f64) {
                    min = Some(min.map_or(x, |m: f64| m.min(x)));
                    max = Some(max.map_or(x, |m: f64| m.max(x)));
                }
            }
            let wanted = chosen.values.get(&setting.key);
            let range = chosen.ranges.get(&setting.key);
            Facet {
                key: setting.key.clone(),
                label: Some(localized(&attribute.data.labels, &locale))
                    .filter(|l| !l.is_empty())
                    .unwrap_or_else(|| setting.key.clone()),
                filter: setting.filter.clone(),
                values: counts
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        label: value_label(&attribute.data, &value, &locale),
                        chosen: wanted.is_some_and(|w| w.contains(&value)),
                        value,
                        count,
                    })
                    .collect(),
                min,
                max,
                chosen_min: range.and_then(|r| r.0),
                chosen_max: range.and_then(|r| r.1),
            }
        })
        .collect();

    let shown: Vec<&Product> = found
        .iter()
        .zip(&offers)
        .filter(|(_, o)| matches(o, &chosen, None))
        .map(|(p, _)| p)
        .collect();
    let total = shown.len();
    let pages = total.div_ceil(PAGE_SIZE as usize).max(1);
    let products = shown
        .into_iter()
        .skip((page - 1) * PAGE_SIZE as usize)
        .take(PAGE_SIZE as usize)
        .map(|p| card(p, &locale))
        .collect();
    let products = with_images(products, &locale)?;
    let title = localized(&category.data.names, &locale);
    let ctx = CategoryContext {
        category: CategoryView {
            id: category.id,
            name: title.clone(),
            slug: category.data.slug,
        },
        products,
        facets,
        total,
        page,
        pages,
        filter_query: chosen.query_string(),
    };
    Ok(view_or_json(req, "storefront/category.html", &title, &ctx))
}

/// The variants of `products`, by abstract id, in a few `in` queries instead of one per product.
fn variants_of(products: &[Product]) -> Result<BTreeMap<String, Vec<VariantData>>, Failure> {
    let mut out: BTreeMap<String, Vec<VariantData>> = BTreeMap::new();
    for chunk in products.chunks(200) {
        let ids: Vec<Value> = chunk.iter().map(|p| Value::from(p.id.clone())).collect();
        let mut after: Option<String> = None;
        loop {
            let mut query = variants()
                .query()
                .filter("abstract_id", Op::InList, Value::Array(ids.clone()))
                .limit(1000);
            if let Some(cursor) = &after {
                query = query.after(cursor.as_str());
            }
            let page = query.fetch()?;
            for v in page.records {
                out.entry(v.data.abstract_id.clone())
                    .or_default()
                    .push(v.data);
            }
            match page.next_cursor {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Ok(out)
}

// ---- product ----

#[derive(Debug, Serialize)]
struct ProductPage {
    product: Card,
    /// What is bought: the variants on sale, or the product itself when it has none.
    offers: Vec<Offer>,
    labels: Vec<String>,
    description: String,
    meta_title: String,
    meta_description: String,
    attributes: Vec<(String, String)>,
    variants: Vec<VariantView>,
    categories: Vec<CategoryView>,
    /// The product's images, then its shown variants' others, in order.
    images: Vec<Shown>,
}

/// A sellable SKU with its price (volume tiers resolved for one item) and availability.
#[derive(Debug, Serialize)]
struct Offer {
    sku: String,
    name: String,
    /// Gross unit price in cents; none when the SKU has no price in the shop's currency.
    price: Option<i64>,
    original_price: Option<i64>,
    available: i64,
    in_stock: bool,
}

fn offer(sku: &str, name: String) -> Result<Offer, Failure> {
    let resolved = prices::resolve(sku, CURRENCY, 1)?;
    let availability = stock::availability_of(sku)?;
    Ok(Offer {
        sku: sku.to_owned(),
        name,
        price: resolved.as_ref().map(|r| r.unit.gross),
        original_price: resolved.and_then(|r| r.original).map(|p| p.gross),
        available: availability.available,
        in_stock: availability.never_out_of_stock || availability.available > 0,
    })
}

#[derive(Debug, Serialize)]
struct VariantView {
    sku: String,
    name: String,
    attributes: Vec<(String, String)>,
}

/// Attribute values with their labels in `locale`, keys in order.
fn labelled(
    values: &BTreeMap<String, Value>,
    locale: &str,
) -> Result<Vec<(String, String)>, Failure> {
    let mut out = Vec::new();
    for (key, value) in values {
        let Some(text) = value_text(value) else {
            continue;
        };
        let (label, shown) = match attributes::by_key(key)? {
            Some(a) => (
                Some(localized(&a.data.labels, locale))
                    .filter(|l| !l.is_empty())
                    .unwrap_or_else(|| key.clone()),
                value_label(&a.data, &text, locale),
            ),
            None => (key.clone(), text),
        };
        out.push((label, shown));
    }
    Ok(out)
}

fn product_page(req: &Request) -> Reply {
    let slug = input::query(req, "slug").unwrap_or_default().to_owned();
    let not_found = || Failure::not_found(format!("There is no product {slug}."));
    let product = products()
        .query()
        .eq("status", "active")
        .eq("slug", slug.as_str())
        .first()?
        .filter(|p| p.data.stores.iter().any(|s| s == shop::default_store()))
        .ok_or_else(not_found)?;
    let locale = services::locale();
    let today = values::today();
    let mut variant_views = Vec::new();
    let mut variant_ids = Vec::new();
    let mut offers = Vec::new();
    let all_variants = variants::of_product(&product.id)?;
    for v in all_variants
        .iter()
        .filter(|v| variants::is_valid_on(&v.data, &today))
    {
        let name = Some(localized(&v.data.names, &locale))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| v.data.name.clone());
        offers.push(offer(&v.data.sku, name.clone())?);
        variant_ids.push(v.id.clone());
        variant_views.push(VariantView {
            name,
            attributes: labelled(&v.data.attributes, &locale)?,
            sku: v.data.sku.clone(),
        });
    }
    if all_variants.is_empty() {
        offers.push(offer(
            &product.data.sku,
            localized(&product.data.names, &locale),
        )?);
    }
    let labels = labels::visible_for(&product.data, &today)?
        .into_iter()
        .map(|l| {
            Some(localized(&l.data.texts, &locale))
                .filter(|t| !t.is_empty())
                .unwrap_or(l.data.name)
        })
        .collect();
    let mut category_views = Vec::new();
    for id in &product.data.category_ids {
        if let Some(c) = categories().find(id)?
            && c.data.active
            && c.data.clickable
        {
            category_views.push(category_view(c.id, &c.data, &locale));
        }
    }
    let ctx = ProductPage {
        product: card(&product, &locale),
        offers,
        labels,
        description: localized(&product.data.description, &locale),
        meta_title: localized(&product.data.meta_title, &locale),
        meta_description: localized(&product.data.meta_description, &locale),
        attributes: labelled(&product.data.attributes, &locale)?,
        variants: variant_views,
        categories: category_views,
        images: images::of_product_page(&product.id, &variant_ids, &locale)?,
    };
    let title = ctx.product.name.clone();
    Ok(view_or_json(req, "storefront/product.html", &title, &ctx))
}

fn category_view(id: String, c: &CategoryData, locale: &str) -> CategoryView {
    CategoryView {
        id,
        name: localized(&c.names, locale),
        slug: c.slug.clone(),
    }
}

// ---- search ----

#[derive(Debug, Serialize)]
struct SearchContext {
    q: String,
    /// Active, searchable categories whose name matches.
    categories: Vec<CategoryView>,
    products: Vec<Card>,
    total: Option<u64>,
    next: Option<String>,
}

fn search_page(req: &Request) -> Reply {
    let q = input::query(req, "q").unwrap_or_default().to_owned();
    let locale = services::locale();
    let mut ctx = SearchContext {
        q: q.clone(),
        categories: Vec::new(),
        products: Vec::new(),
        total: None,
        next: None,
    };
    if !q.is_empty() {
        let mut query = shop_search(&q).sort("name").limit(PAGE_SIZE).count_total();
        if let Some(after) = input::query(req, "after") {
            query = query.after(after);
        }
        let page = query.fetch()?;
        let cards = page.records.iter().map(|p| card(p, &locale)).collect();
        ctx.products = with_images(cards, &locale)?;
        ctx.total = page.total;
        ctx.next = page.next_cursor;
        ctx.categories = categories()
            .query()
            .eq("active", true)
            .eq("searchable", true)
            .search(q.as_str())
            .sort("name")
            .limit(10)
            .fetch()?
            .records
            .into_iter()
            .map(|c| category_view(c.id, &c.data, &locale))
            .collect();
    }
    Ok(view_or_json(req, "storefront/search.html", "Search", &ctx))
}
