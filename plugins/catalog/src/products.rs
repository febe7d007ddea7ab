//! Abstract products: list (search, filters, sort, keyset paging), show, create, edit with an
//! optimistic version, activate and deactivate.
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

use crate::attributes;
use crate::categories::{self, categories};
use crate::input::{self, DEFAULT_LOCALE, FORM_LOCALES};
use crate::reads::{Live, Reads};
use crate::search_settings;
use crate::skus;
use crate::variants::{self, VariantOut};

/// The currency whose gross price is copied into the indexed `price` field.
pub const DEFAULT_CURRENCY: &str = "EUR";
pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const SKU_MAX: usize = 64;
pub const STATUSES: &[&str] = &["active", "inactive"];
pub const TAX_CLASSES: &[&str] = &["standard", "reduced", "zero"];
/// The stores a product can be sold in.
pub const STORES: &[&str] = &["DE", "AT"];
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
    /// Labels on the product; written only through `labels` (see `links`).
    pub label_ids: Vec<String>,
    /// Option groups offered with the product; written only through `options` (see `links`).
    pub option_group_ids: Vec<String>,
    /// UTC unix seconds of the last write by this plugin.
    pub updated: i64,
}

pub type Product = Record<ProductData>;

/// A product as answered: the stored fields plus `id` and `version`.
#[derive(Debug, Serialize)]
pub struct ProductOut {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub data: ProductData,
}

impl From<Product> for ProductOut {
    fn from(p: Product) -> Self {
        ProductOut {
            id: p.id,
            version: p.version,
            data: p.data,
        }
    }
}

pub fn products() -> Collection<ProductData> {
    Collection::new("products")
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
        .shared()
}

pub fn routes(router: Router) -> Router {
    router
        .get("products", "index", index)
        .get("products", "show", show)
        .get("products", "create", new_form)
        .post("products", "create", create)
        .get("products", "edit", edit_form)
        .post("products", "edit", update)
        .post("products", "activate", activate)
        .post("products", "deactivate", deactivate)
}

fn show_path(id: &str) -> String {
    format!(
        "/admin/catalog/products/show?id={}",
        input::encode_component(id)
    )
}

pub fn load(id: &str) -> Result<Product, Failure> {
    input::load(&products(), "product", id)
}

/// Writes go through here so a duplicate SKU or slug reads as such.
fn storage_error(e: StorageError, data: &ProductData) -> Failure {
    match e {
        StorageError::UniqueViolation(field) if field == "sku" => {
            Failure::conflict(format!("SKU {} already exists", data.sku))
        }
        StorageError::UniqueViolation(field) if field == "slug" => {
            Failure::conflict(format!("slug {} already exists", data.slug))
        }
        e => e.into(),
    }
}

