//! Themes: the overlay (theme > parent > plugin > built-in), variables, the Themes page and its
//! ACL, preview, safe paths, escaping, fuel, hot reload and broken files.

use std::path::Path;

use backoffice::themes::env::BUILTIN;
use backoffice_tests::themes::{copy_of_shipped_themes, eventually, shipped_themes, write};
use backoffice_tests::{Browser, TestApp, raw};
use minijinja::context;

const PASSWORD: &str = "themes-user-password-1";

/// Activates `theme` for `surface` through the Themes page.
async fn activate(admin: &Browser, theme: &str, surface: &str) {
    let reply = admin
        .submit(
            "/admin/themes/themes/activate",
            &[("theme", theme), ("surface", surface)],
        )
        .await;
    assert!(
        reply.redirects_to("/admin/themes/themes/index"),
        "{reply:?}"
    );
}

#[tokio::test]
async fn storefront_home_uses_the_default_theme() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let home = app.browser().get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    let text = home.text();
    assert!(text.contains("theme-default surface-storefront"), "{text}");
    assert!(text.contains("/themes/default/static/css/base.css?v="));
    assert!(text.contains("/themes/default/vars.css?v="));
    assert!(text.contains("Welcome to Shop"));
    assert!(
        text.contains("/customer/login"),
        "header slot for the account menu"
    );

    let json = app.browser().get_json("/").await;
    assert_eq!(json.status, 200);
    json.json();

    // Its stylesheet is cacheable under the versioned URL only.
    let start = text.find("/themes/default/static/css/base.css?v=").unwrap();
    let url: String = text[start..].chars().take_while(|c| *c != '"').collect();
    let css = app.browser().get(&url).await;
    assert_eq!(css.status, 200);
    assert_eq!(
        css.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let unversioned = app
        .browser()
        .get("/themes/default/static/css/base.css")
        .await;
    assert_eq!(unversioned.headers["cache-control"], "no-cache");
}

#[tokio::test]
async fn without_themes_the_built_in_templates_serve_both_surfaces() {
    let app = TestApp::start().await;
    let home = app.browser().get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains("/assets/backoffice.css?v="));
    assert!(
        home.text().contains("Welcome to Shop"),
        "the default theme's variables, compiled in"
    );
    let css = app.browser().get("/assets/backoffice.css").await;
    assert!(
        css.body.contains("--theme-accent: #1f5fbf;"),
        "{}",
        css.body
    );
    let admin = app.admin().await;
    let dashboard = admin.get("/admin").await;
    assert!(dashboard.body.contains("<h1>Dashboard</h1>"));
}

#[tokio::test]
async fn theme_beats_parent_beats_plugin_beats_built_in() {
    let themes = copy_of_shipped_themes();
    let root = themes.path();
    write(&root.join("midnight/templates/hello/a.html"), "midnight a");
    write(&root.join("default/templates/hello/a.html"), "default a");
    write(&root.join("default/templates/hello/b.html"), "default b");
    let app = TestApp::with_themes(root, false).await;
    let templates = app.state.templates();
    let bundled: Vec<(String, String)> = ["a", "b", "c"]
        .iter()
        .map(|n| (format!("{n}.html"), format!("plugin {n}")))
        .collect();
    templates.set_plugin_templates("hello", &bundled).unwrap();
    let render = |theme: &str, name: &str| templates.render(theme, name, context! {}).unwrap();
    assert_eq!(render("midnight", "hello/a.html"), "midnight a");
    assert_eq!(render("midnight", "hello/b.html"), "default b");
    assert_eq!(render("midnight", "hello/c.html"), "plugin c");
    assert_eq!(render("default", "hello/a.html"), "default a");
    assert_eq!(render(BUILTIN, "hello/a.html"), "plugin a");

    // Over HTTP: midnight's header, the host's layout with default's stylesheets, the built-in
    // dashboard content.
    let admin = app.admin().await;
    activate(&admin, "midnight", "backoffice").await;
    let dashboard = admin.get("/admin").await;
    let text = dashboard.text();
    assert!(text.contains("midnight-header"), "{text}");
    assert!(text.contains("theme-midnight surface-backoffice"));
    assert!(text.contains("Welcome, Administrator."));
    assert!(text.contains("/themes/midnight/static/css/theme.css?v="));
    // A static file midnight does not have comes from its parent.
    let base = admin.get("/themes/midnight/static/css/base.css").await;
    assert_eq!(base.status, 200);
    let vars = admin.get("/themes/midnight/vars.css").await;
    assert!(
        vars.body.contains("--theme-background: #0f1420;"),
        "{}",
        vars.body
    );
    assert!(vars.body.contains("--theme-header-rule: #8ab4ff;"));
    assert!(
        vars.body.contains("--theme-radius: 6px;"),
        "inherited default"
    );
}

