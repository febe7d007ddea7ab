//! CMS blocks in the storefront's layout slots, and a slot provider that fails (the
//! `slot-filler` fixture traps for the footer and answers the header with a template that does
//! not render) without taking the page or the other providers' items with it.

use backoffice_tests::TestApp;
use serde_json::{Value, json};

use super::{content_app, ok, page, published};

/// A block of `slot` with `html`.
fn block(key: &str, slot: &str, html: &str) -> Value {
    json!({"key": key, "name": key, "template": "text", "active": true, "slot": slot,
           "position": 1, "locales": {"en_US": {"placeholders": {"content": html}}}})
}

#[tokio::test]
async fn blocks_fill_their_slots_on_every_storefront_page() {
    let (app, admin) = content_app().await;
    let shopper = app.browser();
    ok(
        &admin,
        "/admin/content/blocks/create",
        block("footer-text", "footer", "<p>Free shipping</p>"),
    )
    .await;
    let teaser = ok(
        &admin,
        "/admin/content/blocks/create",
        block("home-teaser", "home", "<p>Winter sale</p>"),
    )
    .await;
    let home = shopper.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains(r#"<div class="slot slot-footer" data-plugin="content"><div class="cms-block" data-block="footer-text"><p>Free shipping</p>"#), "{}", home.body);
    assert!(home.body.contains("Winter sale"), "{}", home.body);

    published(&admin, page("/about", "<p>Us</p>")).await;
    let about = shopper.get("/about").await;
    assert!(
        about.body.contains("Free shipping"),
        "the footer is on every page"
    );
    let missing = shopper.get("/no-such-page").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Free shipping"),
        "an error page keeps the footer: {}",
        missing.body
    );
    assert!(
        !about.body.contains("Winter sale"),
        "the home slot is on the home page only"
    );

    // The section's write invalidates the slot's cached answer at once.
    let mut off = block("home-teaser", "home", "<p>Winter sale</p>");
    off["id"] = teaser["block"]["id"].clone();
    off["active"] = json!(false);
    ok(&admin, "/admin/content/blocks/update", off).await;
    assert!(!shopper.get("/").await.body.contains("Winter sale"));

    let taken = admin
        .submit_json(
            "/admin/content/blocks/create",
            &block("footer-text", "footer", "x"),
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.body);
}

#[tokio::test]
async fn a_failing_slot_plugin_leaves_the_page_and_the_other_slots_intact() {
    let app = TestApp::with_plugins(&["content", "slot-filler"]).await;
    let admin = app.admin().await;
    ok(
        &admin,
        "/admin/content/blocks/create",
        block("footer-text", "footer", "<p>Free shipping</p>"),
    )
    .await;
    ok(
        &admin,
        "/admin/content/blocks/create",
        block("header-note", "header", "<p>Hotline</p>"),
    )
    .await;
    for _ in 0..2 {
        // The second time from the cache: the failure is not asked again, the page the same.
        let home = app.browser().get("/").await;
        assert_eq!(home.status, 200, "{}", home.body);
        assert!(
            home.body.contains("Hello from the slot filler"),
            "the working slot shows"
        );
        assert!(
            home.body.contains("Free shipping"),
            "the footer keeps content's block although slot-filler traps there"
        );
        assert!(
            home.body.contains("Hotline"),
            "the header keeps content's block although slot-filler's template fails"
        );
        assert!(
            home.body.contains("</footer>") && home.body.contains("</html>"),
            "the page is whole"
        );
    }
}

#[tokio::test]
async fn a_block_made_with_the_back_office_form_shows_in_its_slot() {
    let (app, admin) = content_app().await;
    let list = admin.get("/admin/content/blocks/index").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("New block"), "{}", list.body);
    let created = admin
        .submit(
            "/admin/content/blocks/create",
            &[
                ("key", "home-hello"),
                ("name", "Home hello"),
                ("template", "text"),
                ("slot", "home"),
                ("position", "3"),
                ("active", "on"),
                ("valid_from", ""),
                ("valid_to", ""),
                ("stores", "DE"),
                ("locale", "en_US"),
                ("ph.title", ""),
                (
                    "ph.content",
                    "<p>Hello <b>shoppers</b><img src=x onerror=alert(1)></p>",
                ),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let home = app.browser().get("/").await;
    assert!(home.body.contains(r#"<div class="cms-block" data-block="home-hello"><p>Hello <b>shoppers</b><img src="x"></p>"#), "{}", home.body);
}
