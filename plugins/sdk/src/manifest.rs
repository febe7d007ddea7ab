//! Builders for the manifest a plugin exports: who it is, its menu, ACL resources, collections,
//! grants, storefront routes, subscriptions, templates and widgets.
//!
//! They fill the generated WIT records, nothing more: the host validates the manifest at load
//! (ids are lower-case letters, digits and `-`; collection and field names lower-case letters,
//! digits and `_`) and refuses the plugin with a clear error, so the SDK does not second-guess
//! it. Builders take `self` by value so a manifest reads as one expression.

use crate::bindings::backoffice::plugin::types::Method;
use crate::bindings::exports::backoffice::plugin::plugin as wit;
use crate::router::Router;

pub use wit::{
    AclResource, Collection as CollectionDef, Field, FieldKind, GrantRequest, NavEntry, Provision,
    StorefrontRoute, Template, WidgetInfo,
};

/// The manifest record (`plugin-manifest` in WIT).
pub type Manifest = wit::PluginManifest;

impl Manifest {
    /// A manifest for plugin `id` (the URL section `/admin/<id>/…`), display `name` and semantic
    /// `version` (usually `env!("CARGO_PKG_VERSION")`). The contract version is not part of it:
    /// the host reads it from the component's exports.
    pub fn new(id: &str, name: &str, version: &str) -> Self {
        Manifest {
            id: id.into(),
            name: name.into(),
            version: version.into(),
            description: String::new(),
            nav: Vec::new(),
            acl: Vec::new(),
            collections: Vec::new(),
            reads: Vec::new(),
            storefront_routes: Vec::new(),
            subscribes: Vec::new(),
            templates: Vec::new(),
            widgets: Vec::new(),
            provides: Vec::new(),
            invokes: Vec::new(),
        }
    }

    /// Answers extension point `point` (`<owner>.<name>`, as its owner documents it) through
    /// [`crate::Plugin::provide`]. Providers are asked in ascending `priority`, then by plugin
    /// id. The admin approves each point a plugin provides.
    pub fn provides(mut self, point: &str, priority: i32) -> Self {
        self.provides.push(Provision {
            point: point.into(),
            priority,
        });
        self
    }

    /// Asks extension point `point` with [`crate::extensions::invoke`]. The admin approves each
    /// point a plugin invokes; invoking one not listed here is refused (and audited).
    pub fn invokes(mut self, point: &str) -> Self {
        self.invokes.push(point.into());
        self
    }

    /// One line for the Plugins page.
    pub fn describe(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    /// A menu entry linking to `/admin/<id>/<controller>/<action>`; the host shows it only to
    /// users allowed that action.
    pub fn nav(mut self, label: &str, controller: &str, action: &str) -> Self {
        self.nav.push(NavEntry {
            label: label.into(),
            controller: controller.into(),
            action: action.into(),
        });
        self
    }

    /// An ACL controller and its actions, for the role editor.
    pub fn acl(mut self, controller: &str, actions: &[&str]) -> Self {
        self.acl.push(AclResource {
            controller: controller.into(),
            actions: actions.iter().map(|a| (*a).into()).collect(),
        });
        self
    }

    /// Adds the ACL resources and storefront routes that `router` serves, so the manifest
    /// cannot drift from the code.
    pub fn acl_from(mut self, router: &Router) -> Self {
        for resource in router.acl_resources() {
            match self
                .acl
                .iter_mut()
                .find(|r| r.controller == resource.controller)
            {
                Some(r) => {
                    for a in resource.actions {
                        if !r.actions.contains(&a) {
                            r.actions.push(a);
                        }
                    }
                }
                None => self.acl.push(resource),
            }
        }
        for (method, path) in router.storefront_routes() {
            self = self.storefront_route(method, &path);
        }
        self
    }

    /// A collection the plugin owns.
    pub fn collection(mut self, collection: CollectionDef) -> Self {
        self.collections.push(collection);
        self
    }

    /// Asks to read another plugin's shared collection (the admin sees and grants it).
    pub fn reads(mut self, plugin: &str, collection: &str) -> Self {
        self.reads.push(GrantRequest {
            plugin: plugin.into(),
            collection: collection.into(),
        });
        self
    }

    /// A storefront route such as `/p/{slug}`.
    pub fn storefront_route(mut self, method: Method, path: &str) -> Self {
        self.storefront_routes.push(StorefrontRoute {
            method,
            path: path.into(),
        });
        self
    }

    /// An event topic delivered to `on-event`, e.g. `sales.order-placed`.
    pub fn subscribe(mut self, topic: &str) -> Self {
        self.subscribes.push(topic.into());
        self
    }

    /// A bundled template (usually `include_str!`); themes override it as `<id>/<name>`.
    pub fn template(mut self, name: &str, source: &str) -> Self {
        self.templates.push(Template {
            name: name.into(),
            source: source.into(),
        });
        self
    }

    /// Every `(name, source)` of `templates` as [`Manifest::template`]: a section lists its
    /// bundled templates in one table.
    pub fn templates(self, templates: &[(&str, &str)]) -> Self {
        templates
            .iter()
            .fold(self, |m, (name, source)| m.template(name, source))
    }

    /// A dashboard widget rendered through `widget(name)`.
    pub fn widget(mut self, name: &str, title: &str) -> Self {
        self.widgets.push(WidgetInfo {
            name: name.into(),
            title: title.into(),
        });
        self
    }
}

impl CollectionDef {
    /// A private collection with no indexed fields yet.
    pub fn new(name: &str) -> Self {
        CollectionDef {
            name: name.into(),
            fields: Vec::new(),
            shared: false,
        }
    }

