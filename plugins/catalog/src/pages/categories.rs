//! Category pages: the tree, the create and edit forms, delete (children move up, products lose
//! the category), and the order of a category's products on its storefront page.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::model::categories::{self, Category, CategoryData, CategoryInput, TreeItem, categories};
use crate::model::products;
use crate::model::values::{self, FORM_LOCALES};

pub fn routes(router: Router) -> Router {
    router
        .get("categories", "index", index)
        .get("categories", "create", new_form)
        .post("categories", "create", create)
        .get("categories", "edit", edit_form)
        .post("categories", "edit", update)
        .get("categories", "delete", confirm_delete)
        .post("categories", "delete", delete)
        .get("categories", "products", products_page)
        .post("categories", "products", save_positions)
}

const INDEX: &str = "/admin/catalog/categories/index";

#[derive(Debug, Serialize)]
struct IndexContext {
    categories: Vec<TreeItem>,
}

fn index(req: &Request) -> Reply {
    let ctx = IndexContext {
        categories: categories::tree()?,
    };
    Ok(view_or_json(
        req,
        "categories/index.html",
        "Categories",
        &ctx,
    ))
}

#[derive(Debug, Serialize)]
struct FormContext {
    category: Option<Out<CategoryData>>,
    action: &'static str,
    locales: &'static [&'static str],
    /// Possible parents (for an edit: without the category itself and its descendants).
    parents: Vec<TreeItem>,
}

fn form_context(
    category: Option<Out<CategoryData>>,
    action: &'static str,
) -> Result<FormContext, Failure> {
    let mut parents = categories::tree()?;
    if let Some(c) = &category {
        // Drop the category and the lines below it (deeper than it, until the next sibling).
        if let Some(start) = parents.iter().position(|t| t.category.id == c.id) {
            let depth = parents[start].depth;
            let end = parents[start + 1..]
                .iter()
                .position(|t| t.depth <= depth)
                .map_or(parents.len(), |i| start + 1 + i);
            parents.drain(start..end);
        }
    }
    Ok(FormContext {
        category,
        action,
        locales: FORM_LOCALES,
        parents,
    })
}

fn new_form(req: &Request) -> Reply {
    let ctx = form_context(None, "create")?;
    Ok(view_or_json(
        req,
        "categories/form.html",
        "New category",
        &ctx,
    ))
}

fn edit_form(req: &Request) -> Reply {
    let category = categories().load(&input::required_id(req)?)?;
    let ctx = form_context(Some(category.into()), "edit")?;
    Ok(view_or_json(
        req,
        "categories/form.html",
        "Edit category",
        &ctx,
    ))
}

/// What the form or JSON sends. JSON `parent_id` may be `null` (make it a root); a form's
/// unchecked flags are `false`.
fn read(fields: &Fields) -> Result<CategoryInput, Failure> {
    let mut errors = Errors::new();
    let parent_id = match fields.value("parent_id") {
        None if !fields.is_form() => None,
        None | Some(Value::Null | Value::String(_)) => Some(fields.text("parent_id", &mut errors)),
        Some(_) => {
            errors.add("parent_id", "parent_id must be a string or null");
            None
        }
    };
    let input = CategoryInput {
        names: values::locales(fields, "names", "name", &mut errors),
        slug: fields.text("slug", &mut errors),
        parent_id,
        position: fields.integer("position", &mut errors),
        active: fields.checkbox("active", &mut errors),
        in_menu: fields.checkbox("in_menu", &mut errors),
        clickable: fields.checkbox("clickable", &mut errors),
        searchable: fields.checkbox("searchable", &mut errors),
    };
    errors.finish()?;
    Ok(input)
}

#[derive(Debug, Serialize)]
struct CategoryContext {
    category: Out<CategoryData>,
}

fn written(req: &Request, category: Category, flash: &str) -> Response {
    let ctx = CategoryContext {
        category: category.into(),
    };
    json_or_redirect(req, &ctx, INDEX, flash)
}

