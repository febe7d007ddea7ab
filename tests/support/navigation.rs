//! Navigation fixtures: an app with the real catalog, content and navigation components and the
//! shipped themes, and short helpers to build categories, pages, navigations and nodes through
//! their JSON APIs and to read the menus a storefront page shows.

use backoffice::WebSettings;
use backoffice::plugins::PluginSettings;
use backoffice::themes::ThemeSettings;
use serde_json::{Value, json};

use crate::plugins::fixture;
use crate::themes::shipped_themes;
use crate::{Browser, TestApp};

/// The sections a menu links to, and the menu's own.
pub const SECTIONS: &[&str] = &["catalog", "content", "navigation"];

impl TestApp {
    /// An app with `plugins` (trusted, like the first-party build) and the shipped themes
    /// (`default` active), plugin background work running.
    pub async fn with_plugins_and_themes(plugins: &[&str]) -> TestApp {
        let dir = tempfile::tempdir().expect("creating a temp dir");
        let plugin_dir = dir.path().join("plugins");
        std::fs::create_dir_all(&plugin_dir).expect("creating the plugin dir");
        for name in plugins {
            std::fs::copy(fixture(name), plugin_dir.join(format!("{name}.wasm")))
                .expect("copying a plugin");
        }
        let settings = WebSettings {
            plugins: PluginSettings {
                trusted: vec![plugin_dir.clone()],
                dirs: vec![plugin_dir],
                upload_dir: None,
                cache_dir: Some(dir.path().join("cache")),
            },
            themes: ThemeSettings {
                dir: Some(shipped_themes()),
                watch: false,
            },
            ..WebSettings::default()
        };
        TestApp::serve(dir, settings, true).await
    }
}

/// POSTs `body` as JSON and expects 200; answers the JSON.
pub async fn ok(admin: &Browser, path: &str, body: Value) -> Value {
    let reply = admin.submit_json(path, &body).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.json()
}

/// The `id` under `what` in a JSON answer.
pub fn id_of(answer: &Value, what: &str) -> String {
    answer[what]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {what} id in {answer}"))
        .to_owned()
}

/// A clickable, active category; answers its id.
pub async fn category(admin: &Browser, name: &str, slug: &str) -> String {
    let made = ok(
        admin,
        "/admin/catalog/categories/create",
        json!({"name": name, "slug": slug}),
    )
    .await;
    id_of(&made, "category")
}

/// A published standard CMS page at `url` (en_US); answers its id.
pub async fn cms_page(admin: &Browser, name: &str, url: &str) -> String {
    let made = ok(
        admin,
        "/admin/content/pages/create",
        json!({"template": "standard", "active": true,
               "locales": {"en_US": {"name": name, "url": url,
                                     "placeholders": {"content": format!("<p>{name} text</p>")}}}}),
    )
    .await;
    let id = id_of(&made, "page");
    ok(admin, "/admin/content/pages/publish", json!({ "id": id })).await;
    id
}

/// An active navigation; answers its id.
pub async fn navigation(admin: &Browser, key: &str) -> String {
    let made = ok(
        admin,
        "/admin/navigation/navigations/create",
        json!({"key": key, "name": format!("{key} menu")}),
    )
    .await;
    id_of(&made, "navigation")
}

/// A node of `kind` with an en_US title and target, appended under `parent`; answers its id.
pub async fn node(
    admin: &Browser,
    navigation: &str,
    parent: Option<&str>,
    kind: &str,
    title: &str,
    target: &str,
) -> String {
    let made = ok(
        admin,
        "/admin/navigation/nodes/create",
        json!({"navigation_id": navigation, "parent_id": parent, "kind": kind,
               "locales": {"en_US": {"title": title, "target": target}}}),
    )
    .await;
    id_of(&made, "node")
}

/// The markup of the menu in `placement` (`header`, `footer`) on a page; empty when none.
pub fn menu<'a>(html: &'a str, placement: &str) -> &'a str {
    let open = format!(r#"<nav class="menu menu-{placement}""#);
    let Some(start) = html.find(&open) else {
        return "";
    };
    let end = html[start..]
        .find("</nav>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// The entries' titles of a menu, in document order (links and labels).
pub fn titles(menu: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = menu;
    while let Some(i) = rest.find(['<']) {
        rest = &rest[i..];
        let is_entry = rest.starts_with("<a ") || rest.starts_with(r#"<span class="menu-label""#);
        let Some(close) = rest.find('>') else { break };
        if is_entry {
            let text = &rest[close + 1..];
            let end = text.find('<').unwrap_or(text.len());
            out.push(crate::browser::unescape(&text[..end]));
        }
        rest = &rest[close + 1..];
    }
    out
}

/// The titles of the menu a preview answer shows, depth first, each indented by its depth.
pub fn preview_titles(preview: &Value) -> Vec<String> {
    fn walk(nodes: &Value, depth: usize, out: &mut Vec<String>) {
        for n in nodes.as_array().into_iter().flatten() {
            out.push(format!(
                "{}{}",
                "  ".repeat(depth),
                n["title"].as_str().unwrap_or("?")
            ));
            walk(&n["children"], depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&preview["menu"]["nodes"], 0, &mut out);
    out
}
