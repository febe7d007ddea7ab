//! A Python plugin: `tests/fixtures/hello-py`, built with componentize-py, loads and answers like
//! the Rust `hello` fixture (under its own id, `hello-py`).

use std::time::Instant;

use backoffice_tests::TestApp;

#[tokio::test]
async fn python_hello_plugin_renders_views_json_and_failures() {
    let started = Instant::now();
    let app = TestApp::with_plugins(&["hello-py"]).await;
    // Loading includes compiling the ~18 MB component (CPython inside); printed for the record.
    eprintln!("hello-py loaded in {:?}", started.elapsed());
    let admin = app.admin().await;

    let page = admin.get("/admin/hello-py/index/index").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<p class=\"greeting\">Hello, world!</p>"),
        "{}",
        page.body
    );
    let menu = backoffice_tests::browser::unescape(&page.body);
    assert!(
        menu.contains("href=\"/admin/hello-py/index/index\">Hello<"),
        "the menu lists the section: {menu}"
    );

    let escaped = admin
        .get("/admin/hello-py/index/index?name=%3Cb%3Ex%3C%2Fb%3E")
        .await;
    assert_eq!(escaped.status, 200, "{}", escaped.body);
    assert!(
        escaped.body.contains("Hello, &lt;b&gt;x&lt;"),
        "{}",
        escaped.body
    );
    assert!(!escaped.body.contains("<b>x</b>"));

    let context = admin.get_json("/admin/hello-py/index/index?name=Ann").await;
    assert_eq!(context.status, 200, "{}", context.body);
    assert_eq!(
        context.json(),
        serde_json::json!({"greeting": "Hello, Ann!", "name": "Ann"})
    );

    let json = admin.get("/admin/hello-py/index/json?name=Bo").await;
    assert_eq!(json.status, 200, "{}", json.body);
    assert_eq!(
        json.json(),
        serde_json::json!({"greeting": "Hello, Bo!", "name": "Bo"})
    );

    let unknown = admin.get("/admin/hello-py/index/nope").await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(unknown.body.contains("not found"), "{}", unknown.body);

    let wrong_method = admin.submit("/admin/hello-py/index/index", &[]).await;
    assert_eq!(wrong_method.status, 405, "{}", wrong_method.body);
}
