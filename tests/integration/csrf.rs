//! CSRF protection on every state-changing route, and GET never changing state.
//!
//! [`table`] lists every POST route of the host with a body that would change something. The
//! refusal test sends each without a valid token and checks the database did not move; the
//! control test sends the same bodies with the token and checks they do change it, so the
//! refusal test cannot pass by accident.

use backoffice::auth::tokens;
use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser, START, TestApp};
use reqwest::Method;

/// Ids of the things the table's requests act on.
struct Fixture {
    user: i64,
    blocked_user: i64,
    group: i64,
    role: i64,
    rule: i64,
    token: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let role = app
        .create_role("Editors", &[("catalog", "*", "*", "allow")])
        .await;
    let rule: i64 = sqlx::query_scalar("SELECT id FROM acl_rules WHERE role_id = $1")
        .bind(role)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let group = app.create_group("Editors", &[role]).await;
    let user = app
        .create_user("target@example.com", "target-password-1", &[group])
        .await;
    let blocked_user = app
        .create_user("blocked@example.com", "blocked-password-1", &[])
        .await;
    backoffice::users::set_status(
        &app.db,
        blocked_user,
        backoffice::users::Status::Blocked,
        START,
    )
    .await
    .unwrap();
    let (token, _) = tokens::create(&app.db, app.admin_id, "script", START)
        .await
        .unwrap();
    Fixture {
        user,
        blocked_user,
        group,
        role,
        rule,
        token,
    }
}

const NEW_PASSWORD: &str = "changed-admin-password-9";

