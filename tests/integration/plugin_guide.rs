//! The plugin guide's Rust example builds as written: `docs/plugin-guide.md` section 1 shows
//! the files of the fixture `tests/fixtures/greeter` byte for byte (checked here), so
//! `plugins/build.sh --fixtures` compiles exactly the guide's code, and the built component
//! serves its form through the real host.

use std::path::{Path, PathBuf};

use backoffice_tests::TestApp;
use serde_json::json;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the repository")
        .to_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The body of the first fenced code block after the line that starts with `marker`, with its
/// final line break.
fn block_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let at = text
        .lines()
        .position(|l| l.starts_with(marker))
        .unwrap_or_else(|| panic!("the guide has no line starting with {marker}"));
    let mut lines = text.split_inclusive('\n').skip(at + 1);
    let offset = |line: &str| line.as_ptr() as usize - text.as_ptr() as usize;
    let fence = lines
        .find(|l| l.starts_with("```"))
        .unwrap_or_else(|| panic!("no code block after {marker}"));
    let start = offset(fence) + fence.len();
    let end = lines
        .find(|l| l.starts_with("```"))
        .unwrap_or_else(|| panic!("the code block after {marker} is not closed"));
    &text[start..offset(end)]
}

#[test]
fn the_guide_shows_the_greeter_fixture_byte_for_byte() {
    let guide = read(&repo().join("docs/plugin-guide.md"));
    let fixture = repo().join("tests/fixtures/greeter");
    for (marker, file) in [
        ("**Cargo.toml**", "Cargo.toml"),
        ("**src/lib.rs**", "src/lib.rs"),
        ("**templates/index.html**", "templates/index.html"),
    ] {
        assert_eq!(
            block_after(&guide, marker),
            read(&fixture.join(file)),
            "the guide's {file} and tests/fixtures/greeter/{file} differ: change both"
        );
    }
}

#[tokio::test]
async fn the_guide_example_shows_every_error_beside_its_field_and_stores_a_greeting() {
    let app = TestApp::with_plugins(&["greeter"]).await;
    let admin = app.admin().await;
    let page = admin.get("/admin/greeter/greetings/index").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.text().contains("<input name=\"times\" value=\"1\">"));

    let refused = admin
        .submit(
            "/admin/greeter/greetings/create",
            &[("name", " "), ("times", "7")],
        )
        .await;
    assert_eq!(refused.status, 200, "the form again: {}", refused.body);
    let text = refused.text();
    assert!(
        text.contains("<p class=\"error\">name is required</p>"),
        "{text}"
    );
    assert!(
        text.contains("<p class=\"error\">times must be 1, 2 or 3</p>"),
        "{text}"
    );
    assert!(
        text.contains("<input name=\"times\" value=\"7\">"),
        "{text}"
    );

    let saved = admin
        .submit(
            "/admin/greeter/greetings/create",
            &[("name", "Ann"), ("times", "2"), ("loud", "on")],
        )
        .await;
    assert!(
        saved.redirects_to("/admin/greeter/greetings/index"),
        "{} {}",
        saved.status,
        saved.body
    );
    let list = admin.get("/admin/greeter/greetings/index").await.text();
    assert!(list.contains("<li>Hello, ANN! × 2</li>"), "{list}");
    assert_eq!(app.audit_of("greeter.greeting.create").await.len(), 1);

    let script = admin
        .submit_json(
            "/admin/greeter/greetings/create",
            &json!({"times": "often", "loud": "maybe"}),
        )
        .await;
    assert_eq!(script.status, 422, "{}", script.body);
    assert_eq!(
        script.json()["error"],
        "name is required; times must be an integer; loud must be true or false"
    );
    let twice = admin
        .submit_json("/admin/greeter/greetings/create", &json!({"name": "Ann"}))
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(twice.json()["error"], "Ann is greeted already");
    let json_list = admin
        .get_json("/admin/greeter/greetings/index")
        .await
        .json();
    assert_eq!(json_list["greetings"][0]["name"], "Ann");
    assert_eq!(json_list["greetings"][0]["version"], 1);
}