    /// Declares a field the host indexes, searches or keeps unique.
    pub fn field(mut self, field: Field) -> Self {
        self.fields.push(field);
        self
    }

    /// Lets other plugins read it once the admin grants them.
    pub fn shared(mut self) -> Self {
        self.shared = true;
        self
    }
}

impl Field {
    fn of(name: &str, kind: FieldKind) -> Self {
        Field {
            name: name.into(),
            kind,
            indexed: false,
            unique: false,
            searchable: false,
        }
    }

    /// A text field.
    pub fn text(name: &str) -> Self {
        Self::of(name, FieldKind::Text)
    }

    /// An integer field (JSON numbers without a fraction).
    pub fn integer(name: &str) -> Self {
        Self::of(name, FieldKind::Integer)
    }

    /// A number field (any JSON number).
    pub fn number(name: &str) -> Self {
        Self::of(name, FieldKind::Number)
    }

    /// A boolean field.
    pub fn boolean(name: &str) -> Self {
        Self::of(name, FieldKind::Boolean)
    }

    /// Filters and sorts on it are efficient.
    pub fn indexed(mut self) -> Self {
        self.indexed = true;
        self
    }

    /// No two records may share a value (implies indexed).
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self.indexed = true;
        self
    }

    /// Part of full-text search.
    pub fn searchable(mut self) -> Self {
        self.searchable = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Reply, json};

    fn ok(_: &crate::request::Request) -> Reply {
        Ok(json(&1))
    }

    #[test]
    fn builds_a_complete_manifest() {
        let router = Router::new()
            .get("notes", "index", ok)
            .post("notes", "create", ok)
            .storefront(Method::Get, "/n/{id}", ok);
        let m = Manifest::new("notes", "Notes", "1.0.0")
            .describe("Short notes")
            .nav("Notes", "notes", "index")
            .acl("notes", &["export"])
            .acl_from(&router)
            .collection(
                CollectionDef::new("notes")
                    .field(Field::text("title").indexed().searchable())
                    .field(Field::integer("created").unique()),
            )
            .reads("catalog", "products")
            .subscribe("sales.order-placed")
            .template("index.html", "<p>{{ title }}</p>")
            .widget("latest", "Latest notes");
        assert_eq!(m.acl.len(), 1);
        assert_eq!(m.acl[0].actions, ["export", "index", "create"]);
        assert_eq!(m.storefront_routes[0].path, "/n/{id}");
        assert!(m.collections[0].fields[1].indexed);
        assert_eq!(m.reads[0].plugin, "catalog");
    }
}
