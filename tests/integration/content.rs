//! The content section over HTTP with the real component: CMS pages per locale (addresses
//! unique per locale and never shadowed by a route), the edit form, versions published and
//! rolled back exactly, preview links for admins only and only until they expire, redirects,
//! validity windows and stores. `items` (banner, product list), `slots` (blocks in slots, a
//! failing slot provider), `xss` (the corpus) and `browser` (Chromium) are beside this file.
//! The storefront is the anonymous shopper (locale `en` → `en_US`).

mod browser;
mod items;
mod slots;
mod xss;

use backoffice_tests::{Browser, TestApp};
use serde_json::{Value, json};

pub async fn ok(admin: &Browser, path: &str, body: Value) -> Value {
    let reply = admin.submit_json(path, &body).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.json()
}

/// A standard page with one English locale.
pub fn page(url: &str, content: &str) -> Value {
    json!({
        "template": "standard",
        "active": true,
        "searchable": true,
        "locales": {"en_US": {"name": "About", "url": url, "meta_title": "About us",
                               "meta_description": "Who we are",
                               "placeholders": {"content": content}}},
    })
}

/// Creates and publishes `body`; answers the page's id.
pub async fn published(admin: &Browser, body: Value) -> String {
    let created = ok(admin, "/admin/content/pages/create", body).await;
    let id = created["page"]["id"]
        .as_str()
        .expect("a page id")
        .to_owned();
    ok(admin, "/admin/content/pages/publish", json!({ "id": id })).await;
    id
}

pub async fn content_app() -> (TestApp, Browser) {
    let app = TestApp::with_plugins(&["content"]).await;
    let admin = app.admin().await;
    (app, admin)
}

/// The page's article: what the CMS rendered, without the layout around it.
pub fn article(html: &str) -> &str {
    let start = html.find("<article").expect("a CMS article");
    let end = html[start..].find("</article>").expect("the article's end") + start;
    &html[start..end]
}

