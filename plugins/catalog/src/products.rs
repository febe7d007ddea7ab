//! Abstract products: list (search, filter, sort, keyset paging), show, create, edit with an
//! optimistic version, activate and deactivate.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::categories::{self, categories};
use crate::input::{self, DEFAULT_LOCALE, FORM_LOCALES};
use crate::skus;

/// The currency whose gross price is copied into the indexed `price` field.
pub const DEFAULT_CURRENCY: &str = "EUR";
pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const SKU_MAX: usize = 64;
pub const STATUSES: &[&str] = &["active", "inactive"];

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

fn load(id: &str) -> Result<Product, Failure> {
    match products().get(id) {
        Ok(p) => Ok(p),
        Err(StorageError::NotFound) => Err(Failure::not_found(format!("product {id} not found"))),
        Err(e) => Err(e.into()),
    }
}

/// Writes go through here so a duplicate SKU reads as such.
fn storage_error(e: StorageError, sku: &str) -> Failure {
    match e {
        StorageError::UniqueViolation(field) if field == "sku" => {
            Failure::conflict(format!("SKU {sku} already exists"))
        }
        e => e.into(),
    }
}

// ---- index ----

#[derive(Debug, Serialize)]
struct IndexContext {
    products: Vec<ProductOut>,
    q: Option<String>,
    status: Option<String>,
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
    if let Some(q) = &q {
        query = query.search(q.as_str());
    }
    if let Some(after) = input::query(req, "after") {
        query = query.after(after);
    }
    let page = query.fetch()?;
    let ctx = IndexContext {
        products: page.records.into_iter().map(ProductOut::from).collect(),
        q,
        status,
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
    let ctx = ShowContext {
        product: product.into(),
        categories: refs,
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
    categories: Vec<categories::TreeItem>,
}

fn form_context(product: Option<ProductOut>, action: &'static str) -> Result<FormContext, Failure> {
    Ok(FormContext {
        product,
        action,
        locales: FORM_LOCALES,
        statuses: STATUSES,
        categories: categories::tree()?,
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
}

impl ProductInput {
    pub fn from_request(req: &Request) -> Result<Self, Failure> {
        match &req.body {
            Some(text) => Self::from_json(text),
            None => Self::from_form(req),
        }
    }

    fn from_json(text: &str) -> Result<Self, Failure> {
        let object = input::json_object(text)?;
        let category_ids = match object.get("category_ids") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        Failure::unprocessable("category_ids must be a list of category ids")
                    })?,
            ),
            Some(_) => {
                return Err(Failure::unprocessable(
                    "category_ids must be a list of category ids",
                ));
            }
        };
        let price_net = if object.contains_key("price_net") {
            Some(input::json_cents(&object, "price_net")?)
        } else {
            None
        };
        Ok(ProductInput {
            sku: input::json_string(&object, "sku")?,
            names: input::json_locales(&object, "names", Some("name"))?,
            description: input::json_locales(&object, "description", None)?,
            status: input::json_string(&object, "status")?,
            price: input::json_cents(&object, "price")?,
            price_net,
            category_ids,
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
        })
    }

    /// Applies the input onto `data` and validates the result (checked in this order: sku,
    /// name, description, status, price, categories).
    pub fn apply(self, data: &mut ProductData) -> Result<(), Failure> {
        if let Some(sku) = self.sku {
            data.sku = sku.trim().to_owned();
        }
        check_sku(&data.sku)?;
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
                if categories().find(id)?.is_none() {
                    return Err(Failure::unprocessable(format!(
                        "category {id} does not exist"
                    )));
                }
            }
            data.category_ids = unique;
        }
        data.updated = input::now();
        Ok(())
    }
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
    input.apply(&mut data)?;
    let product = products()
        .insert(&data)
        .map_err(|e| storage_error(e, &data.sku))?;
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
    input.apply(&mut data)?;
    let product = products()
        .replace(&id, &data, version)
        .map_err(|e| storage_error(e, &data.sku))?;
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
        data.updated = input::now();
        let product = products()
            .replace(&id, &data, expected)
            .map_err(|e| storage_error(e, &data.sku))?;
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

/// Removes `category` from every product that has it; returns how many changed. Scans the
/// collection in pages (category membership is not an indexed field).
pub fn remove_category(category: &str) -> Result<u64, Failure> {
    let mut changed = 0;
    let mut after: Option<String> = None;
    loop {
        let mut query = products().query().limit(1000);
        if let Some(cursor) = &after {
            query = query.after(cursor.as_str());
        }
        let page = query.fetch()?;
        for p in page.records {
            if p.data.category_ids.iter().any(|c| c == category) {
                let ids: Vec<&String> = p
                    .data
                    .category_ids
                    .iter()
                    .filter(|c| *c != category)
                    .collect();
                products().patch(&p.id, &serde_json::json!({ "category_ids": ids }))?;
                changed += 1;
            }
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => return Ok(changed),
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
