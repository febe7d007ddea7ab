//! One end-to-end test in a real headless Chromium: an admin signs in, switches the storefront
//! theme on the Themes page, and the storefront visibly changes. A screenshot of the result is
//! kept under `<target>/test-artifacts/`. Chromium missing is a failure, never a skip.

use backoffice_tests::themes::shipped_themes;
use backoffice_tests::webdriver::{Driver, artifacts_dir};
use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp};

const BODY_COLOUR: &str = "return getComputedStyle(document.body).backgroundColor";
const BODY_CLASS: &str = "return document.body.className";

#[tokio::test]
async fn switching_the_storefront_theme_changes_what_the_browser_shows() {
    let app = TestApp::with_themes(&shipped_themes(), false).await;
    let base = app.base_url();
    let browser = Driver::start().await;

    browser.goto(&format!("{base}/")).await;
    assert_eq!(browser.script(BODY_COLOUR).await, "rgb(246, 247, 249)");
    assert!(
        browser
            .script(BODY_CLASS)
            .await
            .as_str()
            .unwrap()
            .contains("theme-default")
    );

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
    browser
        .click("button[data-activate=midnight-storefront]")
        .await;
    // The flash message on the page the form leads back to confirms the switch.
    browser
        .wait_for_text("The storefront now uses the theme midnight.")
        .await;

    browser.goto(&format!("{base}/")).await;
    let class = browser.script(BODY_CLASS).await;
    assert!(
        class.as_str().unwrap().contains("theme-midnight"),
        "{class}"
    );
    assert_eq!(browser.script(BODY_COLOUR).await, "rgb(15, 20, 32)");
    let header = browser
        .script("return getComputedStyle(document.querySelector('.topbar')).flexDirection")
        .await;
    assert_eq!(header, "column", "midnight's centered header layout");

    let shot = artifacts_dir().join("themes-storefront-midnight.png");
    browser.screenshot(&shot).await;
    let bytes = std::fs::read(&shot).expect("the screenshot was written");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG screenshot");
}
