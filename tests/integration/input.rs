//! Bad input on every form and JSON endpoint is a 4xx with a readable message, never a 5xx, and
//! never a partial change. SQL and HTML metacharacters are stored as text and rendered escaped.

use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser, Reply, TestApp};
use serde_json::{Value, json};

/// One endpoint that reads a body: a valid body, and what each field is.
struct Endpoint {
    path: &'static str,
    /// A body that would be accepted; every case changes exactly one thing in it.
    valid: Vec<(&'static str, String)>,
    /// Fields without which the request must be refused.
    required: &'static [&'static str],
    /// Text fields with a length limit.
    text: &'static [&'static str],
    /// Fields naming a record (or a list of records) by id.
    ids: &'static [&'static str],
}

struct Ids {
    user: i64,
    group: i64,
    role: i64,
    rule: i64,
    token: i64,
}

fn endpoints(ids: &Ids) -> Vec<Endpoint> {
    let s = |v: &str| v.to_owned();
    let n = |v: i64| v.to_string();
    vec![
        Endpoint {
            path: "/login",
            valid: vec![("email", s(ADMIN_EMAIL)), ("password", s(ADMIN_PASSWORD))],
            required: &["email", "password"],
            text: &["email", "password"],
            ids: &[],
        },
        Endpoint {
            path: "/account/password",
            valid: vec![
                ("current_password", s(ADMIN_PASSWORD)),
                ("new_password", s("input-test-new-password")),
                ("confirm_password", s("input-test-new-password")),
            ],
            required: &["current_password", "new_password", "confirm_password"],
            text: &["current_password", "new_password", "confirm_password"],
            ids: &[],
        },
        Endpoint {
            path: "/account/locale",
            valid: vec![("locale", s("de"))],
            required: &["locale"],
            text: &["locale"],
            ids: &[],
        },
        Endpoint {
            path: "/account/tokens",
            valid: vec![("name", s("a token"))],
            required: &["name"],
            text: &["name"],
            ids: &[],
        },
        Endpoint {
            path: "/account/tokens/revoke",
            valid: vec![("id", n(ids.token))],
            required: &["id"],
            text: &[],
            ids: &["id"],
        },
        Endpoint {
            path: "/admin/acl/users/create",
            valid: vec![
                ("email", s("fresh@example.com")),
                ("name", s("Fresh")),
                ("locale", s("en")),
                ("password", s("fresh-user-password")),
                ("groups", n(ids.group)),
            ],
            required: &["email", "name"],
            text: &["email", "name", "locale", "password"],
            ids: &["groups"],
        },
        Endpoint {
            path: "/admin/acl/users/edit",
            valid: vec![
                ("id", n(ids.user)),
                ("email", s("member@example.com")),
                ("name", s("Member renamed")),
                ("locale", s("de")),
                ("groups", n(ids.group)),
            ],
            required: &["id", "email", "name"],
            text: &["email", "name", "locale"],
            ids: &["id", "groups"],
        },
        Endpoint {
            path: "/admin/acl/users/block",
            valid: vec![("id", n(ids.user))],
            required: &["id"],
            text: &[],
            ids: &["id"],
        },
        Endpoint {
            path: "/admin/acl/users/unblock",
            valid: vec![("id", n(ids.user))],
            required: &["id"],
            text: &[],
            ids: &["id"],
        },
        Endpoint {
            path: "/admin/acl/users/delete",
            valid: vec![("id", n(ids.user))],
            required: &["id"],
            text: &[],
            ids: &["id"],
        },
        Endpoint {
            path: "/admin/acl/users/reset-password",
            valid: vec![("id", n(ids.user))],
            required: &["id"],
            text: &[],
            ids: &["id"],
        },
        Endpoint {
            path: "/admin/acl/groups/create",
            valid: vec![
                ("name", s("Fresh group")),
                ("description", s("d")),
                ("roles", n(ids.role)),
            ],
            required: &["name"],
            text: &["name", "description"],
            ids: &["roles"],
        },
        Endpoint {
            path: "/admin/acl/groups/edit",
            valid: vec![
                ("id", n(ids.group)),
                ("name", s("Group renamed")),
                ("description", s("d")),
                ("roles", n(ids.role)),
            ],
            required: &["id", "name"],
            text: &["name", "description"],
            ids: &["id", "roles"],
        },
        Endpoint {
            path: "/admin/acl/groups/delete",
            valid: vec![("id", n(ids.group))],
            required: &["id"],
            text: &[],
            ids: &["id"],
        },
        Endpoint {
            path: "/admin/acl/roles/create",
            valid: vec![("name", s("Fresh role")), ("description", s("d"))],
            required: &["name"],
            text: &["name", "description"],
            ids: &[],
        },
        Endpoint {
            path: "/admin/acl/roles/edit",
            valid: vec![
                ("id", n(ids.role)),
                ("name", s("Role renamed")),
                ("description", s("d")),
            ],
            required: &["id", "name"],
            text: &["name", "description"],
            ids: &["id"],
        },
        Endpoint {
            path: "/admin/acl/roles/delete",
            valid: vec![("id", n(ids.role))],
            required: &["id"],
            text: &[],
            ids: &["id"],
        },
        Endpoint {
            path: "/admin/acl/roles/add-rule",
            valid: vec![
                ("role_id", n(ids.role)),
                ("section", s("sales")),
                ("controller", s("orders")),
                ("action", s("index")),
                ("effect", s("allow")),
            ],
            required: &["role_id", "section", "controller", "action", "effect"],
            text: &["section", "controller", "action", "effect"],
            ids: &["role_id"],
        },
        Endpoint {
            path: "/admin/acl/roles/delete-rule",
            valid: vec![("role_id", n(ids.role)), ("rule_id", n(ids.rule))],
            required: &["role_id", "rule_id"],
            text: &[],
            ids: &["role_id", "rule_id"],
        },
    ]
}

