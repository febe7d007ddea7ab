//! Categories: a tree (parent id + position), per-locale names, a unique slug and four flags.
//! Create, edit (refusing cycles), delete (children move up, products lose the category),
//! and the order of a category's products on its storefront page.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::input::{self, DEFAULT_LOCALE, FORM_LOCALES};
use crate::products;

pub const NAME_MAX: usize = 200;
pub const SLUG_MAX: usize = 100;
/// Deepest tree walked when checking for cycles or building the tree.
const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CategoryData {
    /// Indexed copy of `names[DEFAULT_LOCALE]`.
    pub name: String,
    pub names: BTreeMap<String, String>,
    pub slug: String,
    pub parent_id: Option<String>,
    pub position: i64,
    pub active: bool,
    pub in_menu: bool,
    /// The storefront page can be opened (a non-clickable category only groups its children).
    pub clickable: bool,
    /// Shown among storefront search results.
    pub searchable: bool,
    /// Product id → position on the category page (lower first; unlisted products follow).
    pub positions: BTreeMap<String, i64>,
    pub updated: i64,
}

pub type Category = Record<CategoryData>;

#[derive(Debug, Clone, Serialize)]
pub struct CategoryOut {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub data: CategoryData,
}

impl From<Category> for CategoryOut {
    fn from(c: Category) -> Self {
        CategoryOut {
            id: c.id,
            version: c.version,
            data: c.data,
        }
    }
}

/// One line of the tree, depth first: roots have depth 0.
#[derive(Debug, Clone, Serialize)]
pub struct TreeItem {
    #[serde(flatten)]
    pub category: CategoryOut,
    pub depth: usize,
}

pub fn categories() -> Collection<CategoryData> {
    Collection::new("categories")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("categories")
        .field(Field::text("name").indexed().searchable())
        .field(Field::text("slug").unique())
        .field(Field::text("parent_id").indexed())
        .field(Field::integer("position").indexed())
        .field(Field::boolean("active").indexed())
        .field(Field::boolean("in_menu").indexed())
        .field(Field::boolean("searchable").indexed())
        .shared()
}

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

fn load(id: &str) -> Result<Category, Failure> {
    input::load(&categories(), "category", id)
}

fn storage_error(e: StorageError, slug: &str) -> Failure {
    match e {
        StorageError::UniqueViolation(field) if field == "slug" => {
            Failure::conflict(format!("slug {slug} already exists"))
        }
        e => e.into(),
    }
}

/// Every category, depth first, siblings by position then name. Categories whose parent is
/// missing are shown as roots.
pub fn tree() -> Result<Vec<TreeItem>, Failure> {
    let all: Vec<Category> = categories()
        .query()
        .sort("position")
        .sort("name")
        .fetch_all()?;
    let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    let mut children: BTreeMap<Option<String>, Vec<Category>> = BTreeMap::new();
    for c in all {
        let parent = c.data.parent_id.clone().filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(c);
    }
    let mut out = Vec::new();
    fn walk(
        parent: Option<String>,
        depth: usize,
        children: &mut BTreeMap<Option<String>, Vec<Category>>,
        out: &mut Vec<TreeItem>,
    ) {
        let Some(list) = children.remove(&parent) else {
            return;
        };
        for c in list {
            let id = c.id.clone();
            out.push(TreeItem {
                category: c.into(),
                depth,
            });
            if depth < MAX_DEPTH {
                walk(Some(id), depth + 1, children, out);
            }
        }
    }
    walk(None, 0, &mut children, &mut out);
    Ok(out)
}

#[derive(Debug, Serialize)]
struct IndexContext {
    categories: Vec<TreeItem>,
}

fn index(req: &Request) -> Reply {
    let ctx = IndexContext {
        categories: tree()?,
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
    category: Option<CategoryOut>,
    action: &'static str,
    locales: &'static [&'static str],
    /// Possible parents (for an edit: without the category itself and its descendants).
    parents: Vec<TreeItem>,
}

fn form_context(
    category: Option<CategoryOut>,
    action: &'static str,
) -> Result<FormContext, Failure> {
    let mut parents = tree()?;
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
    let category = load(&input::required_id(req)?)?;
    let ctx = form_context(Some(category.into()), "edit")?;
    Ok(view_or_json(
        req,
        "categories/form.html",
        "Edit category",
        &ctx,
    ))
}

