//! The navigation section over HTTP with the real catalog, content and navigation components
//! and the shipped themes: tree operations (cycles refused, reorder and re-parent, cascade
//! delete after a confirmation that counts), validity windows and inactive nodes hiding their
//! subtrees, per-locale titles, dead references hidden, a category's slug change followed,
//! duplicated navigations, the footer menu, bad input, and a Chromium test that follows the
//! main menu's dropdown to a category page. The storefront is the anonymous shopper (locale
//! `en` → `en_US`); slot answers are cached up to 10 s of the host clock, so a change in
//! another section shows after `advance(11)`.

use backoffice_tests::browser::unescape;
use backoffice_tests::navigation::{
    SECTIONS, category, cms_page, id_of, menu, navigation, node, ok, preview_titles, titles,
};
use backoffice_tests::webdriver::{Driver, artifacts_dir};
use backoffice_tests::{Browser, TestApp};
use serde_json::json;

async fn app() -> (TestApp, Browser) {
    let app = TestApp::with_plugins_and_themes(SECTIONS).await;
    let admin = app.admin().await;
    (app, admin)
}

/// The main menu's titles on the home page.
async fn main_menu(shopper: &Browser) -> Vec<String> {
    let home = shopper.get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    titles(menu(&home.body, "header"))
}