/// Percent-encodes everything but unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A urlencoded body; values are given already encoded when `raw` is true.
fn form_body(fields: &[(&str, String)], raw_field: Option<(&str, &str)>) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| match raw_field {
            Some((name, raw)) if name == *k => format!("{k}={raw}"),
            _ => format!("{k}={}", encode(v)),
        })
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn json_body(fields: &[(&str, String)], list_fields: &[&str]) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in fields {
        let value = match v.parse::<i64>() {
            Ok(n) if list_fields.contains(k) => json!([n]),
            Ok(n) => json!(n),
            Err(_) => json!(v),
        };
        map.insert((*k).to_owned(), value);
    }
    Value::Object(map)
}

const LISTS: &[&str] = &["groups", "roles"];

/// Checks a refusal: 4xx, a JSON error with a human sentence, no internal error.
fn assert_refused(reply: &Reply, what: &str) {
    assert!(
        (400..500).contains(&reply.status),
        "{what}: expected a 4xx, got {}: {}",
        reply.status,
        reply.body
    );
    let body = reply.json();
    let message = body["error"].as_str().unwrap_or_default();
    assert!(message.len() > 10, "{what}: unreadable message {body}");
    assert!(
        !message.contains("Something went wrong"),
        "{what}: {message}"
    );
    assert_eq!(body["status"], reply.status, "{what}");
}

/// Checks that the HTML answer to the same request is the same refusal, as an error page.
fn assert_same_page(html: &Reply, json: &Reply, what: &str) {
    assert_eq!(html.status, json.status, "{what}: HTML and JSON disagree");
    let message = json.json()["error"].as_str().unwrap_or_default().to_owned();
    let text = html.text();
    assert!(
        text.contains("<p class=\"error\">"),
        "{what}: not an error page"
    );
    assert!(
        text.contains(&message),
        "{what}: the page lacks {message:?}"
    );
}

