//! JSON mode (`Accept: application/json`) and API tokens (`Authorization: Bearer`).

use backoffice::auth::tokens;
use backoffice_tests::{ADMIN_EMAIL, Browser, Reply, START, TestApp};
use reqwest::Method;
use serde_json::json;

const PASSWORD: &str = "api-test-password-1";

/// A request with a bearer token from a client that has no cookies at all.
async fn bearer(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    let client = app.browser();
    let mut request = client.request(method, path).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    client.send(request).await
}

fn assert_error_shape(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    let body = reply.json();
    let object = body.as_object().expect("an object");
    assert_eq!(object.len(), 2, "only error and status: {body}");
    assert_eq!(body["status"], status);
    let message = body["error"].as_str().expect("error is a string");
    assert!(!message.is_empty());
    assert!(
        reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    );
}

#[tokio::test]
async fn json_accept_returns_the_page_data() {
    let app = TestApp::start().await;
    let admin = app.admin().await;

    let users = admin.get_json("/admin/acl/users/index").await;
    assert_eq!(users.status, 200);
    let data = users.json();
    assert_eq!(data["users"][0]["email"], ADMIN_EMAIL);
    assert_eq!(data["users"][0]["status"], "active");
    assert_eq!(data["paging"]["total"], 1);
    assert!(
        !users.body.contains("argon2"),
        "no password hash: {}",
        users.body
    );

    let dashboard = admin.get_json("/admin").await.json();
    assert_eq!(dashboard["greeting"], "Administrator");
    assert_eq!(dashboard["users"], 1);

    let groups = admin.get_json("/admin/acl/groups/index").await.json();
    assert_eq!(groups["items"][0]["name"], "Administrators");
    let roles = admin.get_json("/admin/acl/roles/index").await.json();
    assert_eq!(roles["items"][0]["name"], "Root");
    let role_id = roles["items"][0]["id"].as_i64().unwrap();
    let role = admin
        .get_json(&format!("/admin/acl/roles/edit?id={role_id}"))
        .await
        .json();
    assert_eq!(role["rules"][0]["section"], "*");
    assert_eq!(role["rules"][0]["effect"], "allow");

    let audit = admin
        .get_json("/admin/audit/log/index?action=auth.")
        .await
        .json();
    assert_eq!(audit["entries"][0]["action"], "auth.sign-in");

    let account = admin.get_json("/account").await.json();
    assert_eq!(account["user"]["email"], ADMIN_EMAIL);
    assert_eq!(account["tokens"], json!([]));
}

#[tokio::test]
async fn state_changes_answer_json_with_a_message() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let created = admin
        .submit_json("/admin/acl/groups/create", &json!({ "name": "Support" }))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let body = created.json();
    assert_eq!(body["message"], "The group has been created.");
    assert!(body["id"].as_i64().is_some());
}

#[tokio::test]
async fn json_errors_carry_error_and_status() {
    let app = TestApp::start().await;
    let anonymous = app.browser();
    assert_error_shape(&anonymous.get_json("/admin").await, 401);
    assert_error_shape(&anonymous.get_json("/nowhere").await, 404);

    app.user_with_rules(
        "viewer@example.com",
        PASSWORD,
        &[("acl", "users", "index", "allow")],
    )
    .await;
    let viewer = app.signed_in("viewer@example.com", PASSWORD).await;
    assert_error_shape(&viewer.get_json("/admin/acl/roles/index").await, 403);

    let admin = app.admin().await;
    assert_error_shape(&admin.get_json("/admin/catalog/products/index").await, 404);
    assert_error_shape(
        &admin.get_json("/admin/acl/users/edit?id=987654").await,
        404,
    );
    assert_error_shape(&admin.get_json("/admin/acl/users/edit?id=x").await, 400);
    assert_error_shape(&admin.get_json("/logout").await, 405);
    let invalid = admin
        .submit_json("/admin/acl/groups/create", &json!({ "name": "  " }))
        .await;
    assert_error_shape(&invalid, 422);
    assert_eq!(invalid.json()["error"], "Name is required.");
    let malformed = admin
        .submit_raw(
            "/admin/acl/groups/create",
            "application/json",
            b"{\"name\":".to_vec(),
        )
        .await;
    assert_error_shape(&malformed, 400);
    let conflict = admin
        .submit_json(
            "/admin/acl/groups/create",
            &json!({ "name": "Administrators" }),
        )
        .await;
    assert_error_shape(&conflict, 409);
    let forged = admin
        .send(
            admin
                .request(Method::POST, "/account/locale")
                .header("accept", "application/json")
                .json(&json!({ "locale": "de" })),
        )
        .await;
    assert_error_shape(&forged, 403);
}