/// The abstract product with `sku`, if any.
pub fn by_sku(sku: &str) -> Result<Option<Product>, Failure> {
    Ok(products()
        .query()
        .eq("sku", sku)
        .limit(1)
        .fetch()?
        .records
        .into_iter()
        .next())
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
fn search_text(data: &ProductData, variants: &[variants::Variant], full_text: &[String]) -> String {
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
fn full_text_keys() -> Result<Vec<String>, Failure> {
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
pub fn search_text_of(
    data: &ProductData,
    variants: &[variants::Variant],
) -> Result<String, Failure> {
    Ok(search_text(data, variants, &full_text_keys()?))
}

/// Brings the `search_text` of product `id` up to date (after a variant changed).
pub fn reindex(id: &str) -> Result<(), Failure> {
    let product = load(id)?;
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

// ---- index ----

#[derive(Debug, Serialize)]
struct IndexContext {
    products: Vec<ProductOut>,
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    label: Option<String>,
    store: Option<String>,
    stores: &'static [&'static str],
    categories: Vec<categories::TreeItem>,
    sort: &'static str,
    dir: &'static str,
    limit: u32,
    next: Option<String>,
    total: Option<u64>,
}

fn index(req: &Request) -> Reply {
    let q = input::query(req, "q").map(str::to_owned);
    let status = match input::query(req, "status") {
        None => None,
        Some(s) if STATUSES.contains(&s) => Some(s.to_owned()),
        Some(_) => return Err(Failure::bad_request("status must be active or inactive")),
    };
    let sort = match input::query(req, "sort").unwrap_or("name") {
        "name" => "name",
        "price" => "price",
        "sku" => "sku",
        "updated" => "updated",
        _ => {
            return Err(Failure::bad_request(
                "sort must be one of name, price, sku, updated",
            ));
        }
    };
    let dir = match input::query(req, "dir").unwrap_or("asc") {
        "asc" => "asc",
        "desc" => "desc",
        _ => return Err(Failure::bad_request("dir must be asc or desc")),
    };
    let limit = input::limit(req)?;
    let mut query = products().query().limit(limit).count_total();
    query = if dir == "desc" {
        query.sort_desc(sort)
    } else {
        query.sort(sort)
    };
    if let Some(status) = &status {
        query = query.eq("status", status.as_str());
    }
    let category = input::query(req, "category").map(str::to_owned);
    let label = input::query(req, "label").map(str::to_owned);
    let store = match input::query(req, "store") {
        None => None,
        Some(s) if STORES.contains(&s) => Some(s.to_owned()),
        Some(_) => {
            return Err(Failure::bad_request(format!(
                "store must be one of {}",
                STORES.join(", ")
            )));
        }
    };
    let mut words: Vec<String> = q.iter().cloned().collect();
    words.extend(category.iter().map(|c| token('c', c)));
    words.extend(label.iter().map(|l| token('l', l)));
    words.extend(store.iter().map(|s| token('s', s)));
    if !words.is_empty() {
        query = query.search(words.join(" "));
    }
    if let Some(after) = input::query(req, "after") {
        query = query.after(after);
    }
    let page = query.fetch()?;
    let ctx = IndexContext {
        products: page.records.into_iter().map(ProductOut::from).collect(),
        q,
        status,
        category,
        label,
        store,
        stores: STORES,
        categories: if req.wants_json {
            Vec::new()
        } else {
            categories::tree()?
        },
        sort,
        dir,
        limit,
        next: page.next_cursor,
        total: page.total,
    };
    Ok(view_or_json(req, "products/index.html", "Products", &ctx))
}

// ---- show ----

#[derive(Debug, Serialize)]
struct ShowContext {
    product: ProductOut,
    categories: Vec<CategoryRef>,
    variants: Vec<VariantOut>,
}

#[derive(Debug, Serialize)]
struct CategoryRef {
    id: String,
    name: String,
}

fn show(req: &Request) -> Reply {
    let product = load(&input::required_id(req)?)?;
    let mut refs = Vec::new();
    for id in &product.data.category_ids {
        if let Some(c) = categories().find(id)? {
            refs.push(CategoryRef {
                id: c.id,
                name: c.data.name,
            });
        }
    }
    let title = product.data.name.clone();
    let variants = variants::of_product(&product.id)?
        .into_iter()
        .map(VariantOut::from)
        .collect();
    let ctx = ShowContext {
        product: product.into(),
        categories: refs,
        variants,
    };
    Ok(view_or_json(req, "products/show.html", &title, &ctx))
}

// ---- create / edit ----

#[derive(Debug, Serialize)]
struct FormContext {
    product: Option<ProductOut>,
    action: &'static str,
    locales: &'static [&'static str],
    statuses: &'static [&'static str],
    tax_classes: &'static [&'static str],
    stores: &'static [&'static str],
    categories: Vec<categories::TreeItem>,
    /// The attributes an abstract product can carry (super attributes belong to variants).
    attributes: Vec<attributes::AttributeOut>,
}