/// Every kind of bad body for one endpoint, each sent by `browser` twice: asking for JSON and
/// asking for HTML. Returns `(what, JSON reply, HTML reply)`.
async fn bad_bodies(browser: &Browser, endpoint: &Endpoint) -> Vec<(String, Reply, Reply)> {
    let path = endpoint.path;
    let valid = &endpoint.valid;
    let form = "application/x-www-form-urlencoded";
    let mut out = Vec::new();
    let mut send = async |what: String, content_type: &str, body: Vec<u8>| {
        let json = browser.submit_raw(path, content_type, body.clone()).await;
        let html = browser
            .submit_raw_as("text/html", path, content_type, body)
            .await;
        out.push((format!("{path}: {what}"), json, html));
    };

    send("empty form".into(), form, Vec::new()).await;
    send(
        "empty JSON object".into(),
        "application/json",
        b"{}".to_vec(),
    )
    .await;
    send(
        "malformed JSON".into(),
        "application/json",
        b"{\"name\": ".to_vec(),
    )
    .await;
    send(
        "JSON array".into(),
        "application/json",
        b"[\"x\", \"y\"]".to_vec(),
    )
    .await;
    send(
        "JSON declared, form sent".into(),
        "application/json",
        form_body(valid, None),
    )
    .await;
    for field in endpoint.required {
        let without: Vec<_> = valid.iter().filter(|(k, _)| k != field).cloned().collect();
        send(
            format!("form without {field}"),
            form,
            form_body(&without, None),
        )
        .await;
        let json = json_body(&without, LISTS);
        send(
            format!("JSON without {field}"),
            "application/json",
            json.to_string().into_bytes(),
        )
        .await;
    }
    for field in endpoint.text {
        let long = "x".repeat(10_000);
        let with: Vec<_> = valid
            .iter()
            .map(|(k, v)| (*k, if k == field { long.clone() } else { v.clone() }))
            .collect();
        send(
            format!("10k characters in {field}"),
            form,
            form_body(&with, None),
        )
        .await;
        let json = json_body(&with, LISTS);
        send(
            format!("JSON 10k characters in {field}"),
            "application/json",
            json.to_string().into_bytes(),
        )
        .await;
        let mut wrong_type = json_body(valid, LISTS);
        wrong_type[*field] = json!({ "nested": true });
        send(
            format!("JSON object as {field}"),
            "application/json",
            wrong_type.to_string().into_bytes(),
        )
        .await;
    }
    for (field, _) in valid {
        send(
            format!("invalid UTF-8 in {field}"),
            form,
            form_body(valid, Some((field, "%FF%FE"))),
        )
        .await;
        send(
            format!("truncated escape in {field}"),
            form,
            form_body(valid, Some((field, "%C3"))),
        )
        .await;
    }
    for field in endpoint.ids {
        for bad in ["abc", "987654", "-1", "99999999999999999999", "1.5"] {
            send(
                format!("{field}={bad}"),
                form,
                form_body(valid, Some((field, bad))),
            )
            .await;
        }
        let mut unknown = json_body(valid, LISTS);
        unknown[*field] = if LISTS.contains(field) {
            json!([987_654])
        } else {
            json!(987_654)
        };
        send(
            format!("JSON unknown {field}"),
            "application/json",
            unknown.to_string().into_bytes(),
        )
        .await;
        let mut as_text = json_body(valid, LISTS);
        as_text[*field] = json!("1");
        send(
            format!("JSON string as {field}"),
            "application/json",
            as_text.to_string().into_bytes(),
        )
        .await;
    }
    out
}

async fn fixture(app: &TestApp) -> Ids {
    let role = app
        .create_role("Existing role", &[("acl", "users", "index", "allow")])
        .await;
    let rule: i64 = sqlx::query_scalar("SELECT id FROM acl_rules WHERE role_id = $1")
        .bind(role)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let group = app.create_group("Existing group", &[role]).await;
    let user = app
        .create_user("member@example.com", "member-password-1", &[group])
        .await;
    let (token, _) =
        backoffice::auth::tokens::create(&app.db, app.admin_id, "t", backoffice_tests::START)
            .await
            .unwrap();
    Ids {
        user,
        group,
        role,
        rule,
        token,
    }
}