#[tokio::test]
async fn bearer_token_works_without_csrf() {
    let app = TestApp::start().await;
    let (id, token) = tokens::create(&app.db, app.admin_id, "script", START)
        .await
        .unwrap();
    let listed = bearer(&app, Method::GET, "/admin/acl/users/index", &token, None).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(
        listed.json()["users"][0]["email"],
        ADMIN_EMAIL,
        "bearer callers get JSON"
    );

    let created = bearer(
        &app,
        Method::POST,
        "/admin/acl/groups/create",
        &token,
        Some(json!({ "name": "Scripted" })),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    // A urlencoded form works the same way.
    let client = app.browser();
    let form = client
        .send(
            client
                .request(Method::POST, "/admin/acl/roles/create")
                .bearer_auth(&token)
                .form(&[("name", "Scripted role")]),
        )
        .await;
    assert_eq!(form.status, 200, "{}", form.body);

    let row = app.audit_of("group.created").await.pop().unwrap();
    assert_eq!(row.actor, format!("{ADMIN_EMAIL} (token {id})"));
    assert_eq!(row.actor_id, Some(app.admin_id));
    let last_used: Option<i64> =
        sqlx::query_scalar("SELECT last_used_at FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(last_used, Some(START));
}

#[tokio::test]
async fn token_created_on_the_account_page_works_and_is_shown_once() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let created = admin
        .submit_json("/account/tokens", &json!({ "name": "deploy script" }))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let body = created.json();
    let token = body["new_token"]["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("bo_"));
    let reply = bearer(&app, Method::GET, "/admin", &token, None).await;
    assert_eq!(reply.status, 200);
    // The account page lists the token but never shows the secret again.
    let account = admin.get("/account").await;
    assert!(account.body.contains("deploy script"));
    assert!(!account.body.contains(&token));
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_ne!(stored, token, "only a digest is stored");
}

#[tokio::test]
async fn revoked_token_is_refused_with_401() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let body = admin
        .submit_json("/account/tokens", &json!({ "name": "short-lived" }))
        .await
        .json();
    let token = body["new_token"]["token"].as_str().unwrap().to_owned();
    let id = body["new_token"]["id"].as_i64().unwrap();
    assert_eq!(
        bearer(&app, Method::GET, "/admin", &token, None)
            .await
            .status,
        200
    );
    let revoked = admin
        .submit("/account/tokens/revoke", &[("id", &id.to_string())])
        .await;
    assert!(revoked.redirects_to("/account"), "{revoked:?}");
    let reply = bearer(&app, Method::GET, "/admin", &token, None).await;
    assert_error_shape(&reply, 401);
    let write = bearer(
        &app,
        Method::POST,
        "/admin/acl/groups/create",
        &token,
        Some(json!({ "name": "X" })),
    )
    .await;
    assert_eq!(write.status, 401);
    // Revoking twice, or another user's token, is a 404.
    let again = admin
        .submit_json("/account/tokens/revoke", &json!({ "id": id }))
        .await;
    assert_error_shape(&again, 404);
}

#[tokio::test]
async fn a_user_cannot_revoke_another_users_token() {
    let app = TestApp::start().await;
    let other = app
        .user_with_rules("other@example.com", PASSWORD, &[])
        .await;
    let (id, token) = tokens::create(&app.db, other, "theirs", START)
        .await
        .unwrap();
    let admin = app.admin().await;
    let reply = admin
        .submit_json("/account/tokens/revoke", &json!({ "id": id }))
        .await;
    assert_error_shape(&reply, 404);
    // Still alive (and under its owner's ACL, which allows nothing).
    assert_eq!(
        bearer(&app, Method::GET, "/account", &token, None)
            .await
            .status,
        200
    );
    assert_eq!(
        bearer(&app, Method::GET, "/admin", &token, None)
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn token_of_a_blocked_or_deleted_user_is_refused_with_401() {
    let app = TestApp::start().await;
    let root_group: i64 =
        sqlx::query_scalar("SELECT id FROM acl_groups WHERE name = 'Administrators'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let ops = app
        .create_user("ops@example.com", PASSWORD, &[root_group])
        .await;
    let (_, token) = tokens::create(&app.db, ops, "ops script", START)
        .await
        .unwrap();
    assert_eq!(
        bearer(&app, Method::GET, "/admin", &token, None)
            .await
            .status,
        200
    );

    let admin = app.admin().await;
    let id = ops.to_string();
    assert_eq!(
        admin
            .submit("/admin/acl/users/block", &[("id", &id)])
            .await
            .status,
        303
    );
    assert_error_shape(
        &bearer(&app, Method::GET, "/admin", &token, None).await,
        401,
    );
    let write = bearer(
        &app,
        Method::POST,
        "/admin/acl/groups/create",
        &token,
        Some(json!({ "name": "X" })),
    )
    .await;
    assert_eq!(write.status, 401);
    assert_eq!(app.count("acl_groups").await, 1);

    assert_eq!(
        admin
            .submit("/admin/acl/users/unblock", &[("id", &id)])
            .await
            .status,
        303
    );
    assert_eq!(
        bearer(&app, Method::GET, "/admin", &token, None)
            .await
            .status,
        200
    );

    assert_eq!(
        admin
            .submit("/admin/acl/users/delete", &[("id", &id)])
            .await
            .status,
        303
    );
    assert_error_shape(
        &bearer(&app, Method::GET, "/admin", &token, None).await,
        401,
    );
}

#[tokio::test]
async fn a_bad_bearer_token_is_401_even_with_a_valid_session_cookie() {
    let app = TestApp::start().await;
    let admin: Browser = app.admin().await;
    let reply = admin
        .send(
            admin
                .request(Method::GET, "/admin")
                .bearer_auth("bo_not-a-real-token"),
        )
        .await;
    assert_error_shape(&reply, 401);
}

#[tokio::test]
async fn bearer_token_is_bound_by_its_owners_acl() {
    let app = TestApp::start().await;
    let viewer = app
        .user_with_rules(
            "viewer@example.com",
            PASSWORD,
            &[("acl", "users", "index", "allow")],
        )
        .await;
    let (_, token) = tokens::create(&app.db, viewer, "viewer script", START)
        .await
        .unwrap();
    assert_eq!(
        bearer(&app, Method::GET, "/admin/acl/users/index", &token, None)
            .await
            .status,
        200
    );
    let denied = bearer(
        &app,
        Method::POST,
        "/admin/acl/groups/create",
        &token,
        Some(json!({ "name": "X" })),
    )
    .await;
    assert_error_shape(&denied, 403);
    assert_eq!(app.count("acl_groups").await, 2, "only the fixture groups");
    let row = app.audit_of("acl.denied").await.pop().unwrap();
    assert!(
        row.actor.starts_with("viewer@example.com (token "),
        "{row:?}"
    );
}

/// A changed or reset password revokes the user's API tokens: they were made under a password
/// that may have leaked.
#[tokio::test]
async fn a_password_change_or_reset_revokes_the_users_tokens() {
    let app = TestApp::start().await;
    let clerk = app
        .user_with_rules(
            "clerk@example.com",
            PASSWORD,
            &[("acl", "users", "index", "allow")],
        )
        .await;
    let (_, reset_token) = tokens::create(&app.db, clerk, "nightly", START)
        .await
        .unwrap();
    let path = "/admin/acl/users/index";
    assert_eq!(
        bearer(&app, Method::GET, path, &reset_token, None)
            .await
            .status,
        200
    );
    let admin = app.admin().await;
    let reset = admin
        .submit_json("/admin/acl/users/reset-password", &json!({ "id": clerk }))
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_error_shape(
        &bearer(&app, Method::GET, path, &reset_token, None).await,
        401,
    );

    let (_, own_token) = tokens::create(&app.db, app.admin_id, "mine", START)
        .await
        .unwrap();
    let new_password = "a-brand-new-password-8";
    let changed = admin
        .submit(
            "/account/password",
            &[
                ("current_password", backoffice_tests::ADMIN_PASSWORD),
                ("new_password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert!(changed.redirects_to("/account"), "{changed:?}");
    assert_error_shape(
        &bearer(&app, Method::GET, path, &own_token, None).await,
        401,
    );
}
