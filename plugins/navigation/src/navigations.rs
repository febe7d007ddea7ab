//! Navigations: the list with its create form, settings, delete (with every node), duplicate
//! (the whole tree under a new key), the tree editor page and the per-locale preview.

use backoffice_sdk::prelude::*;
use backoffice_sdk::storage::{Record, Write};
use backoffice_sdk::{context, dates, services};
use serde::Serialize;
use serde_json::json;

use crate::menu;
use crate::model::{self, KINDS, Navigation, Node};
use crate::tree;

const INDEX: &str = "/admin/navigation/navigations/index";

fn show_path(id: &str) -> String {
    format!("/admin/navigation/navigations/show?id={id}")
}

#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    navigation: Out<Navigation>,
    nodes: u64,
}

pub fn index(req: &Request) -> Reply {
    let mut listed = Vec::new();
    for nav in model::navigations()
        .query()
        .sort("key")
        .limit(input::limit(req)?)
        .fetch()?
        .records
    {
        let nodes = model::nodes()
            .query()
            .eq("navigation_id", nav.id.as_str())
            .count()?;
        listed.push(Listed {
            navigation: nav.into(),
            nodes,
        });
    }
    let ctx = json!({ "navigations": listed, "slots": menu::SLOTS });
    Ok(view_or_json(
        req,
        "navigations/index.html",
        "Navigation",
        &ctx,
    ))
}

/// Reads key, name and active onto `nav` (fields not sent are kept) and checks the result.
fn read(fields: &Fields, nav: &mut Navigation) -> Result<(), Failure> {
    let mut errors = Errors::new();
    if let Some(key) = fields.text("key", &mut errors) {
        nav.key = key;
    }
    if let Some(name) = fields.text("name", &mut errors) {
        nav.name = name;
    }
    if let Some(active) = fields.checkbox("active", &mut errors) {
        nav.active = active;
    }
    model::check_navigation(nav, &mut errors);
    errors.finish()
}

pub fn create(req: &Request) -> Reply {
    let mut nav = Navigation {
        active: true,
        ..Navigation::default()
    };
    read(&Fields::from_request(req)?, &mut nav)?;
    let nav = model::navigations().add(&nav)?;
    let location = show_path(&nav.id);
    Ok(json_or_redirect(
        req,
        &json!({ "navigation": Out::from(nav) }),
        &location,
        "Navigation created",
    ))
}

pub fn update(req: &Request) -> Reply {
    let current =
        model::navigations().load_version(&input::required_id(req)?, input::version(req)?)?;
    let mut nav = current.data.clone();
    read(&Fields::from_request(req)?, &mut nav)?;
    let nav = model::navigations().update(&current, &nav)?;
    let location = show_path(&nav.id);
    Ok(json_or_redirect(
        req,
        &json!({ "navigation": Out::from(nav) }),
        &location,
        "Navigation saved",
    ))
}

/// Deletes a navigation with all its nodes.
pub fn delete(req: &Request) -> Reply {
    let nav = model::navigations().load(&input::required_id(req)?)?;
    let nodes = menu::nodes_of(&nav.id)?;
    for n in &nodes {
        model::nodes().delete(&n.id)?;
    }
    model::navigations().remove(&nav)?;
    Ok(json_or_redirect(
        req,
        &json!({ "deleted": nav.id, "nodes": nodes.len() }),
        INDEX,
        &format!(
            "Navigation {} deleted with {} nodes",
            nav.data.key,
            nodes.len()
        ),
    ))
}

/// A copy of a navigation and its whole tree under a new key (and name); the copy starts
/// inactive unless `active` is sent, so it does not replace the original in a slot by surprise.
pub fn duplicate(req: &Request) -> Reply {
    let source = model::navigations().load(&input::required_id(req)?)?;
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::new();
    let copy = Navigation {
        key: fields.required_text("key", &mut errors),
        name: fields
            .text("name", &mut errors)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("{} (copy)", source.data.name)),
        active: fields.flag("active", &mut errors).unwrap_or(false),
    };
    model::check_navigation(&copy, &mut errors);
    errors.finish()?;
    let copy = model::navigations().add(&copy)?;
    let nodes = menu::nodes_of(&source.id)?;
    let copied = copy_tree(&nodes, &copy.id)?;
    services::audit(
        "navigation.duplicate",
        &copy.id,
        &format!("{} → {} ({copied} nodes)", source.data.key, copy.data.key),
    );
    let location = show_path(&copy.id);
    Ok(json_or_redirect(
        req,
        &json!({ "navigation": Out::from(copy), "nodes": copied }),
        &location,
        "Navigation duplicated",
    ))
}