#[tokio::test]
async fn bad_input_on_every_endpoint_is_a_4xx_with_a_message_and_changes_nothing() {
    let app = TestApp::start().await;
    let ids = fixture(&app).await;
    let admin = app.admin().await;
    let anonymous = app.browser();
    let token = anonymous.get("/login").await.csrf_field().unwrap();
    anonymous.set_csrf(&token);
    let before = app.snapshot().await;
    let mut cases = 0;
    for endpoint in endpoints(&ids) {
        let browser = if endpoint.path == "/login" {
            &anonymous
        } else {
            &admin
        };
        for (what, json, html) in bad_bodies(browser, &endpoint).await {
            assert_refused(&json, &what);
            assert_same_page(&html, &json, &what);
            cases += 1;
        }
        // Refused requests write nothing (only sign-in failures are counted and audited, and
        // none of these bodies got as far as checking a password).
        assert_eq!(
            app.snapshot().await,
            before,
            "{} changed the database",
            endpoint.path
        );
    }
    assert!(cases > 300, "{cases} cases");
    assert_eq!(admin.get("/admin").await.status, 200);
}

#[tokio::test]
async fn bad_query_strings_are_a_4xx_with_a_message() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let long = "x".repeat(10_000);
    let cases = [
        "/admin/acl/users/edit".to_owned(),
        "/admin/acl/users/edit?id=abc".to_owned(),
        "/admin/acl/users/edit?id=987654".to_owned(),
        "/admin/acl/users/edit?id=%FF%FE".to_owned(),
        "/admin/acl/groups/edit?id=".to_owned(),
        "/admin/acl/groups/edit?id=987654".to_owned(),
        "/admin/acl/roles/edit?id=99999999999999999999".to_owned(),
        "/admin/acl/users/index?page=abc".to_owned(),
        format!("/admin/acl/users/index?q={long}"),
        "/admin/acl/users/index?q=%FF".to_owned(),
        format!("/admin/audit/log/index?action={long}"),
        "/login?next=%FF%FE".to_owned(),
    ];
    for path in &cases {
        let reply = if path.starts_with("/login") {
            app.browser().get_json(path).await
        } else {
            admin.get_json(path).await
        };
        assert_refused(&reply, path);
        let html = admin.get(path).await;
        assert!(
            (400..500).contains(&html.status),
            "{path} as HTML: {}",
            html.status
        );
    }
    // Out-of-range pages are clamped, not errors.
    assert_eq!(
        admin
            .get_json("/admin/acl/users/index?page=-3")
            .await
            .status,
        200
    );
    assert_eq!(
        admin
            .get_json("/admin/acl/users/index?page=999999999")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn oversized_body_is_refused_with_413() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let big = format!("name={}", "x".repeat(300 * 1024));
    let reply = admin
        .submit_raw(
            "/admin/acl/groups/create",
            "application/x-www-form-urlencoded",
            big.into_bytes(),
        )
        .await;
    assert_refused(&reply, "300 KiB form");
    assert_eq!(reply.status, 413);
    let big_json = json!({ "name": "x".repeat(300 * 1024) }).to_string();
    let reply = admin
        .submit_raw(
            "/admin/acl/groups/create",
            "application/json",
            big_json.into_bytes(),
        )
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(app.count("acl_groups").await, 1);
}

#[tokio::test]
async fn control_characters_in_names_are_refused() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    for name in ["a\u{0}b", "bell\u{7}", "esc\u{1b}[31m"] {
        let reply = admin
            .submit_json("/admin/acl/groups/create", &json!({ "name": name }))
            .await;
        assert_refused(&reply, name);
        assert_eq!(reply.json()["error"], "Name contains control characters.");
    }
    assert_eq!(app.count("acl_groups").await, 1);
}

