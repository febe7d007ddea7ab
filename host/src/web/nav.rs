//! The Back Office menu: the host's entries, then each enabled plugin's, each shown only to
//! users its rules allow; and where a bare section address (`/admin/catalog`) leads: the
//! section's first entry the user may open.

use serde::Serialize;

use crate::acl::Permissions;
use crate::state::AppState;

/// A host menu entry; shown only to users allowed its `index` action.
#[derive(Debug, Clone)]
struct NavEntry {
    label: &'static str,
    href: &'static str,
    section: &'static str,
    controller: &'static str,
}

/// A menu link as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    pub label: String,
    pub href: String,
}

/// The host's own menu; each entry shows only to users allowed its `index` action.
const HOST_NAV: &[NavEntry] = &[
    NavEntry {
        label: "Dashboard",
        href: "/admin",
        section: "dashboard",
        controller: "index",
    },
    NavEntry {
        label: "Users",
        href: "/admin/acl/users/index",
        section: "acl",
        controller: "users",
    },
    NavEntry {
        label: "Groups",
        href: "/admin/acl/groups/index",
        section: "acl",
        controller: "groups",
    },
    NavEntry {
        label: "Roles",
        href: "/admin/acl/roles/index",
        section: "acl",
        controller: "roles",
    },
    NavEntry {
        label: "Settings",
        href: "/admin/settings/stores/index",
        section: "settings",
        controller: "stores",
    },
    NavEntry {
        label: "Media",
        href: "/admin/media/files/index",
        section: "media",
        controller: "files",
    },
    NavEntry {
        label: "Themes",
        href: "/admin/themes/themes/index",
        section: "themes",
        controller: "themes",
    },
    NavEntry {
        label: "Plugins",
        href: "/admin/plugins/plugins/index",
        section: "plugins",
        controller: "plugins",
    },
    NavEntry {
        label: "Outgoing mail",
        href: "/admin/mail/outbox/index",
        section: "mail",
        controller: "outbox",
    },
    NavEntry {
        label: "Audit log",
        href: "/admin/audit/log/index",
        section: "audit",
        controller: "log",
    },
];

/// The menu `permissions` allow: the host's entries, then each enabled plugin's.
pub fn links(state: &AppState, permissions: &Permissions) -> Vec<NavLink> {
    let host = HOST_NAV
        .iter()
        .filter(|e| permissions.can(e.section, e.controller, "index"))
        .map(|e| NavLink {
            label: e.label.to_owned(),
            href: e.href.to_owned(),
        });
    let registry = state.plugins().registry();
    let plugins = registry
        .all()
        .into_iter()
        .filter(|p| !registry.is_disabled(&p.manifest.id))
        .flat_map(|p| {
            let id = p.manifest.id.clone();
            p.manifest
                .nav
                .iter()
                .filter(|e| permissions.can(&id, &e.controller, &e.action))
                .map(|e| NavLink {
                    label: e.label.clone(),
                    href: format!("/admin/{id}/{}/{}", e.controller, e.action),
                })
                .collect::<Vec<_>>()
        });
    host.chain(plugins).collect()
}

/// The section a bare section address names (`/admin/catalog` or `/admin/catalog/`), if the
/// path is one.
pub fn bare_section(path: &str) -> Option<&str> {
    let section = path.strip_prefix("/admin/")?.trim_end_matches('/');
    (!section.is_empty() && !section.contains('/')).then_some(section)
}

/// The first menu entry of `section` that `permissions` allow, if any.
pub fn section_start(state: &AppState, permissions: &Permissions, section: &str) -> Option<String> {
    let prefix = format!("/admin/{section}/");
    links(state, permissions)
        .into_iter()
        .map(|link| link.href)
        .find(|href| href.starts_with(&prefix))
}

#[cfg(test)]
mod tests {
    use super::bare_section;

    #[test]
    fn only_a_section_alone_is_bare() {
        assert_eq!(bare_section("/admin/catalog"), Some("catalog"));
        assert_eq!(bare_section("/admin/catalog/"), Some("catalog"));
        for not_bare in ["/admin", "/admin/", "/admin/catalog/products", "/catalog"] {
            assert_eq!(bare_section(not_bare), None, "{not_bare}");
        }
    }
}