fn form_context(product: Option<ProductOut>, action: &'static str) -> Result<FormContext, Failure> {
    Ok(FormContext {
        product,
        action,
        locales: FORM_LOCALES,
        statuses: STATUSES,
        tax_classes: TAX_CLASSES,
        stores: STORES,
        categories: categories::tree()?,
        attributes: attributes::for_form(false)?,
    })
}

fn new_form(req: &Request) -> Reply {
    let ctx = form_context(None, "create")?;
    Ok(view_or_json(req, "products/form.html", "New product", &ctx))
}

fn edit_form(req: &Request) -> Reply {
    let product = load(&input::required_id(req)?)?;
    let ctx = form_context(Some(product.into()), "edit")?;
    Ok(view_or_json(
        req,
        "products/form.html",
        "Edit product",
        &ctx,
    ))
}

/// What a create or edit sends. `None` keeps the stored value (edit) or means "not given"
/// (create). A form always sends every field it shows.
#[derive(Debug, Default)]
pub struct ProductInput {
    sku: Option<String>,
    names: Option<BTreeMap<String, String>>,
    description: Option<BTreeMap<String, String>>,
    status: Option<String>,
    price: Option<i64>,
    price_net: Option<Option<i64>>,
    category_ids: Option<Vec<String>>,
    tax_class: Option<String>,
    attributes: Option<BTreeMap<String, Value>>,
    meta_title: Option<BTreeMap<String, String>>,
    meta_description: Option<BTreeMap<String, String>>,
    slugs: Option<BTreeMap<String, String>>,
    stores: Option<Vec<String>>,
}

impl ProductInput {
    pub fn from_request(req: &Request) -> Result<Self, Failure> {
        match &req.body {
            Some(text) => Self::from_json(text),
            None => Self::from_form(req),
        }
    }

    fn from_json(text: &str) -> Result<Self, Failure> {
        Self::from_object(&input::json_object(text)?)
    }

    /// The input a JSON object describes (also what a CSV row is turned into).
    pub fn from_object(object: &serde_json::Map<String, Value>) -> Result<Self, Failure> {
        let category_ids = input::json_strings(object, "category_ids", "category ids")?;
        let price_net = if object.contains_key("price_net") {
            Some(input::json_cents(object, "price_net")?)
        } else {
            None
        };
        Ok(ProductInput {
            sku: input::json_string(object, "sku")?,
            names: input::json_locales(object, "names", Some("name"))?,
            description: input::json_locales(object, "description", None)?,
            status: input::json_string(object, "status")?,
            price: input::json_cents(object, "price")?,
            price_net,
            category_ids,
            tax_class: input::json_string(object, "tax_class")?,
            attributes: attributes::json_values(object)?,
            meta_title: input::json_locales(object, "meta_title", None)?,
            meta_description: input::json_locales(object, "meta_description", None)?,
            slugs: input::json_locales(object, "slugs", Some("slug"))?,
            stores: input::json_strings(object, "stores", "store codes")?,
        })
    }

