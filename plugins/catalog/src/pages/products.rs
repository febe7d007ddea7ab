//! Product pages: the list (search, filters, sort, keyset paging), the product page, the create
//! and edit forms (an edit carries the version it was loaded with), activate and deactivate.

use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::model::attributes::AttributeData;
use crate::model::categories::{self, TreeItem, categories};
use crate::model::product_input::{self, ProductInput};
use crate::model::products::{self, Product, ProductData, STATUSES, products, token};
use crate::model::reads::Live;
use crate::model::shop;
use crate::model::values::FORM_LOCALES;
use crate::model::variants::{self, VariantData};

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

/// The product page of `id`.
pub fn show_path(id: &str) -> String {
    url::with_param("/admin/catalog/products/show", "id", id)
}

#[derive(Debug, Serialize)]
struct IndexContext {
    products: Vec<Out<ProductData>>,
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    label: Option<String>,
    store: Option<String>,
    stores: &'static [String],
    categories: Vec<TreeItem>,
    sort: &'static str,
    dir: &'static str,
    limit: u32,
    next: Option<String>,
    total: Option<u64>,
}

fn index(req: &Request) -> Reply {
    let q = input::query(req, "q").map(str::to_owned);
    let status = input::choice(req, "status", STATUSES)
        .map_err(|_| Failure::bad_request("status must be active or inactive"))?;
    let sort = input::choice(req, "sort", &["name", "price", "sku", "updated"])?.unwrap_or("name");
    let dir = input::choice(req, "dir", &["asc", "desc"])
        .map_err(|_| Failure::bad_request("dir must be asc or desc"))?
        .unwrap_or("asc");
    let limit = input::limit(req)?;
    let mut query = products().query().limit(limit).count_total();
    query = if dir == "desc" {
        query.sort_desc(sort)
    } else {
        query.sort(sort)
    };
    if let Some(status) = status {
        query = query.eq("status", status);
    }
    let category = input::query(req, "category").map(str::to_owned);
    let label = input::query(req, "label").map(str::to_owned);
    let store = input::query(req, "store");
    if store.is_some_and(|s| !shop::stores().iter().any(|k| k == s)) {
        return Err(Failure::bad_request(format!(
            "store must be one of {}",
            shop::stores().join(", ")
        )));
    }
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
        products: page.records.into_iter().map(Out::from).collect(),
        q,
        status: status.map(str::to_owned),
        category,
        label,
        store: store.map(str::to_owned),
        stores: shop::stores(),
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

#[derive(Debug, Serialize)]
struct ShowContext {
    product: Out<ProductData>,
    categories: Vec<CategoryRef>,
    variants: Vec<Out<VariantData>>,
    /// Decimals per currency: prices are shown in major units.
    digits: std::collections::BTreeMap<String, u8>,
}

#[derive(Debug, Serialize)]
struct CategoryRef {
    id: String,
    name: String,
}

fn show(req: &Request) -> Reply {
    let product = products().load(&input::required_id(req)?)?;
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
        .map(Out::from)
        .collect();
    let ctx = ShowContext {
        product: product.into(),
        categories: refs,
        variants,
        digits: backoffice_sdk::money::digits_by_currency(),
    };
    Ok(view_or_json(req, "products/show.html", &title, &ctx))
}

#[derive(Debug, Serialize)]
struct FormContext {
    product: Option<Out<ProductData>>,
    action: &'static str,
    locales: &'static [&'static str],
    statuses: &'static [&'static str],
    tax_classes: &'static [String],
    stores: &'static [String],
    categories: Vec<TreeItem>,
    /// The attributes an abstract product can carry (super attributes belong to variants).
    attributes: Vec<Out<AttributeData>>,
}

fn form_context(
    product: Option<Out<ProductData>>,
    action: &'static str,
) -> Result<FormContext, Failure> {
    Ok(FormContext {
        product,
        action,
        locales: FORM_LOCALES,
        statuses: STATUSES,
        tax_classes: shop::tax_sets(),
        stores: shop::stores(),
        categories: categories::tree()?,
        attributes: super::attributes::for_form(false)?,
    })
}

fn new_form(req: &Request) -> Reply {
    let ctx = form_context(None, "create")?;
    Ok(view_or_json(req, "products/form.html", "New product", &ctx))
}

fn edit_form(req: &Request) -> Reply {
    let product = products().load(&input::required_id(req)?)?;
    let ctx = form_context(Some(product.into()), "edit")?;
    Ok(view_or_json(
        req,
        "products/form.html",
        "Edit product",
        &ctx,
    ))
}

#[derive(Debug, Serialize)]
struct ProductContext {
    product: Out<ProductData>,
}

fn written(req: &Request, product: Product, flash: &str) -> Response {
    let location = show_path(&product.id);
    let ctx = ProductContext {
        product: product.into(),
    };
    json_or_redirect(req, &ctx, location, flash)
}

fn create(req: &Request) -> Reply {
    let input = ProductInput::from_fields(&Fields::from_request(req)?)?;
    let mut data = ProductData::default();
    input.apply(None, &mut data, &Live)?;
    let product = products().add(&data)?;
    product_input::saved(None, &product.data)?;
    Ok(written(req, product, "Product created"))
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let input = ProductInput::from_fields(&Fields::from_request(req)?)?;
    let current = products().load_version(&id, Some(version))?;
    let mut data = current.data.clone();
    input.apply(Some(&id), &mut data, &Live)?;
    let product = products().update(&current, &data)?;
    product_input::saved(Some(&current.data.sku), &product.data)?;
    Ok(written(req, product, "Product saved"))
}

fn set_status(req: &Request, status: &str, flash: &str) -> Reply {
    let id = input::required_id(req)?;
    let current = products().load_version(&id, input::version(req)?)?;
    let product = match products::set_status(&current, status)? {
        Some(changed) => changed,
        None => current,
    };
    Ok(written(req, product, flash))
}

fn activate(req: &Request) -> Reply {
    set_status(req, "active", "Product activated")
}

fn deactivate(req: &Request) -> Reply {
    set_status(req, "inactive", "Product deactivated")
}
