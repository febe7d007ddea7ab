//! The navigation section: menus as node trees (labels, categories, CMS pages, internal links,
//! external URLs) with per-locale titles, targets and CSS classes, active flags and validity
//! windows; a tree editor; and the storefront's main and footer menus, rendered into the
//! layout slots `header` and `footer`. See README.md for the JSON it answers.

use backoffice_sdk::prelude::*;

mod menu;
mod model;
mod navigations;
mod nodes;
mod targets;
mod tree;

struct NavigationSection;

fn routes() -> Router {
    Router::new()
        .get("navigations", "index", navigations::index)
        .post("navigations", "create", navigations::create)
        .post("navigations", "update", navigations::update)
        .post("navigations", "delete", navigations::delete)
        .post("navigations", "duplicate", navigations::duplicate)
        .get("navigations", "show", navigations::show)
        .get("navigations", "preview", navigations::preview)
        .post("nodes", "create", nodes::create)
        .get("nodes", "edit", nodes::edit_form)
        .post("nodes", "update", nodes::update)
        .post("nodes", "move", nodes::move_node)
        .get("nodes", "delete", nodes::confirm_delete)
        .post("nodes", "delete", nodes::delete)
}

/// The slot points this section provides: `host.slot-header` (main menu), `host.slot-footer`.
fn slot_points() -> impl Iterator<Item = String> {
    menu::SLOTS
        .iter()
        .map(|(slot, _)| format!("host.slot-{slot}"))
}

impl Plugin for NavigationSection {
    fn manifest() -> Manifest {
        let (cat_plugin, cat_collection) = targets::CATEGORIES;
        let (page_plugin, page_collection) = targets::PAGES;
        let mut manifest = Manifest::new("navigation", "Navigation", env!("CARGO_PKG_VERSION"))
            .describe("Menus as node trees with per-locale titles, shown in the storefront")
            .nav("Navigation", "navigations", "index")
            .acl_from(&routes())
            .reads(cat_plugin, cat_collection)
            .reads(page_plugin, page_collection);
        for collection in model::collections() {
            manifest = manifest.collection(collection);
        }
        // Before the content section's blocks (50): the menu leads the header.
        for point in slot_points() {
            manifest = manifest.provides(&point, 10);
        }
        manifest
            .template(
                "navigations/index.html",
                include_str!("../templates/navigations/index.html"),
            )
            .template(
                "navigations/show.html",
                include_str!("../templates/navigations/show.html"),
            )
            .template(
                "navigations/preview.html",
                include_str!("../templates/navigations/preview.html"),
            )
            .template(
                "nodes/edit.html",
                include_str!("../templates/nodes/edit.html"),
            )
            .template(
                "nodes/delete.html",
                include_str!("../templates/nodes/delete.html"),
            )
            .template(
                "slots/menu.html",
                include_str!("../templates/slots/menu.html"),
            )
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn provide(point: String, input: String) -> Result<String, String> {
        if slot_points().any(|p| p == point) {
            return menu::slot(&input);
        }
        Err(format!("navigation does not provide {point}"))
    }
}

backoffice_sdk::export!(NavigationSection);