    fn from_form(req: &Request) -> Result<Self, Failure> {
        Ok(ProductInput {
            sku: req.form("sku").map(str::to_owned),
            names: Some(input::form_locales(req, "names", "name")),
            description: Some(input::form_locales(req, "description", "description")),
            status: req.form("status").map(str::to_owned),
            price: input::form_cents(req, "price")?,
            price_net: Some(input::form_cents(req, "price_net")?),
            category_ids: Some(
                req.form_all("category_ids")
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            tax_class: req.form("tax_class").map(str::to_owned),
            attributes: Some(attributes::form_values(req)),
            meta_title: Some(input::form_locales(req, "meta_title", "meta_title")),
            meta_description: Some(input::form_locales(
                req,
                "meta_description",
                "meta_description",
            )),
            slugs: Some(input::form_locales(req, "slugs", "slug")),
            stores: Some(req.form_all("stores").map(str::to_owned).collect()),
        })
    }

    /// Applies the input onto `data` of product `id` (`None` when new) and validates the
    /// result (checked in this order: sku, name, description, status, price, categories, tax
    /// class, attributes, SEO texts, slugs, stores).
    pub fn apply(
        self,
        id: Option<&str>,
        data: &mut ProductData,
        reads: &dyn Reads,
    ) -> Result<(), Failure> {
        if let Some(sku) = self.sku {
            data.sku = sku.trim().to_owned();
        }
        check_sku(&data.sku)?;
        if reads.variant_by_sku(&data.sku)?.is_some() {
            return Err(Failure::conflict(format!(
                "SKU {} already exists",
                data.sku
            )));
        }
        if let Some(names) = self.names {
            data.names = input::merge_locales("name", &data.names, names, NAME_MAX)?;
        }
        data.name = data.names.get(DEFAULT_LOCALE).cloned().unwrap_or_default();
        if data.name.is_empty() {
            return Err(Failure::unprocessable("name is required"));
        }
        if let Some(description) = self.description {
            data.description = input::merge_locales(
                "description",
                &data.description,
                description,
                DESCRIPTION_MAX,
            )?;
        }
        if let Some(status) = self.status {
            data.status = status.trim().to_owned();
        }
        if data.status.is_empty() {
            data.status = "inactive".into();
        }
        if !STATUSES.contains(&data.status.as_str()) {
            return Err(Failure::unprocessable("status must be active or inactive"));
        }
        let current = data.prices.get(DEFAULT_CURRENCY).cloned();
        let gross = match (self.price, &current) {
            (Some(p), _) => p,
            (None, Some(c)) => c.gross,
            (None, None) => return Err(Failure::unprocessable("price is required")),
        };
        let net = match self.price_net {
            Some(net) => net,
            None => current.and_then(|c| c.net),
        };
        data.prices
            .insert(DEFAULT_CURRENCY.into(), Price { gross, net });
        data.price = gross;
        if let Some(ids) = self.category_ids {
            let mut unique: Vec<String> = Vec::new();
            for id in ids {
                let id = id.trim().to_owned();
                if !unique.contains(&id) {
                    unique.push(id);
                }
            }
            for id in &unique {
                if !reads.category_exists(id)? {
                    return Err(Failure::unprocessable(format!(
                        "category {id} does not exist"
                    )));
                }
            }
            data.category_ids = unique;
        }
        if let Some(tax_class) = self.tax_class {
            data.tax_class = tax_class.trim().to_owned();
        }
        if data.tax_class.is_empty() {
            data.tax_class = TAX_CLASSES[0].into();
        }
        if !TAX_CLASSES.contains(&data.tax_class.as_str()) {
            return Err(Failure::unprocessable(format!(
                "tax_class must be one of {}",
                TAX_CLASSES.join(", ")
            )));
        }
        if let Some(changes) = self.attributes {
            data.attributes = attributes::check_values(&data.attributes, changes)?;
        }
        if let Some(texts) = self.meta_title {
            data.meta_title =
                input::merge_locales("meta_title", &data.meta_title, texts, META_TITLE_MAX)?;
        }
        if let Some(texts) = self.meta_description {
            data.meta_description = input::merge_locales(
                "meta_description",
                &data.meta_description,
                texts,
                META_DESCRIPTION_MAX,
            )?;
        }
        if let Some(slugs) = self.slugs {
            data.slugs = input::merge_locales("slug", &data.slugs, slugs, categories::SLUG_MAX)?;
        }
        if !data.slugs.contains_key(DEFAULT_LOCALE) {
            data.slugs
                .insert(DEFAULT_LOCALE.into(), default_slug(&data.name, &data.sku));
        }
        for slug in data.slugs.values() {
            categories::check_slug(slug)?;
        }
        data.slug = data.slugs[DEFAULT_LOCALE].clone();
        match self.stores {
            Some(stores) => {
                let mut unique: Vec<String> = Vec::new();
                for store in stores.iter().map(|s| s.trim()) {
                    if !STORES.contains(&store) {
                        return Err(Failure::unprocessable(format!(
                            "store {store} does not exist (stores: {})",
                            STORES.join(", ")
                        )));
                    }
                    if !unique.iter().any(|s| s == store) {
                        unique.push(store.to_owned());
                    }
                }
                data.stores = unique;
            }
            None if id.is_none() => data.stores = STORES.iter().map(|s| s.to_string()).collect(),
            None => {}
        }
        let variants = match id {
            Some(id) => reads.variants_of(id)?,
            None => Vec::new(),
        };
        data.search_text = search_text(data, &variants, &full_text_keys()?);
        data.updated = input::now();
        Ok(())
    }
}

/// The URL slug of a product that was given none: from its default-locale name and SKU.
pub fn default_slug(name: &str, sku: &str) -> String {
    categories::slugify(&format!("{name} {sku}"))
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

#[derive(Debug, Serialize)]
struct ProductContext {
    product: ProductOut,
}

fn written(req: &Request, product: Product, flash: &str) -> Response {
    if req.wants_json {
        json(&ProductContext {
            product: product.into(),
        })
    } else {
        redirect(show_path(&product.id)).flash(flash)
    }
}

fn create(req: &Request) -> Reply {
    let input = ProductInput::from_request(req)?;
    let mut data = ProductData::default();
    input.apply(None, &mut data, &Live)?;
    let product = products()
        .insert(&data)
        .map_err(|e| storage_error(e, &data))?;
    skus::product_written(None, &product.data)?;
    services::audit("product.create", &product.id, &product.data.sku);
    Ok(written(req, product, "Product created"))
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let input = ProductInput::from_request(req)?;
    let current = load(&id)?;
    input::check_version("product", &id, version, current.version)?;
    let old_sku = current.data.sku.clone();
    let mut data = current.data;
    input.apply(Some(&id), &mut data, &Live)?;
    let product = products()
        .replace(&id, &data, version)
        .map_err(|e| storage_error(e, &data))?;
    skus::product_written(Some(&old_sku), &product.data)?;
    services::audit("product.edit", &id, &product.data.sku);
    Ok(written(req, product, "Product saved"))
}

fn set_status(req: &Request, status: &str, flash: &str) -> Reply {
    let id = input::required_id(req)?;
    let version = input::optional_version(req)?;
    let current = load(&id)?;
    if let Some(version) = version {
        input::check_version("product", &id, version, current.version)?;
    }
    let product = if current.data.status == status {
        current
    } else {
        let expected = current.version;
        let mut data = current.data;
        data.status = status.into();
        data.search_text = search_text_of(&data, &variants::of_product(&id)?)?;
        data.updated = input::now();
        let product = products()
            .replace(&id, &data, expected)
            .map_err(|e| storage_error(e, &data))?;
        services::audit(&format!("product.{status}"), &id, &product.data.sku);
        product
    };
    Ok(written(req, product, flash))
}

fn activate(req: &Request) -> Reply {
    set_status(req, "active", "Product activated")
}

fn deactivate(req: &Request) -> Reply {
    set_status(req, "inactive", "Product deactivated")
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
    fn json_price_must_be_non_negative_cents() {
        for body in [r#"{"price":-1}"#, r#"{"price":19.99}"#, r#"{"price":"12"}"#] {
            let err = ProductInput::from_json(body).unwrap_err();
            assert_eq!(err.status, 422, "{body}");
            assert!(err.message.starts_with("price must be"), "{body}");
        }
        let ok = ProductInput::from_json(r#"{"price":1999,"price_net":1680}"#).unwrap();
        assert_eq!(ok.price, Some(1999));
        assert_eq!(ok.price_net, Some(Some(1680)));
    }
}
