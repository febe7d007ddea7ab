//! The theme studio over HTTP: duplicate a shipped theme, edit a storefront template in the
//! draft, preview it (the live storefront unchanged), publish, roll back; templates that do not
//! compile refused with their line; archives imported whole or not at all; exports; the
//! `edit` and `publish` rights kept apart.

use backoffice_tests::studio::{Entry, file, good_theme, unzip, zip};
use backoffice_tests::themes::shipped_themes;
use backoffice_tests::{ADMIN_EMAIL, Browser, TestApp};
use serde_json::json;

const PASSWORD: &str = "studio-user-password-1";
const HEADER: &str = "templates/storefront/header.html";

async fn duplicate(admin: &Browser, from: &str, name: &str) {
    let reply = admin
        .submit_json(
            "/admin/themes/themes/duplicate",
            &json!({ "theme": from, "name": name }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["version"], 1);
}

async fn activate(admin: &Browser, theme: &str) {
    let reply = admin
        .submit_json(
            "/admin/themes/themes/activate",
            &json!({ "theme": theme, "surface": "storefront" }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// The text of `path` as the editor shows it (the draft's, else the inherited one).
async fn editor_text(admin: &Browser, theme: &str, path: &str) -> String {
    let reply = admin
        .get_json(&format!(
            "/admin/themes/themes/edit/files?theme={theme}&path={path}"
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["file"]["text"]
        .as_str()
        .expect("a text file")
        .to_owned()
}

async fn save(admin: &Browser, theme: &str, path: &str, body: &str) -> backoffice_tests::Reply {
    admin
        .submit_json(
            "/admin/themes/themes/edit/save",
            &json!({ "theme": theme, "path": path, "body": body }),
        )
        .await
}

async fn publish(admin: &Browser, theme: &str) -> i64 {
    let reply = admin
        .submit_json(
            "/admin/themes/themes/publish",
            &json!({ "theme": theme, "note": "test" }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["version"].as_i64().unwrap()
}

/// The header template with `marker` before the shop name.
fn header_with(original: &str, marker: &str) -> String {
    let edited = original.replacen(
        "{{ theme.vars.shop_name }}",
        &format!("{marker} {{{{ theme.vars.shop_name }}}}"),
        1,
    );
    assert_ne!(edited, original, "the header shows the shop name");
    edited
}

#[tokio::test]
async fn duplicate_edit_preview_publish_goes_live() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    duplicate(&admin, "default", "my-shop").await;
    activate(&admin, "my-shop").await;
    let shopper = app.browser();
    assert_eq!(shopper.get("/").await.status, 200);

    // The tree lists what it inherits, plugin templates included, read-only until overridden.
    app.state
        .templates()
        .set_plugin_templates(
            "demo",
            &[("widget.html".into(), "<b>{{ 1 + 1 }}</b>".into())],
        )
        .expect("registering a plugin template");
    let tree = admin
        .get_json("/admin/themes/themes/edit/files?theme=my-shop&path=templates/demo/widget.html")
        .await
        .json();
    assert_eq!(tree["file"]["text"], "<b>{{ 1 + 1 }}</b>");
    assert_eq!(tree["file"]["own"], false);
    let entries = tree["tree"].as_array().unwrap();
    let entry = |path: &str| entries.iter().find(|e| e["path"] == path).cloned();
    assert_eq!(
        entry("templates/demo/widget.html").unwrap()["origin"],
        "plugin demo: demo/widget.html"
    );
    assert_eq!(entry("theme.toml").unwrap()["own"], true);
    assert_eq!(entry("static/css/base.css").unwrap()["origin"], "default");
    let overridden = save(
        &admin,
        "my-shop",
        "templates/demo/widget.html",
        "<i>mine</i>",
    )
    .await;
    assert_eq!(overridden.status, 200, "{}", overridden.body);

    let original = editor_text(&admin, "my-shop", HEADER).await;
    let edited = header_with(&original, "Hand-made header");
    let reply = save(&admin, "my-shop", HEADER, &edited).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(editor_text(&admin, "my-shop", HEADER).await, edited);

    // The draft shows in a preview only.
    assert!(!shopper.get("/").await.text().contains("Hand-made header"));
    assert!(!admin.get("/").await.text().contains("Hand-made header"));
    let preview = admin.get("/?preview_theme=my-shop").await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.text().contains("Hand-made header"),
        "{}",
        preview.text()
    );
    // The preview follows the admin (cookie) to other pages.
    assert!(admin.get("/").await.text().contains("Hand-made header"));
    admin.get("/?preview_theme=").await;
    assert!(!shopper.get("/").await.text().contains("Hand-made header"));

    assert_eq!(publish(&admin, "my-shop").await, 2);
    let live = shopper.get("/").await;
    assert!(live.text().contains("Hand-made header"), "{}", live.text());

    // Nothing left to publish.
    let again = admin
        .submit_json(
            "/admin/themes/themes/publish",
            &json!({ "theme": "my-shop" }),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);

    let versions = admin
        .get_json("/admin/themes/themes/versions?theme=my-shop")
        .await
        .json();
    let newest = &versions["versions"][0];
    assert_eq!(newest["version"], 2);
    assert_eq!(newest["author"], ADMIN_EMAIL);
    let diff = newest["diff"].as_str().unwrap();
    assert!(diff.contains(&format!("added {HEADER}")), "{diff}");
    assert!(
        diff.contains("+") && diff.contains("Hand-made header"),
        "{diff}"
    );

    for (action, times) in [
        ("theme.duplicated", 1),
        ("theme.file-saved", 2),
        ("theme.published", 1),
    ] {
        assert_eq!(app.audit_of(action).await.len(), times, "{action} audited");
    }
    // The Themes page offers the studio; the editor page renders.
    let index = admin.get("/admin/themes/themes/index").await.text();
    assert!(index.contains("data-studio=\"my-shop\""), "{index}");
    let page = admin
        .get(&format!(
            "/admin/themes/themes/edit/files?theme=my-shop&path={HEADER}"
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.text().contains("Hand-made header"));
    assert!(page.text().contains("theme-editor.js"));
}

#[tokio::test]
async fn a_template_that_does_not_compile_is_refused_with_its_line() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    duplicate(&admin, "default", "broken").await;
    let original = editor_text(&admin, "broken", HEADER).await;
    let good = header_with(&original, "Good version");
    assert_eq!(save(&admin, "broken", HEADER, &good).await.status, 200);
    let before = app.studio_snapshot().await;

    let bad = format!("{good}\n<p>\n{{% if %}}\n");
    let reply = save(&admin, "broken", HEADER, &bad).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let message = reply.json()["error"].as_str().unwrap().to_owned();
    let line = bad.lines().position(|l| l == "{% if %}").unwrap() + 1;
    assert!(
        message.contains(&format!("{HEADER}, line {line}:")),
        "{message}"
    );
    // As a form: the editor again, with the error, the line marked and the text kept.
    let form = admin
        .submit(
            "/admin/themes/themes/edit/save",
            &[("theme", "broken"), ("path", HEADER), ("body", &bad)],
        )
        .await;
    assert_eq!(form.status, 422, "{}", form.body);
    assert!(
        form.body.contains(&format!("line {line}:")),
        "{}",
        form.body
    );
    assert!(
        form.body
            .contains(&format!("<span class=\"bad\">{line}</span>"))
    );

    // Nothing changed: the last good version stays in the draft and in the preview.
    assert_eq!(app.studio_snapshot().await, before);
    assert_eq!(editor_text(&admin, "broken", HEADER).await, good);
    let preview = admin.get("/?preview_theme=broken").await;
    assert!(preview.text().contains("Good version"));

    // Autoescape stays forced: a block turning it off is refused too.
    let unescaped = save(
        &admin,
        "broken",
        HEADER,
        "{% autoescape false %}{{ x }}{% endautoescape %}",
    )
    .await;
    assert_eq!(unescaped.status, 422, "{}", unescaped.body);
    // Shipped themes are read-only.
    let shipped = save(&admin, "default", HEADER, "x").await;
    assert_eq!(shipped.status, 409, "{}", shipped.body);
    // Only theme files.
    let odd = save(&admin, "broken", "static/run.sh", "#!/bin/sh").await;
    assert_eq!(odd.status, 422, "{}", odd.body);
    // theme.toml stays typed and acyclic.
    duplicate(&admin, "broken", "child").await;
    let after_child = app.studio_snapshot().await;
    let cycle = save(
        &admin,
        "broken",
        "theme.toml",
        "name = \"broken\"\nextends = \"child\"\n",
    )
    .await;
    assert_eq!(cycle.status, 422, "{}", cycle.body);
    assert!(cycle.body.contains("which extends"), "{}", cycle.body);
    let untyped = save(
        &admin,
        "broken",
        "theme.toml",
        "name = \"broken\"\nextends = \"default\"\n[[variables]]\nname = \"x\"\ntype = \"length\"\ndefault = \"1em; color: red\"\n",
    )
    .await;
    assert_eq!(untyped.status, 422, "{}", untyped.body);
    assert_eq!(app.studio_snapshot().await, after_child);
}

#[tokio::test]
async fn a_good_archive_imports_and_exports_back() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    let entries = good_theme(
        "imported",
        "<header class=\"shop-header\">Imported header {{ theme.vars.tagline }}</header>",
    );
    let archive = zip(&entries);
    let reply = admin.import_theme(&archive, "application/json").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["theme"], "imported");
    assert_eq!(app.audit_of("theme.imported").await.len(), 1);

    activate(&admin, "imported").await;
    let home = app.browser().get("/").await.text();
    assert!(home.contains("Imported header Fresh"), "{home}");
    let (status, png) = app
        .browser()
        .get_bytes("/themes/imported/static/img/dot.png")
        .await;
    assert_eq!(status, 200);
    assert_eq!(png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");

    // The draft's files are served to a preview of it only.
    let draft_png = "/themes/imported@draft/static/img/dot.png";
    assert_eq!(app.browser().get_bytes(draft_png).await.0, 404);
    assert_eq!(admin.get_bytes(draft_png).await.0, 404);
    let preview = admin.get("/?preview_theme=imported").await.text();
    assert!(
        preview.contains("/themes/imported@draft/static/css/theme.css?v="),
        "{preview}"
    );
    assert_eq!(admin.get_bytes(draft_png).await.0, 200);
    admin.get("/?preview_theme=").await;

    let (status, exported) = admin
        .get_bytes("/admin/themes/themes/export?theme=imported")
        .await;
    assert_eq!(status, 200);
    let files = unzip(&exported);
    let expected: std::collections::BTreeMap<String, Vec<u8>> = entries
        .iter()
        .map(|e| match e {
            Entry::File { name, bytes, .. } => (name.clone(), bytes.clone()),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(files, expected);

    // A shipped theme exports from its folder.
    let (status, default) = admin
        .get_bytes("/admin/themes/themes/export?theme=default")
        .await;
    assert_eq!(status, 200);
    assert!(unzip(&default).contains_key("theme.toml"));

    // Importing the same name again is refused.
    let again = admin.import_theme(&archive, "application/json").await;
    assert_eq!(again.status, 422, "{}", again.body);
}

#[tokio::test]
async fn hostile_or_broken_archives_change_nothing() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    let before = app.studio_snapshot().await;
    let with = |extra: Entry| {
        let mut entries = good_theme("hostile", "<header>ok</header>");
        entries.push(extra);
        zip(&entries)
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("zip-slip", with(file("../x.html", b"x")), "../x.html"),
        ("nested zip-slip", with(file("templates/../../x.html", b"x")), "templates/../../x.html"),
        ("absolute path", with(file("/etc/x.css", b"x")), "/etc/x.css"),
        (
            "symlink",
            with(Entry::Symlink {
                name: "static/css/link.css".into(),
                target: "/etc/passwd".into(),
            }),
            "symbolic links",
        ),
        (
            "200 MB member",
            with(Entry::Zeros {
                name: "static/img/huge.png".into(),
                size: 200 * 1024 * 1024,
            }),
            "200 MiB uncompressed",
        ),
        (
            "executable",
            with(Entry::File {
                name: "static/css/run.css".into(),
                bytes: b"body {}".to_vec(),
                mode: 0o755,
            }),
            "executable",
        ),
        (
            "not a theme file",
            with(file("static/tool.exe", b"MZ\x90\0")),
            "only stylesheets",
        ),
        (
            "template that does not compile",
            with(file("templates/storefront/home.html", b"<h1>\n{% for %}\n")),
            "templates/storefront/home.html, line 2:",
        ),
        (
            "untyped variable",
            zip(&[file(
                "theme.toml",
                b"name = \"hostile\"\nextends = \"default\"\n[[variables]]\nname = \"accent\"\ntype = \"colour\"\ndefault = \"red; }\"\n",
            )]),
            "variable \"accent\"",
        ),
    ];
    for (case, archive, expected) in cases {
        assert!(
            archive.len() < 2 * 1024 * 1024,
            "{case}: the archive is small"
        );
        let reply = admin.import_theme(&archive, "application/json").await;
        assert_eq!(reply.status, 422, "{case}: {}", reply.body);
        let message = reply.json()["error"].as_str().unwrap().to_owned();
        assert!(message.contains(expected), "{case}: {message}");
        assert_eq!(
            app.studio_snapshot().await,
            before,
            "{case}: nothing written"
        );
    }
    // Every problem is listed, on the page too.
    let mut entries = good_theme("hostile", "{% if %}");
    entries.push(file("../a.css", b"x"));
    entries.push(Entry::File {
        name: "static/css/b.css".into(),
        bytes: b"x".to_vec(),
        mode: 0o700,
    });
    let page = admin.import_theme(&zip(&entries), "text/html").await;
    assert_eq!(page.status, 422, "{}", page.body);
    for expected in [
        "../a.css",
        "static/css/b.css: executable",
        "templates/storefront/header.html, line 1:",
    ] {
        assert!(
            page.text().contains(expected),
            "{expected}: {}",
            page.text()
        );
    }
    assert_eq!(app.studio_snapshot().await, before);
    assert!(!app.state.templates().has_theme("hostile"));
}

#[tokio::test]
async fn rollback_restores_the_exact_previous_files() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    duplicate(&admin, "midnight", "seasons").await;
    activate(&admin, "seasons").await;
    let original = editor_text(&admin, "seasons", HEADER).await;
    assert_eq!(
        save(
            &admin,
            "seasons",
            HEADER,
            &header_with(&original, "Summer sale")
        )
        .await
        .status,
        200
    );
    assert_eq!(
        save(
            &admin,
            "seasons",
            "static/css/extra.css",
            ".summer { color: #f80; }\n"
        )
        .await
        .status,
        200
    );
    assert_eq!(publish(&admin, "seasons").await, 2);
    let summer = admin
        .get_bytes("/admin/themes/themes/export?theme=seasons&version=2")
        .await
        .1;

    assert_eq!(
        save(
            &admin,
            "seasons",
            HEADER,
            &header_with(&original, "Winter sale")
        )
        .await
        .status,
        200
    );
    let removed = admin
        .submit_json(
            "/admin/themes/themes/edit/remove",
            &json!({ "theme": "seasons", "path": "static/css/extra.css" }),
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(publish(&admin, "seasons").await, 3);
    assert!(app.browser().get("/").await.text().contains("Winter sale"));

    let reply = admin
        .submit_json(
            "/admin/themes/themes/publish/rollback",
            &json!({ "theme": "seasons", "version": 2 }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["version"], 4);
    let home = app.browser().get("/").await.text();
    assert!(
        home.contains("Summer sale") && !home.contains("Winter sale"),
        "{home}"
    );
    let live = admin
        .get_bytes("/admin/themes/themes/export?theme=seasons")
        .await
        .1;
    let draft = admin
        .get_bytes("/admin/themes/themes/export?theme=seasons&draft=true")
        .await
        .1;
    assert_eq!(unzip(&live), unzip(&summer));
    assert_eq!(unzip(&draft), unzip(&summer));
    assert_eq!(app.audit_of("theme.rolled-back").await.len(), 1);

    let missing = admin
        .submit_json(
            "/admin/themes/themes/publish/rollback",
            &json!({ "theme": "seasons", "version": 99 }),
        )
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
}

#[tokio::test]
async fn editing_and_publishing_are_separate_rights() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    duplicate(&admin, "default", "team").await;
    app.user_with_rules(
        "editor@example.com",
        PASSWORD,
        &[
            ("themes", "themes", "*", "allow"),
            ("themes", "themes", "publish", "deny"),
        ],
    )
    .await;
    app.user_with_rules(
        "viewer@example.com",
        PASSWORD,
        &[("themes", "themes", "index", "allow")],
    )
    .await;
    let editor = app.signed_in("editor@example.com", PASSWORD).await;
    let viewer = app.signed_in("viewer@example.com", PASSWORD).await;

    let text = editor_text(&editor, "team", HEADER).await;
    let saved = save(&editor, "team", HEADER, &header_with(&text, "Team edit")).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let before = app.studio_snapshot().await;
    let refused = editor
        .submit_json("/admin/themes/themes/publish", &json!({ "theme": "team" }))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let rollback = editor
        .submit_json(
            "/admin/themes/themes/publish/rollback",
            &json!({ "theme": "team", "version": 1 }),
        )
        .await;
    assert_eq!(rollback.status, 403, "{}", rollback.body);
    assert_eq!(app.studio_snapshot().await, before);
    // The editor page offers no publish button to them.
    let page = editor
        .get(&format!(
            "/admin/themes/themes/edit/files?theme=team&path={HEADER}"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.text().contains("id=\"publish\""));

    let viewer_save = save(&viewer, "team", HEADER, "x").await;
    assert_eq!(viewer_save.status, 403, "{}", viewer_save.body);
    assert_eq!(app.studio_snapshot().await, before);

    assert_eq!(publish(&admin, "team").await, 2);
}

#[tokio::test]
async fn hosts_sharing_the_database_serve_the_same_published_version() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let other = app
        .other_host(backoffice_tests::themes::settings(&shipped_themes(), false))
        .await;
    let admin = app.admin().await;
    duplicate(&admin, "default", "shared").await;
    activate(&admin, "shared").await;
    let original = editor_text(&admin, "shared", HEADER).await;
    let edited = header_with(&original, "Shared header");
    assert_eq!(save(&admin, "shared", HEADER, &edited).await.status, 200);
    assert_eq!(publish(&admin, "shared").await, 2);

    // The other host never saw the change being made; it serves it once its settings refresh.
    let browser = &other.browser;
    backoffice_tests::themes::eventually("the published header on the other host", || async {
        browser
            .get("/")
            .await
            .text()
            .contains("Shared header")
            .then_some(())
    })
    .await;
    let winter = header_with(&original, "Winter header");
    assert_eq!(save(&admin, "shared", HEADER, &winter).await.status, 200);
    assert_eq!(publish(&admin, "shared").await, 3);
    backoffice_tests::themes::eventually("the next version on the other host", || async {
        let text = browser.get("/").await.text();
        (text.contains("Winter header") && !text.contains("Shared header")).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_logo_is_picked_from_the_media_library_by_id() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let admin = app.admin().await;
    duplicate(&admin, "default", "logo-shop").await;
    activate(&admin, "logo-shop").await;
    let png = crate::media::image_bytes(120, 40, image::ImageFormat::Png);
    let file = crate::media::upload(&admin, "shop-logo.png", &png).await;
    let (id, url) = (
        file["id"].as_i64().unwrap(),
        file["url"].as_str().unwrap().to_owned(),
    );

    let reply = admin
        .submit_json(
            "/admin/themes/themes/variables",
            &json!({ "theme": "logo-shop", "media": { "logo": id } }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["values"]["logo"], url.as_str());
    let home = app.browser().get("/").await.text();
    assert!(home.contains(&format!("<img src=\"{url}\"")), "{home}");
    let (status, served) = app.browser().get_bytes(&url).await;
    assert_eq!((status, served), (200, png));

    // The variables page offers the library's images; an unknown id is refused.
    let page = admin.get("/admin/themes/themes/edit?theme=logo-shop").await;
    assert!(
        page.text().contains("name=\"media.logo\""),
        "{}",
        page.text()
    );
    assert!(page.text().contains("shop-logo.png"));
    let unknown = admin
        .submit_json(
            "/admin/themes/themes/variables",
            &json!({ "theme": "logo-shop", "media": { "logo": id + 100 } }),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

/// In a real headless Chromium: duplicate `default`, use the copy for the storefront, change
/// the storefront header in the editor, preview the draft, publish, and see it live. Chromium
/// missing is a failure, never a skip; the screenshots are kept in `target/test-artifacts/`.
#[tokio::test]
async fn in_a_browser_an_admin_restyles_the_header_previews_and_publishes() {
    use backoffice_tests::ADMIN_PASSWORD;
    use backoffice_tests::webdriver::{Driver, artifacts_dir};

    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let base = app.base_url();
    let shots = artifacts_dir();
    let browser = Driver::start().await;
    browser.goto(&format!("{base}/login")).await;
    browser.type_into("input[name=email]", ADMIN_EMAIL).await;
    browser
        .type_into("input[name=password]", ADMIN_PASSWORD)
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_for_url("/admin").await;

    browser
        .goto(&format!("{base}/admin/themes/themes/index"))
        .await;
    browser.type_into("#dup-name", "my-shop").await;
    browser.click("#duplicate").await;
    browser.wait_for_text("is a copy of default").await;
    browser
        .goto(&format!("{base}/admin/themes/themes/index"))
        .await;
    browser
        .click("button[data-activate=\"my-shop-storefront\"]")
        .await;
    browser.wait_for_text("now uses the theme my-shop").await;

    browser
        .goto(&format!(
            "{base}/admin/themes/themes/edit/files?theme=my-shop&path={HEADER}"
        ))
        .await;
    // The editor's script runs (line numbers follow the text) and the header is changed in it.
    let changed = browser
        .script(
            "const body = document.getElementById('studio-body'); \
             body.focus(); \
             body.value = body.value.replace('{{ theme.vars.shop_name }}', 'Browser-made header {{ theme.vars.shop_name }}') + '\\n<!-- edited -->\\n'; \
             body.dispatchEvent(new Event('input')); \
             return document.getElementById('studio-gutter').children.length === body.value.split('\\n').length + 1 \
               && body.value.includes('Browser-made header');",
        )
        .await;
    assert_eq!(changed, true, "the editor took the change and renumbered");
    browser
        .screenshot(&shots.join("theme-studio-1-editor.png"))
        .await;
    browser.click("#save").await;
    browser.wait_for_text("is saved in the draft").await;
    assert!(
        !app.browser()
            .get("/")
            .await
            .text()
            .contains("Browser-made header")
    );

    browser.click("a[data-preview=storefront]").await;
    browser.wait_for_text("Browser-made header").await;
    browser
        .screenshot(&shots.join("theme-studio-2-preview.png"))
        .await;
    assert!(
        !app.browser()
            .get("/")
            .await
            .text()
            .contains("Browser-made header")
    );

    browser
        .goto(&format!(
            "{base}/admin/themes/themes/edit/files?theme=my-shop&path={HEADER}"
        ))
        .await;
    browser.type_into("#note", "Browser-made header").await;
    browser.click("#publish").await;
    browser.wait_for_text("Version 2 of my-shop is live").await;
    browser
        .screenshot(&shots.join("theme-studio-3-versions.png"))
        .await;

    browser.goto(&format!("{base}/?preview_theme=")).await;
    browser.wait_for_text("Browser-made header").await;
    browser
        .screenshot(&shots.join("theme-studio-4-live.png"))
        .await;
    assert!(
        app.browser()
            .get("/")
            .await
            .text()
            .contains("Browser-made header")
    );
}
