//! Content items placed into rich text with `{{ content_item("key") }}`: a banner with an image
//! from the media library (which the media library then keeps), and a product list resolved
//! through the catalog's shared products.

use backoffice_tests::TestApp;
use backoffice_tests::browser::unescape;
use image::ImageFormat;
use serde_json::json;

use super::{article, content_app, ok, page, published};
use crate::media::{image_bytes, upload};

#[tokio::test]
async fn a_banner_shows_its_media_library_image() {
    let (app, admin) = content_app().await;
    let file = upload(
        &admin,
        "summer.png",
        &image_bytes(800, 400, ImageFormat::Png),
    )
    .await;
    let media_id = file["id"].as_i64().expect("a media id");
    ok(
        &admin,
        "/admin/content/items/create",
        json!({"key": "summer", "name": "Summer banner", "kind": "banner", "image": media_id,
               "locales": {"en_US": {"title": "Summer sale", "subtitle": "All shoes -20%",
                                     "click_url": "/sale", "alt": "Beach shoes"}}}),
    )
    .await;
    published(
        &admin,
        page(
            "/sale-info",
            r#"<p>Look:</p>{{ content_item("summer") }}<p>End</p>"#,
        ),
    )
    .await;
    let shown = app.browser().get("/sale-info").await;
    let html = unescape(article(&shown.body));
    assert!(
        html.contains(r#"<figure class="cms-banner" data-item="summer">"#),
        "{html}"
    );
    assert!(html.contains(r#"<a href="/sale">"#), "{html}");
    assert!(html.contains(r#"alt="Beach shoes""#), "{html}");
    assert!(
        html.contains("Summer sale") && html.contains("All shoes -20%"),
        "{html}"
    );
    let src_start = html.find("<img src=\"").expect("an image") + 10;
    let src = &html[src_start..src_start + html[src_start..].find('"').unwrap()];
    assert!(
        html.contains(r#"width="600" height="300""#),
        "the medium variant's size: {html}"
    );
    assert!(src.starts_with("/media/"), "{src}");
    let image = app.browser().get(src).await;
    assert_eq!(image.status, 200, "the banner's image is served");

    // The section says it uses the file, so the media library keeps it.
    let delete = admin
        .submit_json("/admin/media/files/delete", &json!({ "id": media_id }))
        .await;
    assert_eq!(delete.status, 409, "{}", delete.body);
    assert!(
        delete.body.contains("content item summer"),
        "{}",
        delete.body
    );
}

#[tokio::test]
async fn a_product_list_shows_the_catalogs_active_products_in_order() {
    let app = TestApp::with_plugins(&["content", "catalog"]).await;
    let admin = app.admin().await;
    for (sku, name, status) in [
        ("BOOT", "Hiking boot", "active"),
        ("SOCK", "Wool sock", "active"),
        ("OLD", "Old shoe", "inactive"),
    ] {
        ok(
            &admin,
            "/admin/catalog/products/create",
            json!({"sku": sku, "names": {"en": name}, "price": 1000, "status": status}),
        )
        .await;
    }
    ok(
        &admin,
        "/admin/content/items/create",
        json!({"key": "picks", "name": "Our picks", "kind": "product-list",
               "skus": ["SOCK", "NOPE", "OLD", "BOOT"]}),
    )
    .await;
    published(
        &admin,
        page("/picks", r#"<p>Picks:</p>{{ content_item("picks") }}"#),
    )
    .await;
    let shown = app.browser().get("/picks").await;
    let html = unescape(article(&shown.body));
    let sock = html.find(">Wool sock</a>").expect("the sock is listed");
    let boot = html.find(">Hiking boot</a>").expect("the boot is listed");
    assert!(sock < boot, "in the item's order: {html}");
    assert!(
        !html.contains("Old shoe") && !html.contains("NOPE"),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/p/"#),
        "linked to the product pages: {html}"
    );
}

#[tokio::test]
async fn an_item_made_with_the_back_office_form_is_placed_by_its_key() {
    let (app, admin) = content_app().await;
    let list = admin.get("/admin/content/items/index").await;
    assert!(list.body.contains("New content item"), "{}", list.body);
    let created = admin
        .submit(
            "/admin/content/items/create",
            &[
                ("key", "winter"),
                ("name", "Winter banner"),
                ("kind", "banner"),
                ("image", ""),
                ("skus", ""),
                ("menu", ""),
                ("locale", "en_US"),
                ("title", "Winter <sale>"),
                ("subtitle", ""),
                ("click_url", "javascript:alert(1)"),
                ("alt", ""),
            ],
        )
        .await;
    assert_eq!(
        created.status, 422,
        "a script address is refused: {}",
        created.body
    );
    let created = admin
        .submit(
            "/admin/content/items/create",
            &[
                ("key", "winter"),
                ("name", "Winter banner"),
                ("kind", "banner"),
                ("locale", "en_US"),
                ("title", "Winter <sale>"),
                ("click_url", "/winter"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    published(
        &admin,
        page("/winter-info", r#"{{ content_item("winter") }}"#),
    )
    .await;
    let shown = app.browser().get("/winter-info").await;
    let html = article(&shown.body);
    assert!(
        html.contains("<strong>Winter &lt;sale&gt;</strong>"),
        "escaped: {html}"
    );
    assert!(html.contains(r#"<a href="&#x2f;winter">"#), "{html}");
}
