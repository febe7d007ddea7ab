//! Nodes of a navigation: create (appended to its parent, or at a position), edit (settings and
//! one locale's texts from the form, anything from JSON), move (re-parent and reorder; cycles
//! refused), delete (the whole subtree, after a confirmation that says how many nodes go).

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use backoffice_sdk::services;
use backoffice_sdk::storage::Record;
use serde_json::{Value, json};

use crate::menu;
use crate::model::{self, KINDS, Node, NodeTexts};
use crate::{targets, tree};

fn show_path(navigation_id: &str) -> String {
    format!("/admin/navigation/navigations/show?id={navigation_id}")
}

/// The parent id a client sent: `None` for the top level (absent, `null` or empty).
fn parent_of(fields: &Fields, errors: &mut Errors) -> Option<String> {
    fields.text("parent_id", errors).filter(|p| !p.is_empty())
}

/// Reads the node's own fields onto `node` (fields not sent are kept): `kind`, `active`,
/// `valid_from`, `valid_to`, and the texts — JSON `locales: {<locale>: {title, target,
/// css_class}}` replaces them all; a form's `locale` with `title`, `target` and `css_class`
/// sets that locale's. Then checks the node, its targets included.
fn read(fields: &Fields, node: &mut Node) -> Result<(), Failure> {
    let mut errors = Errors::new();
    if let Some(kind) = fields.text("kind", &mut errors) {
        node.kind = kind;
    }
    if let Some(active) = fields.checkbox("active", &mut errors) {
        node.active = active;
    }
    if let Some(from) = fields.text("valid_from", &mut errors) {
        node.valid_from = from;
    }
    if let Some(to) = fields.text("valid_to", &mut errors) {
        node.valid_to = to;
    }
    match fields.value("locales") {
        None | Some(Value::Null) => {}
        Some(value) => match serde_json::from_value::<BTreeMap<String, NodeTexts>>(value.clone()) {
            Ok(mut locales) => {
                for texts in locales.values_mut() {
                    texts.title = texts.title.trim().to_owned();
                    texts.target = texts.target.trim().to_owned();
                    texts.css_class = texts.css_class.trim().to_owned();
                }
                node.locales = locales;
            }
            Err(e) => errors.add(
                "locales",
                format!("locales must be an object of locale → {{title, target, css_class}}: {e}"),
            ),
        },
    }
    if let Some(locale) = fields.text("locale", &mut errors).filter(|l| !l.is_empty()) {
        let texts = NodeTexts {
            title: fields.text("title", &mut errors).unwrap_or_default(),
            target: fields.text("target", &mut errors).unwrap_or_default(),
            css_class: fields.text("css_class", &mut errors).unwrap_or_default(),
        };
        node.locales.insert(locale, texts);
    }
    model::check_node(node, &mut errors);
    if errors.is_empty() {
        for (locale, texts) in &node.locales {
            targets::check(&node.kind, locale, &texts.target, &mut errors)?;
        }
    }
    errors.finish()
}

/// The parent `id` of navigation `navigation_id` (422 when it is not one of its nodes).
fn check_parent(nodes: &[Record<Node>], parent: &str) -> Result<(), Failure> {
    if nodes.iter().any(|n| n.id == parent) {
        Ok(())
    } else {
        Err(Failure::unprocessable(format!(
            "parent {parent} is not a node of this navigation"
        )))
    }
}

/// Writes the positions `reorder` answered (the moved node's own record is written by the
/// caller with its new parent).
fn write_positions(changes: &[(String, i64)], except: &str) -> Result<(), Failure> {
    for (id, position) in changes.iter().filter(|(id, _)| id != except) {
        model::nodes().patch(id, &json!({ "position": position }))?;
    }
    Ok(())
}

/// The `position` a client sent: the 0-based index among the new siblings (past the end: last).
fn index_of(fields: &Fields, errors: &mut Errors) -> Option<usize> {
    let index = fields.integer("position", errors)?;
    match usize::try_from(index) {
        Ok(i) => Some(i),
        Err(_) => {
            errors.add("position", "position must be 0 or more");
            None
        }
    }
}

pub fn create(req: &Request) -> Reply {
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::new();
    let navigation_id = fields.required_text("navigation_id", &mut errors);
    let parent_id = parent_of(&fields, &mut errors);
    let index = index_of(&fields, &mut errors);
    errors.finish()?;
    let nav = model::navigations().load(&navigation_id)?;
    let nodes = menu::nodes_of(&nav.id)?;
    if let Some(parent) = &parent_id {
        check_parent(&nodes, parent)?;
        if let Some(why) = tree::refuse_move(&nodes, "", Some(parent)) {
            return Err(Failure::unprocessable(why));
        }
    }
    let mut node = Node {
        navigation_id: nav.id.clone(),
        parent_id: parent_id.clone(),
        active: true,
        ..Node::default()
    };
    read(&fields, &mut node)?;
    let children = tree::children(&nodes);
    let siblings = children
        .get(&parent_id.as_deref())
        .cloned()
        .unwrap_or_default();
    let changes = tree::reorder(&siblings, "", index.unwrap_or(usize::MAX), None);
    node.position = changes
        .iter()
        .find(|(id, _)| id.is_empty())
        .map_or(10, |(_, p)| *p);
    write_positions(&changes, "")?;
    let node = model::nodes().add(&node)?;
    Ok(json_or_redirect(
        req,
        &json!({ "node": Out::from(node) }),
        show_path(&nav.id),
        "Node added",
    ))
}