fn create(req: &Request) -> Reply {
    let input = read(&Fields::from_request(req)?)?;
    let mut data = CategoryData {
        active: true,
        in_menu: true,
        clickable: true,
        searchable: true,
        ..CategoryData::default()
    };
    input.apply(None, &mut data)?;
    let category = categories().add(&data)?;
    Ok(written(req, category, "Category created"))
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let input = read(&Fields::from_request(req)?)?;
    let current = categories().load_version(&id, Some(version))?;
    let mut data = current.data.clone();
    input.apply(Some(&id), &mut data)?;
    let category = categories().update(&current, &data)?;
    Ok(written(req, category, "Category saved"))
}

fn confirm_delete(req: &Request) -> Reply {
    let category = categories().load(&input::required_id(req)?)?;
    Ok(view_or_json(
        req,
        "categories/delete.html",
        "Delete category",
        &CategoryContext {
            category: category.into(),
        },
    ))
}

#[derive(Debug, Serialize)]
struct Deleted {
    deleted: String,
    children_moved: u64,
    products_updated: u64,
}

fn delete(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let category = categories().load(&id)?;
    let children_moved = categories::move_children(&id, category.data.parent_id.as_deref())?;
    let products_updated = products::remove_category(&id)?;
    categories().remove(&category)?;
    let ctx = Deleted {
        deleted: id,
        children_moved,
        products_updated,
    };
    Ok(json_or_redirect(req, &ctx, INDEX, "Category deleted"))
}

#[derive(Debug, Serialize)]
struct ProductsContext {
    category: Out<CategoryData>,
    products: Vec<Placed>,
}

#[derive(Debug, Serialize)]
struct Placed {
    id: String,
    sku: String,
    name: String,
    position: Option<i64>,
}

/// The products of a category with their positions (assignment itself is on the product).
fn products_page(req: &Request) -> Reply {
    let category = categories().load(&input::required_id(req)?)?;
    let mut placed: Vec<Placed> = products::in_category(&category.id)?
        .into_iter()
        .map(|p| Placed {
            position: category.data.positions.get(&p.id).copied(),
            id: p.id,
            sku: p.data.sku,
            name: p.data.name,
        })
        .collect();
    placed.sort_by_key(|p| p.position.unwrap_or(i64::MAX));
    let title = format!("Products in {}", category.data.name);
    let ctx = ProductsContext {
        category: category.into(),
        products: placed,
    };
    Ok(view_or_json(req, "categories/products.html", &title, &ctx))
}

/// Saves positions: JSON `{"id","positions":{product_id: n}}` or form fields
/// `position.<product_id>` (empty: no position). Only products in the category are accepted.
fn save_positions(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let category = categories().load(&id)?;
    let fields = Fields::from_request(req)?;
    let sent: BTreeMap<String, Option<i64>> = if fields.is_form() {
        let mut out = BTreeMap::new();
        for (product, value) in fields.prefixed("position.") {
            let position = match value.as_str().unwrap_or_default().trim() {
                "" => None,
                text => Some(
                    text.parse()
                        .map_err(|_| Failure::unprocessable("position must be an integer"))?,
                ),
            };
            out.insert(product.to_owned(), position);
        }
        out
    } else {
        let positions = fields.value("positions").cloned().unwrap_or(Value::Null);
        serde_json::from_value(positions).map_err(|_| {
            Failure::unprocessable("positions must be an object of product id to integer")
        })?
    };
    let members: Vec<String> = products::in_category(&id)?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut positions = category.data.positions.clone();
    positions.retain(|product, _| members.contains(product));
    for (product, position) in sent {
        if !members.contains(&product) {
            return Err(Failure::unprocessable(format!(
                "product {product} is not in category {id}"
            )));
        }
        match position {
            Some(n) => positions.insert(product, n),
            None => positions.remove(&product),
        };
    }
    let changes = serde_json::json!({ "positions": positions, "updated": values::now() });
    let category = categories().patch(&id, &changes)?;
    categories().audit("positions", &category);
    let location = url::with_param("/admin/catalog/categories/products", "id", &id);
    let ctx = CategoryContext {
        category: category.into(),
    };
    Ok(json_or_redirect(req, &ctx, location, "Positions saved"))
}