async fn preview(admin: &Browser, nav: &str, query: &str) -> Vec<String> {
    let reply = admin
        .get_json(&format!(
            "/admin/navigation/navigations/preview?id={nav}{query}"
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    preview_titles(&reply.json())
}

async fn move_node(admin: &Browser, id: &str, parent: Option<&str>, position: i64) -> u16 {
    admin
        .submit_json(
            "/admin/navigation/nodes/move",
            &json!({"id": id, "parent_id": parent, "position": position}),
        )
        .await
        .status
}

#[tokio::test]
async fn the_tree_refuses_cycles_reorders_reparents_and_deletes_whole_subtrees() {
    let (app, admin) = app().await;
    let shopper = app.browser();
    let main = navigation(&admin, "main").await;
    let shop = node(&admin, &main, None, "label", "Shop", "").await;
    let sale = node(&admin, &main, None, "link", "Sale", "/sale").await;
    let men = node(&admin, &main, Some(&shop), "link", "Men", "/men").await;
    let shirts = node(&admin, &main, Some(&men), "link", "Shirts", "/men/shirts").await;
    assert_eq!(main_menu(&shopper).await, ["Shop", "Men", "Shirts", "Sale"]);

    // Cycles: under itself, under a descendant; and a parent of another navigation.
    for parent in [&shop, &men, &shirts] {
        let refused = admin
            .submit_json(
                "/admin/navigation/nodes/move",
                &json!({"id": shop, "parent_id": parent, "position": 0}),
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused
                .body
                .contains("under itself or one of its own descendants"),
            "{}",
            refused.body
        );
    }
    let other = navigation(&admin, "other").await;
    let stranger = node(&admin, &other, None, "link", "Elsewhere", "/x").await;
    assert_eq!(move_node(&admin, &men, Some(&stranger), 0).await, 422);
    assert_eq!(
        main_menu(&shopper).await,
        ["Shop", "Men", "Shirts", "Sale"],
        "refused moves change nothing"
    );

    // Reorder at the top, then re-parent Men (with Shirts) to the top level between them.
    assert_eq!(move_node(&admin, &sale, None, 0).await, 200);
    assert_eq!(main_menu(&shopper).await, ["Sale", "Shop", "Men", "Shirts"]);
    assert_eq!(move_node(&admin, &men, None, 1).await, 200);
    assert_eq!(main_menu(&shopper).await, ["Sale", "Men", "Shirts", "Shop"]);
    let women = node(&admin, &main, Some(&shop), "link", "Women", "/women").await;
    assert_eq!(move_node(&admin, &men, Some(&shop), 0).await, 200);
    assert_eq!(
        preview(&admin, &main, "").await,
        ["Sale", "Shop", "  Men", "    Shirts", "  Women"]
    );

    // The tree editor without JavaScript: every node has a Move form.
    let editor = admin
        .get(&format!("/admin/navigation/navigations/show?id={main}"))
        .await;
    assert_eq!(editor.status, 200);
    assert_eq!(editor.body.matches(r#"class="move-node""#).count(), 5);
    // A form post moves as well (to the end of the top level).
    let moved = admin
        .submit(
            "/admin/navigation/nodes/move",
            &[("id", women.as_str()), ("parent_id", ""), ("position", "9")],
        )
        .await;
    assert!(
        moved.redirects_to("/admin/navigation/navigations/show"),
        "{moved:?}"
    );
    assert_eq!(
        main_menu(&shopper).await,
        ["Sale", "Shop", "Men", "Shirts", "Women"]
    );

    // Deleting Shop takes Men and Shirts: the confirmation says so first.
    let confirm = admin
        .get(&format!("/admin/navigation/nodes/delete?id={shop}"))
        .await;
    assert_eq!(confirm.status, 200);
    let text = unescape(&confirm.text());
    assert!(
        text.contains(
            "Delete <strong>Shop</strong> and its 2 descendants? 3 nodes will be deleted."
        ),
        "{text}"
    );
    let asked = admin
        .get_json(&format!("/admin/navigation/nodes/delete?id={shop}"))
        .await
        .json();
    assert_eq!(asked["count"], 3);
    let deleted = ok(
        &admin,
        "/admin/navigation/nodes/delete",
        json!({ "id": shop }),
    )
    .await;
    assert_eq!(deleted["deleted"], 3);
    assert_eq!(main_menu(&shopper).await, ["Sale", "Women"]);
    for gone in [&men, &shirts] {
        let reply = admin
            .get_json(&format!("/admin/navigation/nodes/edit?id={gone}"))
            .await;
        assert_eq!(reply.status, 404, "{}", reply.body);
    }
    assert_eq!(
        preview(&admin, &other, "").await,
        ["Elsewhere"],
        "the other navigation is untouched"
    );
}

#[tokio::test]
async fn validity_windows_and_inactive_nodes_hide_their_whole_subtrees() {
    let (app, admin) = app().await;
    let shopper = app.browser();
    let main = navigation(&admin, "main").await;
    node(&admin, &main, None, "link", "Home", "/").await;
    // The test clock starts on 2025-01-01: the sale runs on the 2nd and 3rd.
    let sale = ok(
        &admin,
        "/admin/navigation/nodes/create",
        json!({"navigation_id": main, "kind": "label", "valid_from": "2025-01-02",
               "valid_to": "2025-01-03", "locales": {"en_US": {"title": "Winter sale"}}}),
    )
    .await;
    let sale = id_of(&sale, "node");
    node(&admin, &main, Some(&sale), "link", "Coats", "/coats").await;
    assert_eq!(main_menu(&shopper).await, ["Home"], "not yet valid");
    app.advance(86_400);
    assert_eq!(main_menu(&shopper).await, ["Home", "Winter sale", "Coats"]);
    app.advance(86_400);
    assert_eq!(main_menu(&shopper).await, ["Home", "Winter sale", "Coats"]);
    app.advance(86_400);
    assert_eq!(main_menu(&shopper).await, ["Home"], "the window has closed");
    // Three days on, the admin signs in again (sessions end when idle).
    let admin = app.admin().await;
    assert_eq!(
        preview(&admin, &main, "&date=2025-01-02").await,
        ["Home", "Winter sale", "  Coats"],
        "the preview shows any day"
    );

    // An inactive node hides its children with it.
    let men = node(&admin, &main, None, "label", "Men", "").await;
    node(&admin, &main, Some(&men), "link", "Shirts", "/shirts").await;
    assert_eq!(main_menu(&shopper).await, ["Home", "Men", "Shirts"]);
    ok(
        &admin,
        "/admin/navigation/nodes/update",
        json!({"id": men, "active": false}),
    )
    .await;
    assert_eq!(main_menu(&shopper).await, ["Home"]);

    // An inactive navigation shows no menu at all.
    ok(
        &admin,
        "/admin/navigation/navigations/update",
        json!({"id": main, "active": false}),
    )
    .await;
    let home = shopper.get("/").await;
    assert_eq!(menu(&home.body, "header"), "", "{}", home.body);
}

#[tokio::test]
async fn titles_are_shown_in_the_shoppers_locale() {
    let (app, admin) = app().await;
    let shopper = app.browser();
    let main = navigation(&admin, "main").await;
    ok(
        &admin,
        "/admin/navigation/nodes/create",
        json!({"navigation_id": main, "kind": "link", "locales": {
            "en_US": {"title": "Shoes", "target": "/shoes", "css_class": "highlight"},
            "de_DE": {"title": "Schuhe", "target": "/schuhe"}}}),
    )
    .await;
    ok(
        &admin,
        "/admin/navigation/nodes/create",
        json!({"navigation_id": main, "kind": "link",
               "locales": {"de_DE": {"title": "Nur Deutsch", "target": "/nur"}}}),
    )
    .await;
    let home = shopper.get("/").await;
    let header = unescape(menu(&home.body, "header"));
    assert_eq!(titles(&header), ["Shoes"], "{header}");
    assert!(
        header.contains(r#"<li class="menu-item highlight"><a href="/shoes">Shoes</a>"#),
        "the English target and class: {header}"
    );
    assert_eq!(
        preview(&admin, &main, "&locale=de_DE").await,
        ["Schuhe", "Nur Deutsch"]
    );
    let german = admin
        .get_json(&format!(
            "/admin/navigation/navigations/preview?id={main}&locale=de_DE"
        ))
        .await
        .json();
    assert_eq!(german["menu"]["nodes"][0]["url"], "/schuhe");
    let unknown = admin
        .get_json(&format!(
            "/admin/navigation/navigations/preview?id={main}&locale=xx_XX"
        ))
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);

    // The edit form changes one locale's texts and keeps the other's.
    let id = admin
        .get_json(&format!("/admin/navigation/navigations/show?id={main}"))
        .await
        .json()["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = admin
        .get(&format!(
            "/admin/navigation/nodes/edit?id={id}&locale=de_DE"
        ))
        .await;
    assert!(form.body.contains(r#"value="Schuhe""#), "{}", form.body);
    let saved = admin
        .submit(
            "/admin/navigation/nodes/update",
            &[
                ("id", id.as_str()),
                ("locale", "de_DE"),
                ("kind", "link"),
                ("title", "Stiefel"),
                ("target", "/stiefel"),
                ("css_class", ""),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        preview(&admin, &main, "&locale=de_DE").await,
        ["Stiefel", "Nur Deutsch"]
    );
    assert_eq!(main_menu(&shopper).await, ["Shoes"]);
}

#[tokio::test]
async fn category_and_page_nodes_follow_their_targets_and_hide_when_they_are_gone() {
    let (app, admin) = app().await;
    let shopper = app.browser();
    let shoes = category(&admin, "Shoes", "shoes").await;
    let boots = category(&admin, "Boots", "boots").await;
    let about = cms_page(&admin, "About us", "/about-us").await;
    let main = navigation(&admin, "main").await;
    let shop = node(&admin, &main, None, "category", "Shoes", &shoes).await;
    node(&admin, &main, Some(&shop), "category", "Boots", &boots).await;
    node(&admin, &main, None, "cms-page", "About", &about).await;

    let home = shopper.get("/").await;
    let header = unescape(menu(&home.body, "header"));
    assert!(
        header.contains(r#"<a href="/c/shoes">Shoes</a>"#),
        "{header}"
    );
    assert!(
        header.contains(r#"<a href="/c/boots">Boots</a>"#),
        "{header}"
    );
    assert!(
        header.contains(r#"<a href="/about-us">About</a>"#),
        "{header}"
    );

    // The category page shows the menu with the current entry and the breadcrumb.
    let page = shopper.get("/c/boots").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = unescape(&page.body);
    assert!(
        body.contains(r#"<a href="/c/boots" aria-current="page">Boots</a>"#),
        "{body}"
    );
    assert!(body.contains(r#"<nav class="breadcrumb" aria-label="Breadcrumb"><ol><li><a href="/c/shoes">Shoes</a></li><li><span aria-current="page">Boots</span></li></ol></nav>"#), "{body}");

    // The slug changes in the catalog: the link follows (once the slot's cache has aged).
    let current = admin
        .get_json(&format!("/admin/catalog/categories/edit?id={boots}"))
        .await
        .json();
    let version = current["category"]["version"].clone();
    ok(
        &admin,
        "/admin/catalog/categories/edit",
        json!({"id": boots, "version": version, "slug": "winter-boots"}),
    )
    .await;
    app.advance(11);
    let header = unescape(menu(&shopper.get("/").await.body, "header"));
    assert!(
        header.contains(r#"<a href="/c/winter-boots">Boots</a>"#),
        "{header}"
    );
    assert!(!header.contains("/c/boots\""), "{header}");

    // Deactivated category: hidden with its subtree; deleted page: hidden; never a dead link.
    let current = admin
        .get_json(&format!("/admin/catalog/categories/edit?id={shoes}"))
        .await
        .json();
    ok(
        &admin,
        "/admin/catalog/categories/edit",
        json!({"id": shoes, "version": current["category"]["version"], "active": false}),
    )
    .await;
    ok(
        &admin,
        "/admin/content/pages/delete",
        json!({ "id": about }),
    )
    .await;
    app.advance(11);
    assert!(main_menu(&shopper).await.is_empty());
    let home = shopper.get("/").await;
    assert_eq!(menu(&home.body, "header"), "", "nothing left to show");

    // A target that does not exist is refused when saved.
    let missing = admin
        .submit_json(
            "/admin/navigation/nodes/create",
            &json!({"navigation_id": main, "kind": "category",
                    "locales": {"en_US": {"title": "Ghost", "target": "no-such-id"}}}),
        )
        .await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(
        missing.body.contains("there is no category no-such-id"),
        "{}",
        missing.body
    );
}

#[tokio::test]
async fn a_navigation_is_duplicated_with_its_whole_tree_under_a_new_key() {
    let (app, admin) = app().await;
    let shopper = app.browser();
    let main = navigation(&admin, "main").await;
    let shop = node(&admin, &main, None, "label", "Shop", "").await;
    let men = node(&admin, &main, Some(&shop), "link", "Men", "/men").await;
    node(&admin, &main, Some(&men), "link", "Shirts", "/men/shirts").await;
    node(
        &admin,
        &main,
        None,
        "external",
        "Blog",
        "https://blog.example.com/",
    )
    .await;

    let copy = ok(
        &admin,
        "/admin/navigation/navigations/duplicate",
        json!({"id": main, "key": "main-winter"}),
    )
    .await;
    assert_eq!(copy["nodes"], 4);
    assert_eq!(copy["navigation"]["active"], false);
    assert_eq!(copy["navigation"]["name"], "main menu (copy)");
    let copy_id = id_of(&copy, "navigation");
    let original = preview(&admin, &main, "").await;
    assert_eq!(original, ["Shop", "  Men", "    Shirts", "Blog"]);
    assert_eq!(preview(&admin, &copy_id, "").await, original);

    // The copy is its own tree: editing it leaves the original alone.
    let copied = admin
        .get_json(&format!("/admin/navigation/navigations/show?id={copy_id}"))
        .await
        .json();
    let copied_shop = copied["nodes"][0]["id"].as_str().unwrap().to_owned();
    assert_ne!(copied_shop, shop);
    ok(
        &admin,
        "/admin/navigation/nodes/delete",
        json!({ "id": copied_shop }),
    )
    .await;
    assert_eq!(preview(&admin, &copy_id, "").await, ["Blog"]);
    assert_eq!(preview(&admin, &main, "").await, original);
    assert_eq!(main_menu(&shopper).await, ["Shop", "Men", "Shirts", "Blog"]);

    let taken = admin
        .submit_json(
            "/admin/navigation/navigations/duplicate",
            &json!({"id": main, "key": "main-winter"}),
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert!(
        taken.body.contains("main-winter exists already"),
        "{}",
        taken.body
    );
    let listed = admin
        .get_json("/admin/navigation/navigations/index")
        .await
        .json();
    assert_eq!(
        listed["navigations"].as_array().unwrap().len(),
        2,
        "{listed}"
    );

    // The external link is marked for the theme.
    let home = unescape(&shopper.get("/").await.body);
    assert!(
        home.contains(r#"<a href="https://blog.example.com/" rel="noopener noreferrer">Blog</a>"#),
        "{home}"
    );
}

#[tokio::test]
async fn the_footer_navigation_fills_the_footer_and_both_themes_show_the_menus() {
    let (app, admin) = app().await;
    let shopper = app.browser();
    let main = navigation(&admin, "main").await;
    let shop = node(&admin, &main, None, "label", "Shop", "").await;
    node(&admin, &main, Some(&shop), "link", "Men", "/men").await;
    let footer = navigation(&admin, "footer").await;
    node(&admin, &footer, None, "link", "Imprint", "/imprint").await;

    for theme in ["default", "midnight"] {
        let reply = admin
            .submit(
                "/admin/themes/themes/activate",
                &[("theme", theme), ("surface", "storefront")],
            )
            .await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        let home = shopper.get("/").await;
        assert!(
            home.body.contains(&format!("theme-{theme}")),
            "{}",
            home.body
        );
        assert_eq!(titles(menu(&home.body, "header")), ["Shop", "Men"]);
        assert_eq!(titles(menu(&home.body, "footer")), ["Imprint"]);
        // The label takes keyboard focus; its children are a nested list the CSS opens.
        assert!(
            home.body.contains(
                r#"<span class="menu-label" tabindex="0">Shop</span><ul class="menu-children">"#
            ),
            "{}",
            home.body
        );
        let footer_at = home.body.find(r#"<footer class="shop-footer">"#).unwrap();
        assert!(home.body[footer_at..].contains("menu-footer"));
    }
    let css = shopper.get("/themes/default/static/css/base.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.body
            .contains(".menu-header .menu-item:focus-within > .menu-children"),
        "the dropdown opens by keyboard"
    );
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let (_app, admin) = app().await;
    let main = navigation(&admin, "main").await;
    let cases = [
        (
            json!({"kind": "teleport", "locales": {"en_US": {"title": "x"}}}),
            "kind must be one of",
        ),
        (
            json!({"kind": "link", "locales": {"en_US": {"title": "x", "target": "//evil.example"}}}),
            "target must be a storefront path",
        ),
        (
            json!({"kind": "external", "locales": {"en_US": {"title": "x", "target": "javascript:alert(1)"}}}),
            "http:// or https://",
        ),
        (
            json!({"kind": "label", "locales": {"en_US": {"title": ""}}}),
            "title is required in en_US",
        ),
        (
            json!({"kind": "label", "locales": {"xx_XX": {"title": "x"}}}),
            "there is no locale xx_XX",
        ),
        (
            json!({"kind": "label", "locales": {}}),
            "at least one locale",
        ),
        (
            json!({"kind": "label", "valid_from": "2025-02-30", "locales": {"en_US": {"title": "x"}}}),
            "valid_from must be a date",
        ),
        (
            json!({"kind": "label", "locales": {"en_US": {"title": "x", "css_class": "a\" onclick=\"x"}}}),
            "css_class must be",
        ),
        (
            json!({"kind": "label", "parent_id": "nope", "locales": {"en_US": {"title": "x"}}}),
            "parent nope is not a node",
        ),
    ];
    for (mut body, message) in cases {
        body["navigation_id"] = json!(main);
        let reply = admin
            .submit_json("/admin/navigation/nodes/create", &body)
            .await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert!(reply.body.contains(message), "{body}: {}", reply.body);
    }
    let bad_key = admin
        .submit_json(
            "/admin/navigation/navigations/create",
            &json!({"key": "Main Menu", "name": "x"}),
        )
        .await;
    assert_eq!(bad_key.status, 422, "{}", bad_key.body);
    let taken = admin
        .submit_json(
            "/admin/navigation/navigations/create",
            &json!({"key": "main", "name": "again"}),
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    let no_csrf = admin
        .post_form(
            "/admin/navigation/navigations/create",
            &[("key", "sneaky"), ("name", "x")],
        )
        .await;
    assert_eq!(no_csrf.status, 403, "{}", no_csrf.body);
    let missing = admin
        .get_json("/admin/navigation/navigations/show?id=nope")
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
}

/// Chromium: the shopper tabs into the main menu, the dropdown opens on keyboard focus, and
/// following its category link opens the category page with the breadcrumb. Chromium missing
/// is a failure, never a skip; the screenshot is kept as
/// `<target>/test-artifacts/navigation-menu-category.png`.
#[tokio::test]
async fn a_shopper_follows_the_main_menu_dropdown_to_a_category_page() {
    let (app, admin) = app().await;
    let base = app.base_url();
    let shoes = category(&admin, "Shoes", "shoes").await;
    let boots = category(&admin, "Boots", "boots").await;
    let main = navigation(&admin, "main").await;
    let shop = node(&admin, &main, None, "category", "Shoes", &shoes).await;
    node(&admin, &main, Some(&shop), "category", "Boots", &boots).await;
    node(&admin, &main, None, "link", "Sale", "/sale").await;

    let browser = Driver::start().await;
    browser.goto(&format!("{base}/")).await;
    browser.wait_for_text("Sale").await;
    let hidden = browser
        .script("return getComputedStyle(document.querySelector('.menu-header .menu-children')).display")
        .await;
    assert_eq!(hidden, "none", "the dropdown is closed at first");
    // Keyboard focus on the top-level entry opens its dropdown (:focus-within, no script).
    let opened = browser
        .script("document.querySelector('.menu-header a[href=\"/c/shoes\"]').focus(); return getComputedStyle(document.querySelector('.menu-header .menu-children')).display")
        .await;
    assert_eq!(opened, "block", "focus opens the dropdown");
    let scripts = browser
        .script("return document.querySelectorAll('.slot-header script').length")
        .await;
    assert_eq!(scripts, 0, "the menu needs no script");
    browser
        .screenshot(&artifacts_dir().join("navigation-menu-open.png"))
        .await;
    browser.click(".menu-header a[href=\"/c/boots\"]").await;
    browser.wait_for_url("/c/boots").await;
    browser.wait_for_text("Boots").await;
    let crumb = browser
        .script(
            "const b = document.querySelector('nav.breadcrumb'); return b ? b.textContent : null",
        )
        .await;
    assert_eq!(crumb, "ShoesBoots", "the breadcrumb of the category");
    browser
        .screenshot(&artifacts_dir().join("navigation-menu-category.png"))
        .await;
}
