//! The content section in a real headless Chromium: an admin edits a page's placeholder in the
//! Back Office, saves the draft (the storefront still shows the live text), publishes, and the
//! storefront shows the new text. Chromium missing is a failure, never a skip; the screenshot
//! is kept as `<target>/test-artifacts/content-storefront-page.png`.

use backoffice_tests::webdriver::{Driver, artifacts_dir};
use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp};

use super::{page, published};

#[tokio::test]
async fn a_placeholder_edited_in_the_back_office_is_on_the_storefront_once_published() {
    let app = TestApp::with_plugins(&["content"]).await;
    let base = app.base_url();
    let admin = app.admin().await;
    let id = published(&admin, page("/about", "<p>Old words</p>")).await;

    let browser = Driver::start().await;
    browser.goto(&format!("{base}/login")).await;
    browser.type_into("input[name=email]", ADMIN_EMAIL).await;
    browser
        .type_into("input[name=password]", ADMIN_PASSWORD)
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_for_url("/admin").await;

    browser
        .goto(&format!(
            "{base}/admin/content/pages/edit?id={id}&locale=en_US"
        ))
        .await;
    browser.wait_for_text("Texts in en_US").await;
    browser
        .script("document.querySelector('textarea[name=\"ph.content\"]').value = ''; return true")
        .await;
    browser
        .type_into(
            "textarea[name=\"ph.content\"]",
            "<p>Fresh <em>words</em> from the editor</p><script>alert(1)</script>",
        )
        .await;
    browser.click("button.save-draft").await;
    browser.wait_for_text("Draft saved").await;

    browser.goto(&format!("{base}/about")).await;
    browser.wait_for_text("Old words").await;

    browser
        .goto(&format!(
            "{base}/admin/content/pages/edit?id={id}&locale=en_US"
        ))
        .await;
    browser.wait_for_text("the draft has changes").await;
    browser.click("button.publish").await;
    browser.wait_for_text("Published as version 2").await;

    browser.goto(&format!("{base}/about")).await;
    browser.wait_for_text("Fresh words from the editor").await;
    let emphasised = browser
        .script("const em = document.querySelector('.cms-content em'); return em ? em.textContent : null")
        .await;
    assert_eq!(emphasised, "words", "the rich text is HTML on the page");
    let scripts = browser
        .script("return document.querySelectorAll('.cms-page script').length")
        .await;
    assert_eq!(scripts, 0, "the script the editor typed was removed");
    browser
        .screenshot(&artifacts_dir().join("content-storefront-page.png"))
        .await;
}