#[tokio::test]
async fn activation_changes_one_surface_and_is_audited() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    activate(&admin, "midnight", "storefront").await;
    let home = app.browser().get("/").await;
    assert!(home.text().contains("theme-midnight surface-storefront"));
    assert!(home.text().contains("midnight-header"));
    let dashboard = admin.get("/admin").await;
    assert!(
        dashboard
            .text()
            .contains("theme-default surface-backoffice")
    );
    let rows = app.audit_of("theme.activated").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].target, "surface storefront");
    assert_eq!(rows[0].detail, "midnight");

    let list = admin.get_json("/admin/themes/themes/index").await.json();
    assert_eq!(list["active"]["storefront"], "midnight");
    assert_eq!(list["active"]["backoffice"], "default");
    assert_eq!(
        list["themes"][1]["chain"],
        serde_json::json!(["midnight", "default"])
    );

    let unknown = admin
        .submit(
            "/admin/themes/themes/activate",
            &[("theme", "../default"), ("surface", "storefront")],
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn themes_pages_are_checked_against_the_acl() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    app.user_with_rules(
        "viewer@example.com",
        PASSWORD,
        &[("themes", "themes", "index", "allow")],
    )
    .await;
    let viewer = app.signed_in("viewer@example.com", PASSWORD).await;
    let page = viewer.get("/admin/themes/themes/index").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("/admin/themes/themes/activate"),
        "no buttons it may not use"
    );
    for path in [
        "/admin/themes/themes/edit?theme=default",
        "/admin/themes/themes/preview?theme=midnight",
    ] {
        assert_eq!(viewer.get(path).await.status, 403, "{path}");
    }
    let reply = viewer
        .submit(
            "/admin/themes/themes/activate",
            &[("theme", "midnight"), ("surface", "storefront")],
        )
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(app.count("theme_active").await, 0);
    assert!(
        app.browser()
            .get("/admin/themes/themes/index")
            .await
            .redirects_to("/login")
    );
}

#[tokio::test]
async fn preview_is_honoured_only_for_users_allowed_to_preview() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let anonymous = app.browser().get("/?preview_theme=midnight").await;
    assert!(
        anonymous.text().contains("theme-default"),
        "ignored for visitors"
    );
    app.user_with_rules(
        "plain@example.com",
        PASSWORD,
        &[("dashboard", "*", "*", "allow")],
    )
    .await;
    let plain = app.signed_in("plain@example.com", PASSWORD).await;
    assert!(
        plain
            .get("/?preview_theme=midnight")
            .await
            .text()
            .contains("theme-default")
    );

    let admin = app.admin().await;
    let start = admin
        .get("/admin/themes/themes/preview?theme=midnight&surface=storefront")
        .await;
    assert_eq!(start.location(), Some("/?preview_theme=midnight"));
    let preview = admin.get("/?preview_theme=midnight").await;
    assert!(preview.text().contains("theme-midnight"));
    assert!(preview.text().contains("Previewing the theme"));
    // The preview follows the admin (cookie) on both surfaces until stopped.
    assert!(
        admin
            .get("/customer/login")
            .await
            .text()
            .contains("theme-midnight")
    );
    assert!(
        admin
            .get("/admin")
            .await
            .text()
            .contains("theme-midnight surface-backoffice")
    );
    assert!(
        app.browser()
            .get("/")
            .await
            .text()
            .contains("theme-default"),
        "visitors unaffected"
    );
    admin.get("/?preview_theme=").await;
    assert!(admin.get("/").await.text().contains("theme-default"));
    assert_eq!(app.count("theme_active").await, 0, "nothing was activated");
}

