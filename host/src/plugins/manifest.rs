//! A plugin's self-description, validated before the plugin may serve anything.
//!
//! Validation collects every problem at once and words each so an author can fix it without
//! reading host code; the Plugins page shows the list verbatim.

use serde::Serialize;

use super::bindings::guest;
use super::bindings::types::Method;
use crate::storage::{self, CollectionSpec, FieldKind, FieldSpec};

/// Section ids the host itself uses under `/admin`.
pub const RESERVED_IDS: &[&str] = &[
    "dashboard",
    "acl",
    "audit",
    "plugins",
    "themes",
    "settings",
    "media",
    "mail",
    // Event topics `host.…` and extension points `host.…` are the host's own.
    "host",
    "account",
    "index",
    "assets",
    // Template namespaces of the host and the themes (`backoffice/…`, `storefront/…`).
    "backoffice",
    "storefront",
    "customer",
];

/// Paths a storefront route may not take over.
pub const RESERVED_PATHS: &[&str] = &[
    "/admin",
    "/login",
    "/logout",
    "/account",
    "/assets",
    "/healthz",
    "/metrics",
    "/customer",
    "/agent",
    "/themes",
    "/media",
];

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Grant {
    pub plugin: String,
    pub collection: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavEntry {
    pub label: String,
    pub controller: String,
    pub action: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AclResource {
    pub controller: String,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StorefrontRoute {
    pub method: String,
    pub path: String,
}

/// An extension point the plugin answers, and where it stands among the point's providers.
#[derive(Debug, Clone, Serialize)]
pub struct Provision {
    pub point: String,
    pub priority: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Widget {
    pub name: String,
    pub title: String,
}

/// A validated manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub id: String,
    pub name: String,
    pub version: String,
    /// The contract version the component exports (`0.1.0`, `0.2.0`); set by the loader from
    /// the component itself, never from what the plugin says.
    pub contract: String,
    /// The host interfaces the component imports (`storage@0.1.0`, …); set by the loader.
    pub imports: Vec<String>,
    pub description: String,
    pub nav: Vec<NavEntry>,
    pub acl: Vec<AclResource>,
    pub collections: Vec<CollectionSpec>,
    pub reads: Vec<Grant>,
    pub storefront_routes: Vec<StorefrontRoute>,
    pub subscribes: Vec<String>,
    /// (name, source) of bundled templates.
    #[serde(skip)]
    pub templates: Vec<(String, String)>,
    pub template_names: Vec<String>,
    pub widgets: Vec<Widget>,
    /// Extension points it answers.
    pub provides: Vec<Provision>,
    /// Extension points it asks.
    pub invokes: Vec<String>,
    /// Host powers beyond the basics that the component imports (see [`CAPABILITIES`]); set by
    /// the runtime from the component's imports, shown on the Plugins page.
    pub capabilities: Vec<String>,
}

/// Host interfaces that give a plugin power over more than its own data, by WIT interface
/// name. Importing one is how a plugin asks for it; the Plugins page lists it for the admin.
pub const CAPABILITIES: &[&str] = &["customer-accounts", "mail"];

/// The host interfaces among a component's import names, as `<name>@<version>`
/// (`backoffice:plugin/storage@0.1.0` → `storage@0.1.0`), sorted.
pub fn host_interfaces<'a>(imports: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut found: Vec<String> = imports
        .into_iter()
        .filter_map(|name| name.strip_prefix("backoffice:plugin/"))
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The [`CAPABILITIES`] among a component's import names (`backoffice:plugin/<name>@<version>`).
pub fn capabilities<'a>(imports: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut found: Vec<String> = imports
        .into_iter()
        .filter_map(|name| name.strip_prefix("backoffice:plugin/"))
        .filter_map(|rest| rest.split('@').next())
        .filter(|interface| CAPABILITIES.contains(interface))
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

impl Manifest {
    /// The identity a plugin has while its manifest is being read: nothing declared, nothing
    /// granted, so any storage or event call it makes is refused.
    pub fn unloaded(file_stem: &str) -> Manifest {
        Manifest {
            id: format!("(loading {file_stem})"),
            name: String::new(),
            version: String::new(),
            contract: String::new(),
            imports: Vec::new(),
            description: String::new(),
            nav: Vec::new(),
            acl: Vec::new(),
            collections: Vec::new(),
            reads: Vec::new(),
            storefront_routes: Vec::new(),
            subscribes: Vec::new(),
            templates: Vec::new(),
            template_names: Vec::new(),
            widgets: Vec::new(),
            provides: Vec::new(),
            invokes: Vec::new(),
            capabilities: Vec::new(),
        }
    }
}

/// All the problems of a manifest, one per line.
#[derive(Debug, thiserror::Error)]
#[error("invalid manifest:\n- {}", .0.join("\n- "))]
pub struct Invalid(pub Vec<String>);

fn is_plugin_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= 48
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// `<owner-plugin-id>.<name>`, e.g. `sales.cart-adjustments`.
fn is_point(s: &str) -> bool {
    s.split_once('.')
        .is_some_and(|(owner, name)| is_plugin_id(owner) && is_segment(name))
}

fn has_duplicates<'a>(items: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = std::collections::HashSet::new();
    items.into_iter().any(|item| !seen.insert(item))
}

fn is_version(s: &str) -> bool {
    let core = s.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

/// The storage specs the manifest's collections declare (unique implies indexed).
fn collection_specs(raw: &[guest::Collection]) -> Vec<CollectionSpec> {
    raw.iter()
        .map(|c| CollectionSpec {
            name: c.name.clone(),
            shared: c.shared,
            fields: c
                .fields
                .iter()
                .map(|f| FieldSpec {
                    name: f.name.clone(),
                    kind: match f.kind {
                        guest::FieldKind::Text => FieldKind::Text,
                        guest::FieldKind::Integer => FieldKind::Integer,
                        guest::FieldKind::Number => FieldKind::Number,
                        guest::FieldKind::Boolean => FieldKind::Boolean,
                    },
                    indexed: f.indexed || f.unique,
                    unique: f.unique,
                    searchable: f.searchable,
                })
                .collect(),
        })
        .collect()
}

/// Checks a manifest as returned by the plugin.
pub fn validate(raw: guest::PluginManifest) -> Result<Manifest, Invalid> {
    let mut errors = Vec::new();
    let mut err = |msg: String| errors.push(msg);

    if !is_plugin_id(&raw.id) {
        err(format!(
            "id {:?} must start with a lower-case letter and contain only lower-case letters, digits and '-' (at most 32)",
            raw.id
        ));
    } else if RESERVED_IDS.contains(&raw.id.as_str()) {
        err(format!("id {:?} is reserved for the host", raw.id));
    }
    if raw.name.trim().is_empty() || raw.name.chars().count() > 100 {
        err("name must be 1 to 100 characters".into());
    }
    if !is_version(&raw.version) {
        err(format!(
            "version {:?} is not a semantic version such as 1.2.3",
            raw.version
        ));
    }
    for entry in &raw.nav {
        if entry.label.trim().is_empty() {
            err("a nav entry has an empty label".into());
        }
        if !is_segment(&entry.controller) || !is_segment(&entry.action) {
            err(format!(
                "nav entry {:?}: controller and action must be lower-case letters, digits, '-' or '_'",
                entry.label
            ));
        }
    }
    for resource in &raw.acl {
        if !is_segment(&resource.controller) || resource.actions.iter().any(|a| !is_segment(a)) {
            err(format!(
                "acl controller {:?}: names must be lower-case letters, digits, '-' or '_'",
                resource.controller
            ));
        }
    }
    let collections = collection_specs(&raw.collections);
    if let Err(problem) = storage::check_specs("plugin", &collections) {
        err(format!("collections: {problem}"));
    }
    for g in &raw.reads {
        if !is_plugin_id(&g.plugin) || !is_name(&g.collection) {
            err(format!(
                "read grant {}/{} is not a valid plugin id and collection name",
                g.plugin, g.collection
            ));
        }
        if g.plugin == raw.id {
            err(format!(
                "read grant {}/{}: a plugin always reads its own collections",
                g.plugin, g.collection
            ));
        }
    }
    for r in &raw.storefront_routes {
        let path_ok = r.path.starts_with('/')
            && r.path.len() <= 200
            && r.path[1..].split('/').all(|seg| {
                seg.is_empty() && r.path == "/"
                    || is_segment(seg)
                    || (seg.starts_with('{')
                        && seg.ends_with('}')
                        && is_name(&seg[1..seg.len() - 1]))
            });
        if !path_ok {
            err(format!(
                "storefront route {:?}: segments must be lower-case letters, digits, '-', '_' or {{name}}",
                r.path
            ));
        } else if RESERVED_PATHS
            .iter()
            .any(|p| r.path == *p || r.path.starts_with(&format!("{p}/")))
        {
            err(format!(
                "storefront route {:?} is reserved for the host",
                r.path
            ));
        }
    }
    for p in &raw.provides {
        if !is_point(&p.point) {
            err(format!(
                "provided extension point {:?} must look like owner-plugin.point-name",
                p.point
            ));
        }
    }
    if has_duplicates(raw.provides.iter().map(|p| p.point.as_str())) {
        err("an extension point is listed twice under provides".into());
    }
    for point in &raw.invokes {
        if !is_point(point) {
            err(format!(
                "invoked extension point {point:?} must look like owner-plugin.point-name"
            ));
        }
    }
    if has_duplicates(raw.invokes.iter().map(String::as_str)) {
        err("an extension point is listed twice under invokes".into());
    }
    for topic in &raw.subscribes {
        let ok = topic.contains('.') && topic.split('.').all(is_segment);
        if !ok {
            err(format!(
                "subscribed topic {topic:?} must look like section.event-name"
            ));
        }
    }
    for t in &raw.templates {
        // `.txt`: the text part of a mail template (see `crate::mail::render`).
        let ok = (t.name.ends_with(".html") || t.name.ends_with(".txt"))
            && !t.name.contains("..")
            && !t.name.starts_with('/')
            && t.name.split('/').all(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            });
        if !ok {
            err(format!(
                "template {:?}: names are relative paths like \"notes/index.html\"",
                t.name
            ));
        }
        if t.source.len() > 256 * 1024 {
            err(format!("template {:?} is larger than 256 KiB", t.name));
        }
    }
    for w in &raw.widgets {
        if !is_segment(&w.name) || w.title.trim().is_empty() {
            err(format!(
                "widget {:?}: needs a lower-case name and a title",
                w.name
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Invalid(errors));
    }
    Ok(Manifest {
        id: raw.id,
        name: raw.name,
        version: raw.version,
        contract: String::new(),
        imports: Vec::new(),
        description: raw.description,
        nav: raw
            .nav
            .into_iter()
            .map(|n| NavEntry {
                label: n.label,
                controller: n.controller,
                action: n.action,
            })
            .collect(),
        acl: raw
            .acl
            .into_iter()
            .map(|a| AclResource {
                controller: a.controller,
                actions: a.actions,
            })
            .collect(),
        collections,
        reads: raw
            .reads
            .into_iter()
            .map(|g| Grant {
                plugin: g.plugin,
                collection: g.collection,
            })
            .collect(),
        storefront_routes: raw
            .storefront_routes
            .into_iter()
            .map(|r| StorefrontRoute {
                method: method_name(r.method).into(),
                path: r.path,
            })
            .collect(),
        subscribes: raw.subscribes,
        template_names: raw.templates.iter().map(|t| t.name.clone()).collect(),
        templates: raw
            .templates
            .into_iter()
            .map(|t| (t.name, t.source))
            .collect(),
        widgets: raw
            .widgets
            .into_iter()
            .map(|w| Widget {
                name: w.name,
                title: w.title,
            })
            .collect(),
        provides: raw
            .provides
            .into_iter()
            .map(|p| Provision {
                point: p.point,
                priority: p.priority,
            })
            .collect(),
        invokes: raw.invokes,
        capabilities: Vec::new(),
    })
}

#[cfg(test)]
mod capability_tests {
    use super::capabilities;

    #[test]
    fn capabilities_come_from_host_interface_imports() {
        let imports = [
            "wasi:io/streams@0.2.6",
            "backoffice:plugin/storage@0.1.0",
            "backoffice:plugin/customer-accounts@0.1.0",
            "other:pkg/customer-accounts@1.0.0",
        ];
        assert_eq!(capabilities(imports), ["customer-accounts"]);
        assert!(capabilities(["backoffice:plugin/log@0.1.0"]).is_empty());
    }
}

#[cfg(test)]
mod fuzz;