const SQL: &str = "' OR 1=1 --";
const SCRIPT: &str = "<script>alert(1)</script>";

#[tokio::test]
async fn sql_metacharacters_are_stored_and_matched_as_plain_text() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    for (email, name) in [("quote@example.com", SQL), ("plain@example.com", "Plain")] {
        let reply = admin
            .submit_json(
                "/admin/acl/users/create",
                &json!({ "email": email, "name": name, "password": "sql-user-password" }),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let found = admin
        .get_json(&format!("/admin/acl/users/index?q={}", encode(SQL)))
        .await
        .json();
    assert_eq!(found["paging"]["total"], 1, "{found}");
    assert_eq!(found["users"][0]["name"], SQL);
    let wildcard = admin.get_json("/admin/acl/users/index?q=%25").await.json();
    assert_eq!(wildcard["paging"]["total"], 0, "% matches literally");

    let group = admin
        .submit_json(
            "/admin/acl/groups/create",
            &json!({ "name": "x'); DROP TABLE users; --", "description": SQL }),
        )
        .await;
    assert_eq!(group.status, 200);
    assert_eq!(app.count("users").await, 3);

    let injected_email = format!("admin@example.com{SQL}");
    let injected_password = format!("x{SQL}");
    for (email, password) in [
        (SQL, SQL),
        (injected_email.as_str(), ADMIN_PASSWORD),
        (ADMIN_EMAIL, injected_password.as_str()),
    ] {
        let reply = app.browser().sign_in(email, password).await;
        assert_eq!(reply.status, 422, "{email} / {password}: {}", reply.body);
    }
}

#[tokio::test]
async fn html_is_stored_verbatim_and_rendered_escaped() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let escaped = "&lt;script&gt;";
    let user = admin
        .submit_json(
            "/admin/acl/users/create",
            &json!({ "email": "xss@example.com", "name": SCRIPT, "password": "xss-user-password" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let group = admin
        .submit_json(
            "/admin/acl/groups/create",
            &json!({ "name": SCRIPT, "description": format!("\"><img src=x onerror=alert(1)>{SCRIPT}") }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let role = admin
        .submit_json("/admin/acl/roles/create", &json!({ "name": SCRIPT }))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    admin
        .submit_json("/account/tokens", &json!({ "name": SCRIPT }))
        .await;
    let bad_email = admin
        .submit_json(
            "/admin/acl/users/create",
            &json!({ "email": SCRIPT, "name": "x" }),
        )
        .await;
    assert_eq!(bad_email.status, 422);

    let stored = admin
        .get_json(&format!("/admin/acl/users/edit?id={user}"))
        .await
        .json();
    assert_eq!(stored["user"]["name"], SCRIPT, "stored verbatim");

    let pages = [
        "/admin/acl/users/index".to_owned(),
        format!("/admin/acl/users/edit?id={user}"),
        "/admin/acl/groups/index".to_owned(),
        format!("/admin/acl/groups/edit?id={group}"),
        "/admin/acl/roles/index".to_owned(),
        format!("/admin/acl/roles/edit?id={role}"),
        "/admin/acl/users/create".to_owned(),
        "/admin/audit/log/index".to_owned(),
        "/account".to_owned(),
    ];
    for page in &pages {
        let reply = admin.get(page).await;
        assert_eq!(reply.status, 200, "{page}");
        assert!(
            !reply.body.contains("<script"),
            "{page} renders a script tag"
        );
        assert!(!reply.body.contains("<img"), "{page} renders an img tag");
        assert!(
            reply.body.contains(escaped),
            "{page} does not show the name escaped"
        );
    }
    // Error pages echo input escaped as well.
    let error = admin
        .post_form(
            "/admin/acl/users/create",
            &[("_csrf", &admin.csrf()), ("email", SCRIPT), ("name", "x")],
        )
        .await;
    assert_eq!(error.status, 422);
    assert!(!error.body.contains("<script"));
    assert!(error.body.contains(escaped));
}
