//! The content section: CMS pages per locale with versions and preview, CMS blocks placed into
//! the storefront's layout slots, content items (banners with media library images, product
//! lists, navigation references) and redirects. See README.md for the points it provides and
//! the JSON it answers.

use backoffice_sdk::prelude::*;
use backoffice_sdk::usage;

mod blocks;
mod items;
mod model;
mod pages;
mod redirects;
mod rich;
mod rules;
mod storefront;
mod uses;
mod versions;

struct Content;

/// The host's point asked before a storefront 404.
const NOT_FOUND: &str = "host.not-found";

fn routes() -> Router {
    Router::new()
        .get("pages", "index", pages::index)
        .get("pages", "show", pages::show)
        .post("pages", "create", pages::create)
        .post("pages", "update", pages::update)
        .get("pages", "edit", pages::edit_form)
        .post("pages", "edit", pages::edit)
        .post("pages", "delete", pages::delete)
        .post("pages", "publish", versions::publish)
        .get("pages", "versions", versions::history)
        .get("pages", "diff", versions::diff)
        .post("pages", "rollback", versions::rollback)
        .get("pages", "preview", versions::preview)
        .get("blocks", "index", blocks::index)
        .post("blocks", "create", blocks::create)
        .post("blocks", "update", blocks::update)
        .post("blocks", "delete", blocks::delete)
        .get("items", "index", items::index)
        .post("items", "create", items::create)
        .post("items", "update", items::update)
        .post("items", "delete", items::delete)
        .get("redirects", "index", redirects::index)
        .post("redirects", "create", redirects::create)
        .post("redirects", "update", redirects::update)
        .post("redirects", "delete", redirects::delete)
}

/// The slot points this section provides: `host.slot-<slot>`.
fn slot_points() -> impl Iterator<Item = (&'static str, String)> {
    model::SLOTS.iter().map(|s| (*s, format!("host.slot-{s}")))
}

impl Plugin for Content {
    fn manifest() -> Manifest {
        let mut manifest = Manifest::new("content", "Content", env!("CARGO_PKG_VERSION"))
            .describe("CMS pages, blocks, content items and redirects")
            .nav("CMS pages", "pages", "index")
            .nav("CMS blocks", "blocks", "index")
            .nav("Content items", "items", "index")
            .nav("Redirects", "redirects", "index")
            .acl_from(&routes())
            .provides(NOT_FOUND, 50)
            .provides(usage::POINT, 0)
            .invokes(rules::ROUTE_OWNER)
            .reads("catalog", "products");
        for collection in model::collections() {
            manifest = manifest.collection(collection);
        }
        for (_, point) in slot_points() {
            manifest = manifest.provides(&point, 50);
        }
        templates(manifest)
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn provide(point: String, input: String) -> Result<String, String> {
        if point == NOT_FOUND {
            return storefront::not_found(&input);
        }
        if point == usage::POINT {
            return usage::answer(&input, uses::of);
        }
        if slot_points().any(|(_, p)| p == point) {
            return blocks::slot(&input);
        }
        Err(format!("content does not provide {point}"))
    }
}

/// The bundled templates: Back Office pages, storefront page, block and item templates.
fn templates(manifest: Manifest) -> Manifest {
    manifest
        .template(
            "pages/index.html",
            include_str!("../templates/pages/index.html"),
        )
        .template(
            "pages/edit.html",
            include_str!("../templates/pages/edit.html"),
        )
        .template(
            "pages/versions.html",
            include_str!("../templates/pages/versions.html"),
        )
        .template(
            "pages/diff.html",
            include_str!("../templates/pages/diff.html"),
        )
        .template(
            "blocks/index.html",
            include_str!("../templates/blocks/index.html"),
        )
        .template(
            "items/index.html",
            include_str!("../templates/items/index.html"),
        )
        .template(
            "redirects/index.html",
            include_str!("../templates/redirects/index.html"),
        )
        .template("parts.html", include_str!("../templates/parts.html"))
        .template(
            "cms/standard.html",
            include_str!("../templates/cms/standard.html"),
        )
        .template(
            "cms/two-columns.html",
            include_str!("../templates/cms/two-columns.html"),
        )
        .template(
            "slots/block.html",
            include_str!("../templates/slots/block.html"),
        )
        .template(
            "blocks/text.html",
            include_str!("../templates/blocks/text.html"),
        )
        .template(
            "blocks/teaser.html",
            include_str!("../templates/blocks/teaser.html"),
        )
        .template(
            "items/banner.html",
            include_str!("../templates/items/banner.html"),
        )
        .template(
            "items/product-list.html",
            include_str!("../templates/items/product-list.html"),
        )
        .template(
            "items/navigation.html",
            include_str!("../templates/items/navigation.html"),
        )
}

backoffice_sdk::export!(Content);