#[derive(Debug, Default)]
struct CategoryInput {
    names: Option<BTreeMap<String, String>>,
    slug: Option<String>,
    /// `Some(None)`: make it a root.
    parent_id: Option<Option<String>>,
    position: Option<i64>,
    active: Option<bool>,
    in_menu: Option<bool>,
    clickable: Option<bool>,
    searchable: Option<bool>,
}

fn position_error() -> Failure {
    Failure::unprocessable("position must be an integer")
}

impl CategoryInput {
    fn from_request(req: &Request) -> Result<Self, Failure> {
        match &req.body {
            Some(text) => {
                let object = input::json_object(text)?;
                let parent_id = match object.get("parent_id") {
                    None => None,
                    Some(Value::Null) => Some(None),
                    Some(Value::String(s)) => Some(Some(s.clone())),
                    Some(_) => {
                        return Err(Failure::unprocessable("parent_id must be a string or null"));
                    }
                };
                let position = match object.get("position") {
                    None | Some(Value::Null) => None,
                    Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(position_error)?),
                    Some(_) => return Err(position_error()),
                };
                Ok(CategoryInput {
                    names: input::json_locales(&object, "names", Some("name"))?,
                    slug: input::json_string(&object, "slug")?,
                    parent_id,
                    position,
                    active: input::json_bool(&object, "active")?,
                    in_menu: input::json_bool(&object, "in_menu")?,
                    clickable: input::json_bool(&object, "clickable")?,
                    searchable: input::json_bool(&object, "searchable")?,
                })
            }
            None => {
                let position = match req
                    .form("position")
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                {
                    None => None,
                    Some(text) => Some(text.parse().map_err(|_| position_error())?),
                };
                Ok(CategoryInput {
                    names: Some(input::form_locales(req, "names", "name")),
                    slug: req.form("slug").map(str::to_owned),
                    parent_id: Some(req.form("parent_id").map(str::to_owned)),
                    position,
                    active: Some(input::form_checkbox(req, "active")),
                    in_menu: Some(input::form_checkbox(req, "in_menu")),
                    clickable: Some(input::form_checkbox(req, "clickable")),
                    searchable: Some(input::form_checkbox(req, "searchable")),
                })
            }
        }
    }

    /// Applies onto `data` (of category `id`, `None` when new) and validates: name, slug,
    /// parent (exists, no cycle).
    fn apply(self, id: Option<&str>, data: &mut CategoryData) -> Result<(), Failure> {
        if let Some(names) = self.names {
            data.names = input::merge_locales("name", &data.names, names, NAME_MAX)?;
        }
        data.name = data.names.get(DEFAULT_LOCALE).cloned().unwrap_or_default();
        if data.name.is_empty() {
            return Err(Failure::unprocessable("name is required"));
        }
        if let Some(slug) = self.slug {
            data.slug = slug.trim().to_owned();
        }
        if data.slug.is_empty() {
            data.slug = slugify(&data.name);
        }
        check_slug(&data.slug)?;
        if let Some(parent) = self.parent_id {
            data.parent_id = parent
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty());
        }
        if let Some(parent) = &data.parent_id {
            check_parent(id, parent)?;
        }
        if let Some(position) = self.position {
            data.position = position;
        }
        if let Some(active) = self.active {
            data.active = active;
        }
        if let Some(in_menu) = self.in_menu {
            data.in_menu = in_menu;
        }
        if let Some(clickable) = self.clickable {
            data.clickable = clickable;
        }
        if let Some(searchable) = self.searchable {
            data.searchable = searchable;
        }
        data.updated = input::now();
        Ok(())
    }
}

/// The parent must exist, and must not be the category itself or one of its descendants.
fn check_parent(id: Option<&str>, parent: &str) -> Result<(), Failure> {
    let cycle = || Failure::unprocessable("a category cannot become its own ancestor");
    let mut current = Some(parent.to_owned());
    let mut steps = 0;
    while let Some(c) = current {
        if Some(c.as_str()) == id {
            return Err(cycle());
        }
        steps += 1;
        if steps > MAX_DEPTH {
            return Err(Failure::unprocessable("the category tree is too deep"));
        }
        match categories().find(&c)? {
            Some(found) => current = found.data.parent_id,
            None if c == parent => {
                return Err(Failure::unprocessable(format!(
                    "parent category {parent} does not exist"
                )));
            }
            None => current = None,
        }
    }
    Ok(())
}