#[tokio::test]
async fn variables_are_validated_by_type_saved_audited_and_reset() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    let form = admin.get("/admin/themes/themes/edit?theme=default").await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("name=\"v.accent\""));

    let bad = admin
        .submit(
            "/admin/themes/themes/variables",
            &[
                ("theme", "default"),
                ("v.accent", "red"),
                ("v.radius", "4"),
                ("v.logo", "javascript:alert(1)"),
                ("v.font", "x; } body { display:none"),
                ("v.show_tagline", "maybe"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let text = bad.text();
    for expected in [
        "Accent colour must be a colour written as #rrggbb",
        "Corner radius must be a length such as 4px",
        "Logo address must be a local path",
        "Font must be a list of font names",
        "Show the tagline must be true or false",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert_eq!(app.count("theme_variables").await, 0, "nothing saved");

    let good = admin
        .submit(
            "/admin/themes/themes/variables",
            &[
                ("theme", "default"),
                ("v.accent", "#AA0000"),
                ("v.radius", "0.5rem"),
                ("v.shop_name", "Corner Store"),
                ("v.show_tagline", "false"),
                ("v.logo", "/themes/default/static/logo.svg"),
            ],
        )
        .await;
    assert!(good.redirects_to("/admin/themes/themes/edit"), "{good:?}");
    let vars = app.browser().get("/themes/default/vars.css").await.body;
    assert!(vars.contains("--theme-accent: #aa0000;"), "{vars}");
    assert!(vars.contains("--theme-radius: 0.5rem;"));
    let home = app.browser().get("/").await.text();
    assert!(home.contains("Welcome to Corner Store"));
    assert!(!home.contains("Good things, delivered."), "tagline hidden");
    let rows = app.audit_of("theme.variables-changed").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].target, "theme default");
    assert!(rows[0].detail.contains("accent"), "{}", rows[0].detail);

    // The same through JSON.
    let json = admin
        .submit_json(
            "/admin/themes/themes/variables",
            &serde_json::json!({ "theme": "default", "values": { "content_width": "50%" } }),
        )
        .await;
    assert_eq!(json.status, 200, "{}", json.body);
    assert_eq!(json.json()["values"]["content_width"], "50%");
    assert_eq!(json.json()["values"]["accent"], "#aa0000", "others kept");
    let json_bad = admin
        .submit_json(
            "/admin/themes/themes/variables",
            &serde_json::json!({ "theme": "default", "values": { "nope": "1" } }),
        )
        .await;
    assert_eq!(json_bad.status, 422);

    let reset = admin
        .submit("/admin/themes/themes/reset", &[("theme", "default")])
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(app.count("theme_variables").await, 0);
    let vars = app.browser().get("/themes/default/vars.css").await.body;
    assert!(vars.contains("--theme-accent: #1f5fbf;"));
    assert_eq!(app.audit_of("theme.variables-reset").await.len(), 1);
}

/// Raw requests for paths outside a theme's static folder: all are refused without content.
#[tokio::test]
async fn theme_files_cannot_be_reached_outside_the_theme_root() {
    let themes = copy_of_shipped_themes();
    let root = themes.path();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "top secret").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&secret, root.join("default/static/leak.txt")).unwrap();
        // The default theme overrides no storefront template: the folder is made here.
        std::fs::create_dir_all(root.join("default/templates/storefront")).unwrap();
        std::os::unix::fs::symlink(&secret, root.join("default/templates/storefront/leak.html"))
            .unwrap();
    }
    write(
        &root.join("default/templates/storefront/climb.html"),
        "{{ asset('../theme.toml') }}",
    );
    let app = TestApp::with_themes(root, false).await;
    for target in [
        "/themes/default/static/../theme.toml",
        "/themes/default/static/%2e%2e/theme.toml",
        "/themes/default/static/%2E%2E/%2e%2e/midnight/theme.toml",
        "/themes/default/static/css/%2e%2e%2f%2e%2e%2ftheme.toml",
        "/themes/default/static/..%5c..%5ctheme.toml",
        "/themes/default/static//etc/passwd",
        "/themes/default/static/%2fetc%2fpasswd",
        "/themes/..%2fdefault/static/css/base.css",
        "/themes/default/static/leak.txt",
        "/themes/default/static/.hidden",
    ] {
        let (status, reply) = raw::get(app.addr, target).await;
        assert_eq!(status, 404, "{target}: {reply}");
        assert!(
            !reply.contains("top secret") && !reply.contains("name = "),
            "{target}"
        );
    }
    let (ok, _) = raw::get(app.addr, "/themes/default/static/css/base.css").await;
    assert_eq!(ok, 200);

    let snapshot = app.state.templates().snapshot();
    let env = snapshot.env("default");
    assert!(
        env.env.get_template("storefront/leak.html").is_err(),
        "symlink not loaded"
    );
    assert!(
        snapshot
            .problems
            .iter()
            .any(|p| p.file == "default/templates/storefront/leak.html"
                && p.message.contains("outside")),
        "{:?}",
        snapshot.problems
    );
    let climbed = app
        .state
        .templates()
        .render("default", "storefront/climb.html", context! {});
    assert!(climbed.is_err(), "asset() refuses climbing paths");
}

