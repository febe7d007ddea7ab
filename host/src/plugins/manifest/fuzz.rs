//! Fuzz target: the manifest validator takes whatever a plugin returns. Arbitrary manifests
//! (names and paths from an alphabet of the characters validators trip over) must never panic
//! it, and what it accepts must keep the promises the rest of the host relies on.

use proptest::collection::vec;
use proptest::prelude::*;

use super::super::bindings::guest;
use super::super::bindings::types::Method;
use super::{is_plugin_id, validate};

/// Short strings over letters, digits and the separators, dots, slashes, braces and
/// control characters that names and paths are checked for.
fn name() -> impl Strategy<Value = String> {
    "[a-z0-9_./{}*: \\-\\\\\n\u{0}é]{0,12}"
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Get),
        Just(Method::Post),
        Just(Method::Put),
        Just(Method::Patch),
        Just(Method::Delete),
    ]
}

fn field() -> impl Strategy<Value = guest::Field> {
    (name(), 0..4u8, any::<[bool; 3]>()).prop_map(|(name, kind, [indexed, unique, searchable])| {
        guest::Field {
            name,
            kind: match kind {
                0 => guest::FieldKind::Text,
                1 => guest::FieldKind::Integer,
                2 => guest::FieldKind::Number,
                _ => guest::FieldKind::Boolean,
            },
            indexed,
            unique,
            searchable,
        }
    })
}

fn manifest() -> impl Strategy<Value = guest::PluginManifest> {
    let head = (name(), name(), "[0-9.a-z-]{0,8}");
    let nav = vec((name(), name(), name()), 0..3).prop_map(|entries| {
        entries
            .into_iter()
            .map(|(label, controller, action)| guest::NavEntry {
                label,
                controller,
                action,
            })
            .collect()
    });
    let acl = vec((name(), vec(name(), 0..3)), 0..3).prop_map(|resources| {
        resources
            .into_iter()
            .map(|(controller, actions)| guest::AclResource {
                controller,
                actions,
            })
            .collect()
    });
    let collections = vec((name(), vec(field(), 0..4), any::<bool>()), 0..3).prop_map(|cs| {
        cs.into_iter()
            .map(|(name, fields, shared)| guest::Collection {
                name,
                fields,
                shared,
            })
            .collect()
    });
    let routes = vec((method(), name()), 0..3).prop_map(|routes| {
        routes
            .into_iter()
            .map(|(method, path)| guest::StorefrontRoute { method, path })
            .collect()
    });
    let links = (
        vec((name(), name()), 0..3),
        vec(name(), 0..3),
        vec((name(), any::<i32>()), 0..3),
        vec(name(), 0..3),
    );
    (head, nav, acl, collections, routes, links).prop_map(
        |((id, name, version), nav, acl, collections, storefront_routes, links)| {
            let (reads, subscribes, provides, invokes) = links;
            guest::PluginManifest {
                id,
                name,
                version,
                description: String::new(),
                nav,
                acl,
                collections,
                reads: reads
                    .into_iter()
                    .map(|(plugin, collection)| guest::GrantRequest { plugin, collection })
                    .collect(),
                storefront_routes,
                subscribes,
                templates: Vec::new(),
                widgets: Vec::new(),
                provides: provides
                    .into_iter()
                    .map(|(point, priority)| guest::Provision { point, priority })
                    .collect(),
                invokes,
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_manifest_validator_never_panics_and_accepts_only_plain_ids(raw in manifest()) {
        let id = raw.id.clone();
        if let Ok(manifest) = validate(raw) {
            prop_assert!(is_plugin_id(&manifest.id));
            prop_assert_eq!(manifest.id, id);
            for route in &manifest.storefront_routes {
                prop_assert!(route.path.starts_with('/'), "{:?}", route.path);
            }
        }
    }
}
