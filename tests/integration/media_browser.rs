//! The media library in a real headless Chromium: an admin uploads an image on the media page
//! (the page's script sends it and reloads), picks it for a product on the product's images
//! page, and the storefront product page shows it, loaded. Chromium missing is a failure,
//! never a skip.

use std::time::Duration;

use backoffice_tests::webdriver::{Driver, artifacts_dir};
use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, poll};
use image::ImageFormat;
use serde_json::json;

use crate::media::image_bytes;

/// `naturalWidth` of the first image of the product page once it has loaded, else null.
const LOADED_WIDTH: &str = "const img = document.querySelector('.catalog-product img'); \
     return img && img.complete && img.naturalWidth > 0 ? img.naturalWidth : null";

#[tokio::test]
async fn an_image_uploaded_in_the_back_office_shows_on_the_storefront_product_page() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let base = app.base_url();
    let admin = app.admin().await;
    let created = admin
        .submit_json(
            "/admin/catalog/products/create",
            &json!({"sku": "BOOT", "names": {"en": "Hiking boot"}, "price": 9900, "status": "active"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let product = created.json()["product"].clone();
    let file = app.data_dir().join("hiking-boot.png");
    std::fs::write(&file, image_bytes(640, 480, ImageFormat::Png)).expect("writing the image");

    let browser = Driver::start().await;
    browser.goto(&format!("{base}/login")).await;
    browser.type_into("input[name=email]", ADMIN_EMAIL).await;
    browser
        .type_into("input[name=password]", ADMIN_PASSWORD)
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_for_url("/admin").await;

    browser
        .goto(&format!("{base}/admin/media/files/index"))
        .await;
    // The upload script ran (the page's CSP nonce let it): the progress path is taken.
    let enhanced = browser
        .script("return document.querySelector('form[data-media-upload][data-enhanced]') !== null")
        .await;
    assert_eq!(enhanced, true, "the upload script runs under the CSP");
    browser
        .type_into("input[type=file][name=file]", &file.display().to_string())
        .await;
    browser
        .click("form[data-media-upload] button[type=submit]")
        .await;
    // The script reloads the page once the upload is answered: the grid lists the file.
    browser.wait_for_text("hiking-boot.png").await;
    let listed = admin.get_json("/admin/media/files/index").await.json();
    let media_id = listed["files"][0]["id"]
        .as_i64()
        .expect("the uploaded file");

    let images_page = format!(
        "{base}/admin/catalog/products/images?id={}",
        product["id"].as_str().unwrap()
    );
    browser.goto(&images_page).await;
    browser
        .type_into("input[name=image_ids]", &media_id.to_string())
        .await;
    browser.click(".catalog-images button[type=submit]").await;
    browser.wait_for_text("are saved").await;

    browser
        .goto(&format!("{base}/p/{}", product["slug"].as_str().unwrap()))
        .await;
    let width = poll(
        Duration::from_secs(20),
        "the product image loaded",
        || async {
            let width = browser.script(LOADED_WIDTH).await;
            width.as_u64()
        },
    )
    .await;
    assert_eq!(width, 600, "the medium variant (600 px) is shown");
    let shot = artifacts_dir().join("media-storefront-product.png");
    browser.screenshot(&shot).await;
}
