//! File uploads to plugin routes: a `multipart/form-data` body reaches the plugin as form pairs
//! (a file as its text plus `<field>.filename`), under its own size limit, behind the same CSRF
//! check as every other state change. The `hello` fixture's `echo` action shows what arrived.

use backoffice::web::multipart::PLUGIN_UPLOAD_LIMIT;
use backoffice_tests::{Browser, Multipart, Reply, TestApp};
use serde_json::{Value, json};

const ECHO: &str = "/admin/hello/index/echo";

/// Text long enough to span many reads of the body stream, different on every line, so a byte
/// lost or repeated where the CSRF check replays the stream would show.
fn csv(rows: usize) -> String {
    let mut text = String::from("sku,name\n");
    for i in 0..rows {
        text.push_str(&format!("SKU-{i},Jörg's product number {i}\n"));
    }
    text
}

fn form_of(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["form"].clone()
}

fn error_of(reply: &Reply) -> String {
    reply.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_file_arrives_as_its_text_with_its_filename() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let text = csv(40_000);
    assert!(
        text.len() > 1024 * 1024,
        "bigger than the general body limit"
    );

    // The hidden `_csrf` field first (as a browser sends a form), or after the file.
    let token_first = Multipart::new()
        .text("_csrf", &admin.csrf())
        .text("note", "spring import")
        .file("file", "products.csv", "text/csv", text.as_bytes());
    let token_last = Multipart::new()
        .text("note", "spring import")
        .file("file", "products.csv", "text/csv", text.as_bytes())
        .text("_csrf", &admin.csrf());
    for form in [token_first, token_last] {
        let reply = admin.post_multipart(ECHO, form, "application/json").await;
        assert_eq!(
            form_of(&reply),
            json!([
                ["note", "spring import"],
                ["file.filename", "products.csv"],
                ["file", text],
            ]),
            "the CSRF field is removed, the file arrives whole"
        );
    }

    let with_bom = Multipart::new().text("_csrf", &admin.csrf()).file(
        "file",
        "excel.csv",
        "text/csv",
        "\u{feff}sku\nA-1\n".as_bytes(),
    );
    let reply = admin
        .post_multipart(ECHO, with_bom, "application/json")
        .await;
    assert_eq!(
        form_of(&reply)[1],
        json!(["file", "sku\nA-1\n"]),
        "a leading byte-order mark is not part of the text"
    );
}

#[tokio::test]
async fn storefront_routes_receive_uploads_too() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let visitor = app.browser();
    let page = visitor.get("/customer/login").await;
    let token = page
        .csrf_field()
        .expect("the sign-in form has a CSRF field");
    let form = Multipart::new().text("_csrf", &token).file(
        "review",
        "review.txt",
        "text/plain",
        b"Great shoes.",
    );
    let reply = visitor
        .post_multipart("/hello/echo", form, "application/json")
        .await;
    assert_eq!(
        form_of(&reply),
        json!([
            ["review.filename", "review.txt"],
            ["review", "Great shoes."]
        ])
    );

    let without = Multipart::new().file("review", "review.txt", "text/plain", b"x");
    let reply = visitor
        .post_multipart("/hello/echo", without, "application/json")
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
}

#[tokio::test]
async fn a_file_that_is_not_utf8_text_is_refused_with_400() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let latin1 = b"sku,name\nA-1,J\xf6rg\n";
    let form = Multipart::new().text("_csrf", &admin.csrf()).file(
        "file",
        "latin1.csv",
        "text/csv",
        latin1,
    );
    let reply = admin.post_multipart(ECHO, form, "application/json").await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(error_of(&reply), "The file latin1.csv is not UTF-8 text.");

    let form = Multipart::new()
        .text("_csrf", &admin.csrf())
        .text("note", "J\u{f6}rg")
        .file("file", "ok.csv", "text/csv", b"fine");
    let mut body = form.finish();
    let at = body.windows(2).position(|w| w == "ö".as_bytes()).unwrap();
    body.splice(at..at + 2, [0xf6]);
    let reply = admin
        .send(
            admin
                .request(reqwest::Method::POST, ECHO)
                .header("accept", "application/json")
                .header("content-type", Multipart::content_type())
                .body(body),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(
        error_of(&reply),
        "The form contains text that is not valid UTF-8."
    );
}

#[tokio::test]
async fn an_upload_over_the_plugin_limit_is_refused_with_413() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let huge = vec![b'x'; PLUGIN_UPLOAD_LIMIT];
    let form = Multipart::new()
        .text("_csrf", &admin.csrf())
        .file("file", "huge.csv", "text/csv", &huge);
    let reply = admin.post_multipart(ECHO, form, "application/json").await;
    assert_eq!(reply.status, 413, "{}", reply.body);
}

#[tokio::test]
async fn other_bodies_to_plugin_routes_keep_the_general_limit() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let form = format!("note={}", "x".repeat(300 * 1024));
    let reply = admin
        .submit_raw(ECHO, "application/x-www-form-urlencoded", form.into_bytes())
        .await;
    assert_eq!(reply.status, 413, "300 KiB form: {}", reply.body);
    let body = json!({ "note": "x".repeat(300 * 1024) }).to_string();
    let reply = admin
        .submit_raw(ECHO, "application/json", body.into_bytes())
        .await;
    assert_eq!(reply.status, 413, "300 KiB JSON: {}", reply.body);

    let small = admin
        .submit_raw(
            ECHO,
            "application/x-www-form-urlencoded",
            b"note=hi".to_vec(),
        )
        .await;
    assert_eq!(form_of(&small), json!([["note", "hi"]]));
}

async fn notes_total(admin: &Browser) -> u64 {
    let list = admin.get_json("/admin/notes/notes/index").await;
    assert_eq!(list.status, 200, "{}", list.body);
    list.json()["total"].as_u64().expect("a total")
}

#[tokio::test]
async fn a_multipart_state_change_without_the_csrf_token_is_refused_and_writes_nothing() {
    let app = TestApp::with_plugins(&["notes"]).await;
    let admin = app.admin().await;
    let note = |token: Option<&str>| {
        let form = match token {
            Some(token) => Multipart::new().text("_csrf", token),
            None => Multipart::new(),
        };
        form.text("title", "Imported").file(
            "body",
            "body.txt",
            "text/plain",
            "From a file.".as_bytes(),
        )
    };

    let reply = admin
        .post_multipart("/admin/notes/notes/create", note(None), "text/html")
        .await;
    assert_eq!(reply.status, 403, "no token: {}", reply.body);
    let reply = admin
        .post_multipart(
            "/admin/notes/notes/create",
            note(Some("not-the-token")),
            "text/html",
        )
        .await;
    assert_eq!(reply.status, 403, "a wrong token: {}", reply.body);
    assert_eq!(notes_total(&admin).await, 0, "nothing was written");

    let token = admin.csrf();
    let reply = admin
        .post_multipart(
            "/admin/notes/notes/create",
            note(Some(&token)),
            "application/json",
        )
        .await;
    assert_eq!(reply.status, 200, "with the token: {}", reply.body);
    assert_eq!(reply.json()["note"]["body"], "From a file.");
    assert_eq!(notes_total(&admin).await, 1);
}
