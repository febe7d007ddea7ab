//! The tree as a whole: nodes in depth-first order, a node's subtree, whether a move would make
//! a node its own ancestor, and the positions after a reorder. Pure functions over the loaded
//! nodes of one navigation (a navigation is loaded whole: menus are hundreds of nodes, not
//! millions), so every tree rule is decided in one place and tested without a host.

use std::collections::{BTreeMap, BTreeSet};

use backoffice_sdk::storage::Record;

use crate::model::Node;

/// Deepest tree walked; deeper nodes are not shown (and a move that would go deeper is refused).
pub const MAX_DEPTH: usize = 50;

/// Children by parent id (`None`: top level), each list by position, then creation, then id.
/// A node whose parent is not in `nodes` is listed under its missing parent, so it is never
/// reached from the top: orphans are not shown.
pub fn children(nodes: &[Record<Node>]) -> BTreeMap<Option<&str>, Vec<&Record<Node>>> {
    let mut map: BTreeMap<Option<&str>, Vec<&Record<Node>>> = BTreeMap::new();
    for n in nodes {
        map.entry(n.data.parent_id.as_deref()).or_default().push(n);
    }
    for list in map.values_mut() {
        list.sort_by(|a, b| {
            (a.data.position, a.created_at, &a.id).cmp(&(b.data.position, b.created_at, &b.id))
        });
    }
    map
}

/// Every node reachable from the top, depth first, with its depth (top level: 0).
pub fn depth_first(nodes: &[Record<Node>]) -> Vec<(usize, &Record<Node>)> {
    let children = children(nodes);
    let mut out = Vec::with_capacity(nodes.len());
    let mut stack: Vec<(usize, &Record<Node>)> = children
        .get(&None)
        .map(|l| l.iter().rev().map(|n| (0, *n)).collect())
        .unwrap_or_default();
    while let Some((depth, node)) = stack.pop() {
        out.push((depth, node));
        if depth + 1 >= MAX_DEPTH {
            continue;
        }
        if let Some(list) = children.get(&Some(node.id.as_str())) {
            stack.extend(list.iter().rev().map(|n| (depth + 1, *n)));
        }
    }
    out
}

/// The ids of `id` and all its descendants (`id` first).
pub fn subtree(nodes: &[Record<Node>], id: &str) -> Vec<String> {
    let children = children(nodes);
    let mut out = vec![id.to_owned()];
    let mut seen: BTreeSet<&str> = BTreeSet::from([id]);
    let mut i = 0;
    while i < out.len() {
        let current = out[i].clone();
        if let Some(list) = children.get(&Some(current.as_str())) {
            for n in list {
                if seen.insert(n.id.as_str()) {
                    out.push(n.id.clone());
                }
            }
        }
        i += 1;
    }
    out
}

/// Why a node cannot move under `parent`, if it cannot: `parent` is the node itself or one of
/// its descendants (a cycle), or the node would end up deeper than [`MAX_DEPTH`].
pub fn refuse_move(nodes: &[Record<Node>], id: &str, parent: Option<&str>) -> Option<String> {
    let parent = parent?;
    let parents: BTreeMap<&str, Option<&str>> = nodes
        .iter()
        .map(|n| (n.id.as_str(), n.data.parent_id.as_deref()))
        .collect();
    let mut current = Some(parent);
    let mut depth = 0;
    while let Some(c) = current {
        if c == id {
            return Some("a node cannot move under itself or one of its own descendants".into());
        }
        depth += 1;
        if depth > MAX_DEPTH {
            break;
        }
        current = parents.get(c).copied().flatten();
    }
    let below = depth_below(nodes, id);
    (depth + below >= MAX_DEPTH)
        .then(|| format!("the menu would be deeper than {MAX_DEPTH} levels"))
}

/// How many levels lie below `id` (0 for a leaf).
fn depth_below(nodes: &[Record<Node>], id: &str) -> usize {
    let children = children(nodes);
    let mut deepest = 0;
    let mut stack = vec![(id, 0usize)];
    while let Some((n, d)) = stack.pop() {
        deepest = deepest.max(d);
        if d >= MAX_DEPTH {
            continue;
        }
        if let Some(list) = children.get(&Some(n)) {
            stack.extend(list.iter().map(|c| (c.id.as_str(), d + 1)));
        }
    }
    deepest
}

/// The siblings' new positions when `id` is placed at `index` (0-based, clamped) among
/// `siblings` (in their order, `id` left out or not): `(id, position)` for every node whose
/// position changes. Positions become 10, 20, 30, … so a hand-made insert fits in between.
pub fn reorder(
    siblings: &[&Record<Node>],
    id: &str,
    index: usize,
    moved_position: Option<i64>,
) -> Vec<(String, i64)> {
    let mut order: Vec<(&str, Option<i64>)> = siblings
        .iter()
        .filter(|n| n.id != id)
        .map(|n| (n.id.as_str(), Some(n.data.position)))
        .collect();
    order.insert(index.min(order.len()), (id, moved_position));
    order
        .into_iter()
        .enumerate()
        .filter_map(|(i, (n, old))| {
            let new = (i as i64 + 1) * 10;
            (old != Some(new) || n == id).then(|| (n.to_owned(), new))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, parent: Option<&str>, position: i64) -> Record<Node> {
        Record {
            id: id.into(),
            data: Node {
                parent_id: parent.map(Into::into),
                position,
                ..Node::default()
            },
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn sample() -> Vec<Record<Node>> {
        vec![
            node("b", None, 20),
            node("a", None, 10),
            node("a1", Some("a"), 10),
            node("a1x", Some("a1"), 10),
            node("a2", Some("a"), 5),
            node("orphan", Some("gone"), 1),
        ]
    }

    #[test]
    fn depth_first_by_position_without_orphans() {
        let nodes = sample();
        let order: Vec<(usize, &str)> = depth_first(&nodes)
            .into_iter()
            .map(|(d, n)| (d, n.id.as_str()))
            .collect();
        assert_eq!(
            order,
            [(0, "a"), (1, "a2"), (1, "a1"), (2, "a1x"), (0, "b")]
        );
    }

    #[test]
    fn subtrees_and_cycles() {
        let nodes = sample();
        assert_eq!(subtree(&nodes, "a"), ["a", "a2", "a1", "a1x"]);
        assert!(refuse_move(&nodes, "a", Some("a1x")).is_some());
        assert!(refuse_move(&nodes, "a", Some("a")).is_some());
        assert!(refuse_move(&nodes, "a1", Some("b")).is_none());
        assert!(refuse_move(&nodes, "a1", None).is_none());
    }

    #[test]
    fn reorder_numbers_siblings() {
        let nodes = sample();
        let kids = children(&nodes);
        let top = kids.get(&None).unwrap();
        // b before a: b → 10, a → 20.
        assert_eq!(
            reorder(top, "b", 0, Some(20)),
            [("b".to_owned(), 10), ("a".to_owned(), 20)]
        );
        // a1 moved to the top level at the end.
        let moved = reorder(top, "a1", 9, None);
        assert_eq!(moved, [("a1".to_owned(), 30)]);
    }
}