/// JSON: `{id, version?, …fields}`; the form on the edit page sends one locale's texts.
pub fn update(req: &Request) -> Reply {
    let current = model::nodes().load_version(&input::required_id(req)?, input::version(req)?)?;
    let mut node = current.data.clone();
    read(&Fields::from_request(req)?, &mut node)?;
    let node = model::nodes().update(&current, &node)?;
    let location = show_path(&node.data.navigation_id);
    Ok(json_or_redirect(
        req,
        &json!({ "node": Out::from(node) }),
        &location,
        "Node saved",
    ))
}

/// The edit form: the node's settings and the texts of one locale (`locale`, else the first).
pub fn edit_form(req: &Request) -> Reply {
    let node = model::nodes().load(&input::required_id(req)?)?;
    let locales = backoffice_sdk::context::locale_codes();
    let locale = input::query(req, "locale")
        .map(str::to_owned)
        .or_else(|| locales.first().cloned())
        .unwrap_or_default();
    let texts = node.data.locales.get(&locale).cloned().unwrap_or_default();
    let ctx = json!({
        "node": Out::from(node),
        "locale": locale,
        "texts": texts,
        "locales": locales,
        "kinds": KINDS,
    });
    Ok(view_or_json(req, "nodes/edit.html", "Edit node", &ctx))
}

/// Re-parents and reorders: `{id, parent_id (null or empty: top level), position (0-based
/// index among the new siblings)}`. Moving a node under itself or its descendants is refused
/// (422), as is a parent of another navigation.
pub fn move_node(req: &Request) -> Reply {
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::new();
    let id = fields.required_text("id", &mut errors);
    let parent_id = parent_of(&fields, &mut errors);
    let index = index_of(&fields, &mut errors);
    errors.finish()?;
    let current = model::nodes().load(&id)?;
    let nodes = menu::nodes_of(&current.data.navigation_id)?;
    if let Some(parent) = &parent_id {
        check_parent(&nodes, parent)?;
    }
    if let Some(why) = tree::refuse_move(&nodes, &id, parent_id.as_deref()) {
        return Err(Failure::unprocessable(why));
    }
    let children = tree::children(&nodes);
    let siblings = children
        .get(&parent_id.as_deref())
        .cloned()
        .unwrap_or_default();
    let changes = tree::reorder(
        &siblings,
        &id,
        index.unwrap_or(usize::MAX),
        Some(current.data.position),
    );
    write_positions(&changes, &id)?;
    let mut node = current.data.clone();
    node.parent_id = parent_id;
    node.position = changes
        .iter()
        .find(|(n, _)| *n == id)
        .map_or(node.position, |(_, p)| *p);
    let node = model::nodes().change("move", &current, &node)?;
    let location = show_path(&node.data.navigation_id);
    Ok(json_or_redirect(
        req,
        &json!({ "node": Out::from(node) }),
        &location,
        "Node moved",
    ))
}

/// The node and how many nodes its deletion removes (itself and every descendant).
fn with_subtree(id: &str) -> Result<(Record<Node>, Vec<String>), Failure> {
    let node = model::nodes().load(id)?;
    let nodes = menu::nodes_of(&node.data.navigation_id)?;
    let ids = tree::subtree(&nodes, &node.id);
    Ok((node, ids))
}

/// The confirmation page: "Delete <title> and its N descendants (N + 1 nodes)?".
pub fn confirm_delete(req: &Request) -> Reply {
    let (node, ids) = with_subtree(&input::required_id(req)?)?;
    let title = node
        .data
        .locales
        .values()
        .map(|t| t.title.clone())
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    let ctx = json!({
        "node": Out::from(node),
        // Not `title`: the layout's page title has that name.
        "node_title": title,
        "count": ids.len(),
        "descendants": ids.len() - 1,
    });
    Ok(view_or_json(req, "nodes/delete.html", "Delete node", &ctx))
}

/// Deletes the node with its whole subtree; answers how many went.
pub fn delete(req: &Request) -> Reply {
    let (node, ids) = with_subtree(&input::required_id(req)?)?;
    for id in &ids {
        model::nodes().delete(id)?;
    }
    services::audit(
        "node.delete",
        &node.id,
        &format!(
            "{} nodes of navigation {}",
            ids.len(),
            node.data.navigation_id
        ),
    );
    let location = show_path(&node.data.navigation_id);
    Ok(json_or_redirect(
        req,
        &json!({ "deleted": ids.len(), "ids": ids }),
        &location,
        &format!("{} nodes deleted", ids.len()),
    ))
}