/// Lower-case letters and digits, other runs become one `-`.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    out.chars()
        .take(SLUG_MAX)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

/// 1–100 of `a–z 0–9 -`.
pub fn check_slug(slug: &str) -> Result<(), Failure> {
    let ok = !slug.is_empty()
        && slug.len() <= SLUG_MAX
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Failure::unprocessable(
            "slug must be 1 to 100 characters: lower-case letters, digits or '-'",
        ))
    }
}

#[derive(Debug, Serialize)]
struct CategoryContext {
    category: CategoryOut,
}

fn written(req: &Request, category: Category, flash: &str) -> Response {
    if req.wants_json {
        json(&CategoryContext {
            category: category.into(),
        })
    } else {
        redirect("/admin/catalog/categories/index").flash(flash)
    }
}

fn create(req: &Request) -> Reply {
    let input = CategoryInput::from_request(req)?;
    let mut data = CategoryData {
        active: true,
        in_menu: true,
        clickable: true,
        searchable: true,
        ..CategoryData::default()
    };
    input.apply(None, &mut data)?;
    let category = categories()
        .insert(&data)
        .map_err(|e| storage_error(e, &data.slug))?;
    services::audit("category.create", &category.id, &category.data.slug);
    Ok(written(req, category, "Category created"))
}

fn update(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let version = input::required_version(req)?;
    let input = CategoryInput::from_request(req)?;
    let current = load(&id)?;
    input::check_version("category", &id, version, current.version)?;
    let mut data = current.data;
    input.apply(Some(&id), &mut data)?;
    let category = categories()
        .replace(&id, &data, version)
        .map_err(|e| storage_error(e, &data.slug))?;
    services::audit("category.edit", &id, &category.data.slug);
    Ok(written(req, category, "Category saved"))
}

fn confirm_delete(req: &Request) -> Reply {
    let category = load(&input::required_id(req)?)?;
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
    let category = load(&id)?;
    let new_parent = category.data.parent_id.clone();
    let mut children_moved = 0;
    loop {
        // Each moved child leaves the filter, so the first page is always the next one.
        let page = categories()
            .query()
            .eq("parent_id", id.as_str())
            .limit(1000)
            .fetch()?;
        if page.records.is_empty() {
            break;
        }
        for child in page.records {
            let changes = serde_json::json!({ "parent_id": new_parent, "updated": input::now() });
            categories().patch(&child.id, &changes)?;
            children_moved += 1;
        }
    }
    let products_updated = products::remove_category(&id)?;
    categories().delete(&id)?;
    services::audit("category.delete", &id, &category.data.slug);
    if req.wants_json {
        Ok(json(&Deleted {
            deleted: id,
            children_moved,
            products_updated,
        }))
    } else {
        Ok(redirect("/admin/catalog/categories/index").flash("Category deleted"))
    }
}

// ---- product order ----

#[derive(Debug, Serialize)]
struct ProductsContext {
    category: CategoryOut,
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
    let category = load(&input::required_id(req)?)?;
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
    let category = load(&id)?;
    let sent: BTreeMap<String, Option<i64>> = match &req.body {
        Some(text) => {
            let object = input::json_object(text)?;
            let positions = object.get("positions").cloned().unwrap_or(Value::Null);
            serde_json::from_value(positions).map_err(|_| {
                Failure::unprocessable("positions must be an object of product id to integer")
            })?
        }
        None => {
            let mut out = BTreeMap::new();
            for p in &req.form {
                if let Some(product) = p.name.strip_prefix("position.") {
                    let value = match p.value.trim() {
                        "" => None,
                        text => Some(text.parse().map_err(|_| position_error())?),
                    };
                    out.insert(product.to_owned(), value);
                }
            }
            out
        }
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
    let changes = serde_json::json!({ "positions": positions, "updated": input::now() });
    let category = categories().patch(&id, &changes)?;
    services::audit("category.positions", &id, &category.data.slug);
    if req.wants_json {
        Ok(json(&CategoryContext {
            category: category.into(),
        }))
    } else {
        Ok(redirect(format!(
            "/admin/catalog/categories/products?id={}",
            input::encode_component(&id)
        ))
        .flash("Positions saved"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("  Shoes & Boots! "), "shoes-boots");
        assert_eq!(slugify("Über"), "ber");
        assert!(check_slug("shoes-2").is_ok());
        assert!(check_slug("Shoes").is_err());
        assert!(check_slug("").is_err());
    }
}
