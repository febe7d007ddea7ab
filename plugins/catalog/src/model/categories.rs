//! Categories: a tree (parent id + position), per-locale names, a unique slug and four flags;
//! the rules of a create or edit (refusing cycles), and the tree as pages show it.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use super::values::{self, DEFAULT_LOCALE};

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

/// One line of the tree, depth first: roots have depth 0.
#[derive(Debug, Clone, Serialize)]
pub struct TreeItem {
    #[serde(flatten)]
    pub category: Out<CategoryData>,
    pub depth: usize,
}

/// Categories; a duplicate slug is a 409 naming it.
pub fn categories() -> Resource<CategoryData> {
    Resource::new("categories", "category")
        .unique("slug", "slug {slug} already exists")
        .describe("{slug}")
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

/// What a create or edit sends; `None` keeps the stored value.
#[derive(Debug, Default)]
pub struct CategoryInput {
    pub names: Option<BTreeMap<String, String>>,
    pub slug: Option<String>,
    /// `Some(None)`: make it a root.
    pub parent_id: Option<Option<String>>,
    pub position: Option<i64>,
    pub active: Option<bool>,
    pub in_menu: Option<bool>,
    pub clickable: Option<bool>,
    pub searchable: Option<bool>,
}

impl CategoryInput {
    /// Applies onto `data` (of category `id`, `None` when new) and validates: name, slug,
    /// parent (exists, no cycle).
    pub fn apply(self, id: Option<&str>, data: &mut CategoryData) -> Result<(), Failure> {
        if let Some(names) = self.names {
            data.names = values::merge_locales("name", &data.names, names, NAME_MAX)?;
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
        data.updated = values::now();
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

/// Moves the children of category `id` to `new_parent`; returns how many moved.
pub fn move_children(id: &str, new_parent: Option<&str>) -> Result<u64, Failure> {
    let mut moved = 0;
    loop {
        // Each moved child leaves the filter, so the first page is always the next one.
        let page = categories()
            .query()
            .eq("parent_id", id)
            .limit(1000)
            .fetch()?;
        if page.records.is_empty() {
            return Ok(moved);
        }
        for child in page.records {
            let changes = serde_json::json!({ "parent_id": new_parent, "updated": values::now() });
            categories().patch(&child.id, &changes)?;
            moved += 1;
        }
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