#[tokio::test]
async fn payloads_in_theme_metadata_and_values_are_escaped() {
    let themes = tempfile::tempdir().unwrap();
    let root = themes.path();
    write(
        &root.join("evil/theme.toml"),
        r#"name = "evil"
description = "<script>alert('description')</script>"

[[variables]]
name = "greeting"
type = "text"
default = "<img src=x onerror=alert('default')>"
label = "<b onmouseover=alert('label')>Greeting</b>"
description = "<script>alert('var')</script>"
"#,
    );
    write(
        &root.join("evil/templates/storefront/home.html"),
        "{% extends 'storefront/layout.html' %}{% block content %}<p id=g>{{ theme.vars.greeting }}</p><p id=s>{{ theme.vars.greeting|safe }}</p><p id=t>{{ request.path }}</p>{% endblock %}",
    );
    let app = TestApp::with_themes(root, false).await;
    let admin = app.admin().await;
    for page in [
        "/admin/themes/themes/index",
        "/admin/themes/themes/edit?theme=evil",
    ] {
        let body = admin.get(page).await.body;
        assert!(!body.contains("<script>alert"), "{page}: {body}");
        assert!(!body.contains("<b onmouseover"), "{page}");
        assert!(!body.contains("<img src=x"), "{page}");
    }
    activate(&admin, "evil", "storefront").await;
    let saved = admin
        .submit(
            "/admin/themes/themes/variables",
            &[
                ("theme", "evil"),
                ("v.greeting", "<script>alert('value')</script>"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let home = app.browser().get("/?<script>=1").await.body;
    assert!(!home.contains("<script>alert"), "{home}");
    assert!(
        home.contains("&lt;script&gt;alert("),
        "escaped, even through |safe"
    );
}

#[tokio::test]
async fn a_looping_template_is_stopped_and_answered_with_an_error_page() {
    let themes = copy_of_shipped_themes();
    let root = themes.path();
    write(
        &root.join("default/templates/storefront/home.html"),
        "{% extends 'storefront/layout.html' %}{% block content %}{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}{% endblock %}",
    );
    write(
        &root.join("default/templates/storefront/customer/login.html"),
        "{% include 'storefront/customer/login.html' %}",
    );
    let app = TestApp::with_themes(root, false).await;
    let started = std::time::Instant::now();
    let home = app.browser().get("/").await;
    assert_eq!(home.status, 500);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let text = home.text();
    assert!(text.contains("took too long and was stopped"), "{text}");
    assert!(
        text.contains("surface-storefront"),
        "the storefront's error page: {text}"
    );
    let deep = app.browser().get("/customer/login").await;
    assert_eq!(deep.status, 500);
    assert!(deep.text().contains("nested too deeply"), "{}", deep.body);
    // The server is fine afterwards.
    assert_eq!(app.browser().get("/healthz").await.status, 200);
}

#[tokio::test]
async fn errors_take_the_look_of_their_surface() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let missing = app.browser().get("/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("We could not find that page"));
    assert!(missing.text().contains("surface-storefront"));
    let admin = app.admin().await;
    let admin_missing = admin.get("/admin/nosuch/thing/index").await;
    assert_eq!(admin_missing.status, 404);
    assert!(
        admin_missing.text().contains("surface-backoffice"),
        "{}",
        admin_missing.body
    );
    assert!(admin_missing.text().contains("Back to the dashboard"));
}

fn home_file(root: &Path) -> std::path::PathBuf {
    root.join("default/templates/storefront/home.html")
}

#[tokio::test]
async fn edited_templates_show_on_the_next_request_and_broken_ones_keep_the_last_good() {
    let themes = copy_of_shipped_themes();
    let root = themes.path().canonicalize().unwrap();
    let app = TestApp::with_themes(&root, true).await;
    let browser = app.browser();
    assert!(browser.get("/").await.text().contains("Welcome to"));

    write(
        &home_file(&root),
        "{% extends 'storefront/layout.html' %}{% block content %}<p>edited-marker-1</p>{% endblock %}",
    );
    eventually("the edited template", || async {
        browser
            .get("/")
            .await
            .body
            .contains("edited-marker-1")
            .then_some(())
    })
    .await;

    // A static file change gives the asset a new URL.
    let before = browser.get("/").await.text();
    write(
        &root.join("default/static/css/theme.css"),
        "body { outline: 1px solid red; }",
    );
    eventually("the new asset version", || async {
        let now = browser.get("/").await.text();
        (now != before).then_some(())
    })
    .await;

    write(
        &home_file(&root),
        "{% extends 'storefront/layout.html' %}\n{% block content %}{% if %}{% endblock %}",
    );
    let admin = app.admin().await;
    let page = eventually("the error on the Themes page", || async {
        let page = admin.get("/admin/themes/themes/index").await.text();
        page.contains("default/templates/storefront/home.html")
            .then_some(page)
    })
    .await;
    assert!(page.contains("line 2"), "{page}");
    assert!(page.contains("syntax error"), "{page}");
    let still = browser.get("/").await;
    assert_eq!(still.status, 200);
    assert!(
        still.body.contains("edited-marker-1"),
        "the last good version keeps serving"
    );

    write(
        &home_file(&root),
        "{% extends 'storefront/layout.html' %}{% block content %}<p>fixed-marker-2</p>{% endblock %}",
    );
    eventually("the fixed template", || async {
        browser
            .get("/")
            .await
            .body
            .contains("fixed-marker-2")
            .then_some(())
    })
    .await;
    let page = admin.get("/admin/themes/themes/index").await.text();
    assert!(
        !page.contains("default/templates/storefront/home.html"),
        "the problem is gone"
    );
}
