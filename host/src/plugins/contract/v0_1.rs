//! Contract 0.1, frozen: its `plugin` export forwarded to the latest types. The host services
//! 0.1 imports are the same interfaces 0.2 imports (they kept their `@0.1.0` names), so only
//! the export's records need converting: requests and events go down, answers and manifests
//! come up. A 0.1 plugin provides no extension points and invokes none.

use super::super::bindings::guest as new;
use super::super::bindings::v0_1::exports::backoffice::plugin::plugin as old;

impl From<&new::Request> for old::Request {
    fn from(r: &new::Request) -> Self {
        old::Request {
            surface: r.surface,
            method: r.method,
            path: r.path.clone(),
            controller: r.controller.clone(),
            action: r.action.clone(),
            query: r.query.clone(),
            form: r.form.clone(),
            body: r.body.clone(),
            wants_json: r.wants_json,
        }
    }
}

impl From<&new::Event> for old::Event {
    fn from(e: &new::Event) -> Self {
        old::Event {
            id: e.id,
            topic: e.topic.clone(),
            source: e.source.clone(),
            payload: e.payload.clone(),
            attempt: e.attempt,
        }
    }
}

impl From<old::View> for new::View {
    fn from(v: old::View) -> Self {
        new::View {
            template: v.template,
            title: v.title,
            context: v.context,
        }
    }
}

impl From<old::Response> for new::Response {
    fn from(r: old::Response) -> Self {
        match r {
            old::Response::View(v) => new::Response::View(v.into()),
            old::Response::Redirect(r) => new::Response::Redirect(new::Redirect {
                location: r.location,
                flash: r.flash,
            }),
            old::Response::Json(j) => new::Response::Json(j),
            old::Response::Download(d) => new::Response::Download(new::Download {
                filename: d.filename,
                content_type: d.content_type,
                bytes: d.bytes,
            }),
            old::Response::Failure(f) => new::Response::Failure(new::Failure {
                status: f.status,
                message: f.message,
            }),
        }
    }
}

/// The manifest in the latest shape. Its self-declared `wit-version` is dropped: the host
/// knows the version from the component's export.
impl From<old::PluginManifest> for new::PluginManifest {
    fn from(m: old::PluginManifest) -> Self {
        new::PluginManifest {
            id: m.id,
            name: m.name,
            version: m.version,
            description: m.description,
            nav: m.nav.into_iter().map(nav).collect(),
            acl: m.acl.into_iter().map(acl).collect(),
            collections: m.collections.into_iter().map(collection).collect(),
            reads: m
                .reads
                .into_iter()
                .map(|g| new::GrantRequest {
                    plugin: g.plugin,
                    collection: g.collection,
                })
                .collect(),
            storefront_routes: m
                .storefront_routes
                .into_iter()
                .map(|r| new::StorefrontRoute {
                    method: r.method,
                    path: r.path,
                })
                .collect(),
            subscribes: m.subscribes,
            templates: m
                .templates
                .into_iter()
                .map(|t| new::Template {
                    name: t.name,
                    source: t.source,
                })
                .collect(),
            widgets: m
                .widgets
                .into_iter()
                .map(|w| new::WidgetInfo {
                    name: w.name,
                    title: w.title,
                })
                .collect(),
            provides: Vec::new(),
            invokes: Vec::new(),
        }
    }
}

fn nav(n: old::NavEntry) -> new::NavEntry {
    new::NavEntry {
        label: n.label,
        controller: n.controller,
        action: n.action,
    }
}

fn acl(a: old::AclResource) -> new::AclResource {
    new::AclResource {
        controller: a.controller,
        actions: a.actions,
    }
}

fn collection(c: old::Collection) -> new::Collection {
    new::Collection {
        name: c.name,
        shared: c.shared,
        fields: c
            .fields
            .into_iter()
            .map(|f| new::Field {
                name: f.name,
                kind: match f.kind {
                    old::FieldKind::Text => new::FieldKind::Text,
                    old::FieldKind::Integer => new::FieldKind::Integer,
                    old::FieldKind::Number => new::FieldKind::Number,
                    old::FieldKind::Boolean => new::FieldKind::Boolean,
                },
                indexed: f.indexed,
                unique: f.unique,
                searchable: f.searchable,
            })
            .collect(),
    }
}