/// Writes a copy of every node reachable from the top into navigation `into`, parents mapped
/// to their copies; answers how many were written (in batches: one host call per 1000).
fn copy_tree(nodes: &[Record<Node>], into: &str) -> Result<usize, Failure> {
    let order = tree::depth_first(nodes);
    let ids: std::collections::BTreeMap<&str, String> = order
        .iter()
        .enumerate()
        .map(|(i, (_, n))| (n.id.as_str(), format!("{into}-{i:05}")))
        .collect();
    let copies: Vec<(String, Node)> = order
        .iter()
        .map(|(_, n)| {
            let mut data = n.data.clone();
            data.navigation_id = into.to_owned();
            data.parent_id = n
                .data
                .parent_id
                .as_deref()
                .and_then(|p| ids.get(p).cloned());
            (ids[n.id.as_str()].clone(), data)
        })
        .collect();
    let writes: Vec<Write<'_, Node>> = copies
        .iter()
        .map(|(id, data)| Write::Create(id.as_str(), data))
        .collect();
    model::nodes().write_many(&writes)?;
    Ok(copies.len())
}

/// One line of the tree editor.
#[derive(Serialize)]
struct Line {
    #[serde(flatten)]
    node: Out<Node>,
    depth: usize,
    /// The title in the first locale it has one in, for the editor.
    label: String,
    /// `· ` per level (the admin CSP allows no inline styles).
    indent: String,
    /// 0-based index among its siblings.
    index: usize,
    /// Nodes in its subtree, itself included.
    subtree: usize,
}

/// The tree editor: every node depth first with its move form, and the form for a new node.
pub fn show(req: &Request) -> Reply {
    let nav = model::navigations().load(&input::required_id(req)?)?;
    let nodes = menu::nodes_of(&nav.id)?;
    let children = tree::children(&nodes);
    let order = tree::depth_first(&nodes);
    // Subtree sizes bottom-up: a node is counted into its parent after its own children.
    let mut sizes: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, n) in order.iter().rev() {
        let own = sizes.get(n.id.as_str()).copied().unwrap_or(0) + 1;
        sizes.insert(n.id.as_str(), own);
        if let Some(parent) = n.data.parent_id.as_deref() {
            *sizes.entry(parent).or_default() += own;
        }
    }
    let lines: Vec<Line> = order
        .iter()
        .map(|(depth, n)| {
            let siblings = children.get(&n.data.parent_id.as_deref());
            let index = siblings
                .and_then(|s| s.iter().position(|x| x.id == n.id))
                .unwrap_or(0);
            Line {
                label: n
                    .data
                    .locales
                    .values()
                    .map(|t| t.title.clone())
                    .find(|t| !t.is_empty())
                    .unwrap_or_default(),
                indent: "· ".repeat(*depth),
                index,
                subtree: sizes.get(n.id.as_str()).copied().unwrap_or(1),
                depth: *depth,
                node: Out::from((*n).clone()),
            }
        })
        .collect();
    let ctx = json!({
        "navigation": Out::from(nav.clone()),
        "nodes": lines,
        "kinds": KINDS,
        "locales": context::locale_codes(),
    });
    Ok(view_or_json(
        req,
        "navigations/show.html",
        &format!("Navigation {}", nav.data.key),
        &ctx,
    ))
}

/// The menu as a shopper in `locale` (default: the requester's, as the storefront picks it) sees it today (or on `date`,
/// `YYYY-MM-DD`): the same entries the storefront slot shows.
pub fn preview(req: &Request) -> Reply {
    let nav = model::navigations().load(&input::required_id(req)?)?;
    let locale = match input::query(req, "locale") {
        Some(code) => {
            let mut errors = Errors::new();
            context::check_locale(code, &mut errors);
            errors.finish()?;
            code.to_owned()
        }
        // The shop locale the requester reads, as the storefront picks it for a shopper.
        None => context::shop_locale(&services::locale()),
    };
    let day = match input::query(req, "date") {
        Some(text) => dates::parse_ymd(text)
            .ok_or_else(|| Failure::bad_request("date must be a date like 2026-12-31"))?,
        None => dates::day_of(dates::now()),
    };
    let view = menu::view(&nav, "header", &locale, day)?;
    let ctx = json!({ "navigation": Out::from(nav), "locale": locale, "menu": view });
    Ok(view_or_json(
        req,
        "navigations/preview.html",
        "Menu preview",
        &ctx,
    ))
}