#[tokio::test]
async fn a_page_is_shown_in_the_shoppers_locale_once_published() {
    let (app, admin) = content_app().await;
    let shopper = app.browser();
    let mut body = page("/about", "<p>We sell <strong>shoes</strong>.</p>");
    body["locales"]["de_DE"] = json!({"name": "Über uns", "url": "/ueber-uns",
                                     "placeholders": {"content": "<p>Wir verkaufen Schuhe.</p>"}});
    let created = ok(&admin, "/admin/content/pages/create", body.clone()).await;
    let id = created["page"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        shopper.get("/about").await.status,
        404,
        "a draft is never on the storefront"
    );

    ok(&admin, "/admin/content/pages/publish", json!({ "id": id })).await;
    let shown = shopper.get("/about").await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(
        shown
            .body
            .contains("<p>We sell <strong>shoes</strong>.</p>"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("<title>About us"),
        "the meta title is the page title"
    );
    assert!(
        shown
            .body
            .contains(r#"<meta name="description" content="Who we are">"#)
    );
    assert_eq!(
        shopper.get("/ueber-uns").await.status,
        404,
        "the German address is not the English shopper's"
    );

    // Editing the draft changes nothing on the storefront until it is published.
    body["id"] = json!(id);
    body["locales"]["en_US"]["placeholders"]["content"] = json!("<p>Now boots too.</p>");
    let updated = ok(&admin, "/admin/content/pages/update", body).await;
    assert_eq!(updated["page"]["unpublished"], true);
    assert!(shopper.get("/about").await.body.contains("shoes"));
    ok(&admin, "/admin/content/pages/publish", json!({ "id": id })).await;
    assert!(shopper.get("/about").await.body.contains("Now boots too."));

    let listed = admin.get_json("/admin/content/pages/index").await.json();
    assert_eq!(
        listed["pages"][0]["title"], "Über uns",
        "the first locale's name: {listed}"
    );
    assert_eq!(listed["pages"][0]["live_version"], 2);
    ok(&admin, "/admin/content/pages/delete", json!({ "id": id })).await;
    assert_eq!(shopper.get("/about").await.status, 404);
}

#[tokio::test]
async fn the_edit_form_saves_one_locales_texts_and_shows_mistakes_beside_the_form() {
    let (app, admin) = content_app().await;
    let id = published(&admin, page("/about", "<p>Old</p>")).await;
    let form = admin
        .get(&format!("/admin/content/pages/edit?id={id}&locale=en_US"))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Texts in en_US"), "{}", form.body);
    let hidden = |name| backoffice_tests::browser::hidden_field(&form.body, name);
    assert_eq!(
        hidden("id").as_deref(),
        Some(id.as_str()),
        "the form names its page"
    );
    let version = hidden("version").expect("a version");
    let fields = |url: &'static str| {
        vec![
            ("id", id.clone()),
            ("version", version.clone()),
            ("locale", "en_US".to_owned()),
            ("template", "standard".to_owned()),
            ("active", "on".to_owned()),
            ("stores", String::new()),
            ("valid_from", String::new()),
            ("valid_to", String::new()),
            ("name", "About".to_owned()),
            ("url", url.to_owned()),
            ("meta_title", String::new()),
            ("meta_keywords", String::new()),
            ("meta_description", String::new()),
            ("ph.title", String::new()),
            (
                "ph.content",
                "<p>New <em>words</em></p><script>x()</script>".to_owned(),
            ),
        ]
    };
    let bad = fields("Not an address");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = admin.submit("/admin/content/pages/edit", &bad).await;
    assert_eq!(refused.status, 200, "the form again: {}", refused.body);
    assert!(
        refused.body.contains("is not a storefront address"),
        "{}",
        refused.body
    );

    let good = fields("/about");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = admin.submit("/admin/content/pages/edit", &good).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let shown = admin
        .get_json(&format!("/admin/content/pages/show?id={id}"))
        .await
        .json();
    assert_eq!(
        shown["page"]["locales"]["en_US"]["placeholders"]["content"], "<p>New <em>words</em></p>",
        "saved sanitised"
    );
    assert!(
        app.browser().get("/about").await.body.contains("Old"),
        "the draft is not live"
    );
}

#[tokio::test]
async fn an_address_taken_in_its_locale_or_by_a_route_is_refused() {
    let app = TestApp::with_plugins(&["content", "catalog"]).await;
    let admin = app.admin().await;
    published(&admin, page("/shipping", "<p>Fast</p>")).await;

    let again = admin
        .submit_json(
            "/admin/content/pages/create",
            &page("/shipping", "<p>Twice</p>"),
        )
        .await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(
        again
            .body
            .contains("/shipping is the address of another page in en_US"),
        "{}",
        again.body
    );

    let mut german = page("/shipping", "<p>Schnell</p>");
    german["locales"] = json!({"de_DE": {"name": "Versand", "url": "/shipping"}});
    ok(&admin, "/admin/content/pages/create", german).await;

    for (url, why) in [
        ("/customer/login", "is answered by host"),
        ("/p/red-shoe", "is answered by catalog"),
        ("/admin/x", "is answered by host"),
        ("/About Us", "is not a storefront address"),
        ("about", "is not a storefront address"),
        ("/a//b", "is not a storefront address"),
        ("/../etc", "is not a storefront address"),
    ] {
        let reply = admin
            .submit_json("/admin/content/pages/create", &page(url, "<p>x</p>"))
            .await;
        assert_eq!(reply.status, 422, "{url}: {}", reply.body);
        assert!(reply.body.contains(why), "{url}: {}", reply.body);
    }
    let bad_template = admin
        .submit_json(
            "/admin/content/pages/create",
            &json!({"template": "nope", "locales": {"en_US": {"name": "x", "url": "/x"}}}),
        )
        .await;
    assert_eq!(bad_template.status, 422, "{}", bad_template.body);
}

#[tokio::test]
async fn versions_publish_and_roll_back_exactly() {
    let (app, admin) = content_app().await;
    let shopper = app.browser();
    let id = published(&admin, page("/story", "<p>One</p>")).await;
    let first = admin
        .get_json(&format!("/admin/content/pages/show?id={id}"))
        .await
        .json()["page"]["live"]
        .clone();

    let mut body = page("/story", "<p>Two</p>");
    body["id"] = json!(id);
    ok(&admin, "/admin/content/pages/update", body).await;
    let second = ok(&admin, "/admin/content/pages/publish", json!({ "id": id })).await;
    assert_eq!(second["version"], 2);
    assert!(shopper.get("/story").await.body.contains("<p>Two</p>"));

    let history = admin
        .get_json(&format!("/admin/content/pages/versions?id={id}"))
        .await
        .json();
    let numbers: Vec<i64> = history["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 1]);
    assert_eq!(history["versions"][0]["author"], "admin@example.com");

    let diff = admin
        .get_json(&format!("/admin/content/pages/diff?id={id}&a=1&b=2"))
        .await
        .json();
    assert_eq!(
        diff["changes"],
        json!([{"field": "locales.en_US.placeholders.content", "a": "<p>One</p>", "b": "<p>Two</p>"}])
    );

    let rolled = ok(
        &admin,
        "/admin/content/pages/rollback",
        json!({ "id": id, "version": "1" }),
    )
    .await;
    assert_eq!(rolled["version"], 3, "a rollback is a new version");
    assert_eq!(
        rolled["page"]["live"], first,
        "the live page is version 1, exactly"
    );
    assert_eq!(rolled["page"]["unpublished"], false);
    let shown = shopper.get("/story").await;
    assert!(
        shown.body.contains("<p>One</p>") && !shown.body.contains("Two"),
        "{}",
        shown.body
    );
    let missing = admin
        .submit_json(
            "/admin/content/pages/rollback",
            &json!({ "id": id, "version": "9" }),
        )
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_preview_link_shows_the_draft_to_admins_only_until_it_expires() {
    let (app, admin) = content_app().await;
    let id = published(&admin, page("/news", "<p>Live text</p>")).await;
    let mut body = page("/news", "<p>Draft text</p>");
    body["id"] = json!(id);
    ok(&admin, "/admin/content/pages/update", body).await;

    let link = admin
        .get_json(&format!(
            "/admin/content/pages/preview?id={id}&locale=en_US"
        ))
        .await
        .json();
    let url = link["url"].as_str().expect("a preview address").to_owned();
    assert!(url.starts_with("/news?preview="), "{url}");

    let seen = admin.get(&url).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body.contains("Draft text"), "{}", seen.body);
    assert_eq!(seen.headers["cache-control"], "no-store");
    assert!(
        seen.body
            .contains(r#"<meta name="robots" content="noindex">"#)
    );

    let anonymous = app.browser().get(&url).await;
    assert!(!anonymous.body.contains("Draft text"), "{}", anonymous.body);
    assert!(
        anonymous.body.contains("Live text"),
        "the shopper sees the live page"
    );
    let forged = admin.get(&format!("{url}0")).await;
    assert!(
        !forged.body.contains("Draft text"),
        "a changed signature is refused"
    );

    app.advance(3601);
    let expired = admin.get(&url).await;
    assert!(!expired.body.contains("Draft text"), "{}", expired.body);
    assert!(expired.body.contains("Live text"));
    let _ = app;
}

#[tokio::test]
async fn redirects_answer_301_and_302_before_a_404() {
    let (app, admin) = content_app().await;
    let shopper = app.browser();
    published(&admin, page("/about", "<p>Us</p>")).await;
    for (from, to, status) in [
        ("/old-about", "/about", 301),
        ("/summer", "https://example.com/sale?x=1", 302),
        ("/about", "/elsewhere", 301),
    ] {
        ok(
            &admin,
            "/admin/content/redirects/create",
            json!({"from_url": from, "to_url": to, "status": status, "active": true}),
        )
        .await;
    }
    let moved = shopper.get("/old-about").await;
    assert_eq!(moved.status, 301);
    assert_eq!(moved.location(), Some("/about"));
    let found = shopper.get("/summer").await;
    assert_eq!(found.status, 302);
    assert_eq!(found.location(), Some("https://example.com/sale?x=1"));
    assert_eq!(
        shopper.get("/about").await.status,
        200,
        "a live page wins over a redirect"
    );
    assert_eq!(shopper.get("/nowhere").await.status, 404);

    let refused = admin
        .submit_json(
            "/admin/content/redirects/create",
            &json!({"from_url": "/x", "to_url": "javascript:alert(1)", "status": 301}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let bad_status = admin
        .submit_json(
            "/admin/content/redirects/create",
            &json!({"from_url": "/y", "to_url": "/about", "status": 307}),
        )
        .await;
    assert_eq!(bad_status.status, 422, "{}", bad_status.body);
}

#[tokio::test]
async fn validity_windows_activity_and_stores_decide_what_shows() {
    let (app, admin) = content_app().await;
    let shopper = app.browser();
    // The test clock starts on 2025-01-01.
    let mut later = page("/later", "<p>Soon</p>");
    later["valid_from"] = json!("2025-01-02");
    later["valid_to"] = json!("2025-01-03");
    published(&admin, later).await;
    let mut inactive = page("/inactive", "<p>Off</p>");
    inactive["active"] = json!(false);
    published(&admin, inactive).await;
    let mut austria = page("/austria", "<p>AT only</p>");
    austria["stores"] = json!(["AT"]);
    published(&admin, austria).await;
    let mut germany = page("/germany", "<p>DE</p>");
    germany["stores"] = json!(["DE"]);
    published(&admin, germany).await;

    assert_eq!(shopper.get("/later").await.status, 404, "before its window");
    assert_eq!(shopper.get("/inactive").await.status, 404);
    assert_eq!(
        shopper.get("/austria").await.status,
        404,
        "another store's page"
    );
    let delete = admin
        .submit_json("/admin/settings/stores/delete", &json!({"code": "AT"}))
        .await;
    assert_eq!(
        delete.status, 409,
        "the section uses the store: {}",
        delete.body
    );
    assert!(
        delete.body.contains("content: CMS page About"),
        "{}",
        delete.body
    );
    assert_eq!(
        shopper.get("/germany").await.status,
        200,
        "the default store's page"
    );

    let mut wrong = page("/wrong", "<p>x</p>");
    wrong["valid_from"] = json!("2025-02-30");
    wrong["stores"] = json!(["XX"]);
    let reply = admin
        .submit_json("/admin/content/pages/create", &wrong)
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("valid_from") && reply.body.contains("there is no store XX"),
        "{}",
        reply.body
    );

    app.advance(86_400);
    assert_eq!(shopper.get("/later").await.status, 200, "on its first day");
    app.advance(2 * 86_400);
    assert_eq!(
        shopper.get("/later").await.status,
        404,
        "after its last day"
    );
}