/// Every state-changing route of a signed-in user, in an order in which each request still
/// changes something after the ones before it succeeded. `/login` is covered separately (it is
/// protected by the anonymous double-submit cookie instead of the session).
fn table(f: &Fixture) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let id = |v: i64| v.to_string();
    vec![
        // The token is revoked before the password changes: a new password revokes them all.
        ("/account/tokens/revoke", vec![("id", id(f.token))]),
        (
            "/account/password",
            vec![
                ("current_password", ADMIN_PASSWORD.into()),
                ("new_password", NEW_PASSWORD.into()),
                ("confirm_password", NEW_PASSWORD.into()),
            ],
        ),
        ("/account/locale", vec![("locale", "de".into())]),
        ("/account/tokens", vec![("name", "another".into())]),
        (
            "/admin/acl/users/create",
            vec![
                ("email", "new@example.com".into()),
                ("name", "New".into()),
                ("password", "new-user-password-1".into()),
            ],
        ),
        (
            "/admin/acl/users/edit",
            vec![
                ("id", id(f.user)),
                ("email", "target@example.com".into()),
                ("name", "Renamed".into()),
            ],
        ),
        ("/admin/acl/users/block", vec![("id", id(f.user))]),
        ("/admin/acl/users/unblock", vec![("id", id(f.blocked_user))]),
        ("/admin/acl/users/reset-password", vec![("id", id(f.user))]),
        ("/admin/acl/users/delete", vec![("id", id(f.user))]),
        (
            "/admin/acl/groups/create",
            vec![("name", "New group".into())],
        ),
        (
            "/admin/acl/groups/edit",
            vec![("id", id(f.group)), ("name", "Renamed group".into())],
        ),
        ("/admin/acl/groups/delete", vec![("id", id(f.group))]),
        ("/admin/acl/roles/create", vec![("name", "New role".into())]),
        (
            "/admin/acl/roles/edit",
            vec![("id", id(f.role)), ("name", "Renamed role".into())],
        ),
        (
            "/admin/acl/roles/add-rule",
            vec![
                ("role_id", id(f.role)),
                ("section", "sales".into()),
                ("controller", "*".into()),
                ("action", "*".into()),
                ("effect", "allow".into()),
            ],
        ),
        (
            "/admin/acl/roles/delete-rule",
            vec![("role_id", id(f.role)), ("rule_id", id(f.rule))],
        ),
        ("/admin/acl/roles/delete", vec![("id", id(f.role))]),
        ("/logout", vec![]),
    ]
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn as_json(fields: &[(&'static str, String)]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in fields {
        let value = match v.parse::<i64>() {
            Ok(n) => serde_json::json!(n),
            Err(_) => serde_json::json!(v),
        };
        map.insert((*k).to_owned(), value);
    }
    serde_json::Value::Object(map)
}

/// The ways a forged or careless request can lack a valid token; each must be refused.
async fn forged_attempts(
    browser: &Browser,
    path: &str,
    fields: &[(&'static str, String)],
    foreign_token: &str,
) -> Vec<(&'static str, u16, String)> {
    let mut out = Vec::new();
    let form = pairs(fields);
    let reply = browser.post_form(path, &form).await;
    out.push(("form without token", reply.status, reply.body));

    let wrong = "0".repeat(64);
    let mut with_wrong = vec![("_csrf", wrong.as_str())];
    with_wrong.extend(form.iter().copied());
    let reply = browser.post_form(path, &with_wrong).await;
    out.push(("form with a wrong token", reply.status, reply.body));

    let mut with_foreign = vec![("_csrf", foreign_token)];
    with_foreign.extend(form.iter().copied());
    let reply = browser.post_form(path, &with_foreign).await;
    out.push((
        "form with another session's token",
        reply.status,
        reply.body,
    ));

    let empty = vec![("_csrf", ""); 1]
        .into_iter()
        .chain(form.iter().copied())
        .collect::<Vec<_>>();
    let reply = browser.post_form(path, &empty).await;
    out.push(("form with an empty token", reply.status, reply.body));

    let json = as_json(fields);
    let reply = browser
        .send(
            browser
                .request(Method::POST, path)
                .header("accept", "application/json")
                .json(&json),
        )
        .await;
    out.push(("JSON without header", reply.status, reply.body));

    let reply = browser
        .send(
            browser
                .request(Method::POST, path)
                .header("accept", "application/json")
                .header("x-csrf-token", &wrong)
                .json(&json),
        )
        .await;
    out.push(("JSON with a wrong header", reply.status, reply.body));
    out
}

#[tokio::test]
async fn state_changes_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let admin = app.admin().await;
    // A second, valid session of the same user: its token must not work for the first.
    let other = app.admin().await;
    let foreign = other.csrf();
    assert_ne!(foreign, admin.csrf());
    let before = app.snapshot().await;
    for (path, fields) in table(&f) {
        for (how, status, body) in forged_attempts(&admin, path, &fields, &foreign).await {
            assert_eq!(status, 403, "{path}, {how}: {body}");
            assert!(
                body.contains("sent from another site"),
                "{path}, {how}: {body}"
            );
        }
        assert_eq!(app.snapshot().await, before, "{path} changed the database");
    }
    assert_eq!(admin.get("/admin").await.status, 200, "still signed in");
}

#[tokio::test]
async fn csrf_table_requests_succeed_with_the_right_token() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let admin = app.admin().await;
    for (path, fields) in table(&f) {
        let before = app.snapshot().await;
        let reply = admin.submit(path, &pairs(&fields)).await;
        assert!(
            matches!(reply.status, 200 | 303),
            "{path}: {} {}",
            reply.status,
            reply.body
        );
        assert_ne!(app.snapshot().await, before, "{path} changed nothing");
        if path != "/logout" {
            admin.refresh_csrf().await;
        }
    }
}

#[tokio::test]
async fn sign_in_without_the_form_token_is_refused() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let token = browser.get("/login").await.csrf_field().unwrap();
    let credentials = [("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)];
    let before = app.snapshot().await;

    let reply = browser.post_form("/login", &credentials).await;
    assert_eq!(reply.status, 403, "no token");
    let wrong = "0".repeat(64);
    let with = |t: &str| {
        vec![
            ("_csrf", t.to_owned()),
            ("email", ADMIN_EMAIL.to_owned()),
            ("password", ADMIN_PASSWORD.to_owned()),
        ]
    };
    let reply = browser.post_form("/login", &pairs(&with(&wrong))).await;
    assert_eq!(reply.status, 403, "wrong token");
    // The right field value without the matching cookie (a cross-site form copying a token).
    let stranger = app.browser();
    let reply = stranger.post_form("/login", &pairs(&with(&token))).await;
    assert_eq!(reply.status, 403, "token without its cookie");
    assert!(reply.body.contains("sent from another site"));
    assert_eq!(app.snapshot().await, before, "nothing recorded, no session");
    assert_eq!(browser.session(), None);

    let reply = browser.post_form("/login", &pairs(&with(&token))).await;
    assert_eq!(
        reply.status, 303,
        "the genuine form signs in: {}",
        reply.body
    );
}

#[tokio::test]
async fn get_on_post_only_routes_is_405_and_changes_nothing() {
    let app = TestApp::start().await;
    let f = fixture(&app).await;
    let admin = app.admin().await;
    let form_pages = [
        "/admin/acl/users/create",
        "/admin/acl/users/edit",
        "/admin/acl/groups/create",
        "/admin/acl/groups/edit",
        "/admin/acl/roles/create",
        "/admin/acl/roles/edit",
    ];
    let before = app.snapshot().await;
    let mut checked = 0;
    for (path, fields) in table(&f) {
        if form_pages.contains(&path) {
            continue;
        }
        let mut query = vec![("_csrf", admin.csrf())];
        query.extend(fields.iter().map(|(k, v)| (*k, v.clone())));
        let url = reqwest::Url::parse_with_params(&admin.url(path), &query).unwrap();
        let reply = admin
            .send(admin.request(Method::GET, &format!("{}?{}", path, url.query().unwrap())))
            .await;
        assert_eq!(reply.status, 405, "GET {path}: {}", reply.body);
        assert!(reply.body.contains("does not accept that method"), "{path}");
        checked += 1;
    }
    assert_eq!(checked, 13);
    assert_eq!(app.snapshot().await, before);
    assert_eq!(admin.get("/admin").await.status, 200, "still signed in");
}
