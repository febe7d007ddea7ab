//! The audit log: sign-in, sign-out, denials and every change are recorded with actor, target and
//! address; no password or token ever is.

use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, START, TestApp};
use serde_json::json;

#[tokio::test]
async fn sign_in_success_and_failure_are_audited() {
    let app = TestApp::start().await;
    app.browser()
        .sign_in(ADMIN_EMAIL, "wrong-password-here")
        .await;
    app.advance(5);
    app.browser()
        .sign_in("Ghost@Example.com", "wrong-password-here")
        .await;
    app.advance(5);
    app.admin().await;

    let rows = app.audit().await;
    let summary: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.action.as_str(),
                r.actor.as_str(),
                r.target.as_str(),
                r.actor_id,
                r.at,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("auth.sign-in-failed", ADMIN_EMAIL, ADMIN_EMAIL, None, START),
            (
                "auth.sign-in-failed",
                "Ghost@Example.com",
                "Ghost@Example.com",
                None,
                START + 5
            ),
            (
                "auth.sign-in",
                ADMIN_EMAIL,
                ADMIN_EMAIL,
                Some(app.admin_id),
                START + 10
            ),
        ]
    );
    assert!(rows.iter().all(|r| r.ip == "127.0.0.1"), "{rows:?}");
}

#[tokio::test]
async fn sign_out_is_audited() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.advance(60);
    admin.submit("/logout", &[]).await;
    let row = app.audit().await.pop().unwrap();
    assert_eq!(row.action, "auth.sign-out");
    assert_eq!(row.actor_id, Some(app.admin_id));
    assert_eq!(row.actor, ADMIN_EMAIL);
    assert_eq!(row.target, ADMIN_EMAIL);
    assert_eq!(row.ip, "127.0.0.1");
    assert_eq!(row.at, START + 60);
}

#[tokio::test]
async fn every_change_is_audited_with_actor_target_and_address() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let first_change = app.audit().await.len();
    let mut expected: Vec<(String, String)> = Vec::new();
    let mut step = |action: &str, target: String| expected.push((action.to_owned(), target));

    let user = admin
        .submit_json(
            "/admin/acl/users/create",
            &json!({ "email": "clerk@example.com", "name": "Clerk", "password": "clerk-password-12" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    step("user.created", format!("user {user}"));
    admin
        .submit_json(
            "/admin/acl/users/edit",
            &json!({ "id": user, "email": "clerk@example.com", "name": "Head clerk" }),
        )
        .await;
    step("user.updated", format!("user {user}"));
    admin
        .submit_json("/admin/acl/users/block", &json!({ "id": user }))
        .await;
    step("user.blocked", format!("user {user}"));
    admin
        .submit_json("/admin/acl/users/unblock", &json!({ "id": user }))
        .await;
    step("user.unblocked", format!("user {user}"));
    admin
        .submit_json("/admin/acl/users/reset-password", &json!({ "id": user }))
        .await;
    step("user.password-reset", format!("user {user}"));
    admin
        .submit_json("/admin/acl/users/delete", &json!({ "id": user }))
        .await;
    step("user.deleted", format!("user {user}"));

    let group = admin
        .submit_json("/admin/acl/groups/create", &json!({ "name": "Support" }))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    step("group.created", format!("group {group}"));
    admin
        .submit_json(
            "/admin/acl/groups/edit",
            &json!({ "id": group, "name": "Care" }),
        )
        .await;
    step("group.updated", format!("group {group}"));
    admin
        .submit_json("/admin/acl/groups/delete", &json!({ "id": group }))
        .await;
    step("group.deleted", format!("group {group}"));

    let role = admin
        .submit_json("/admin/acl/roles/create", &json!({ "name": "Viewer" }))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    step("role.created", format!("role {role}"));
    admin
        .submit_json(
            "/admin/acl/roles/edit",
            &json!({ "id": role, "name": "Reader" }),
        )
        .await;
    step("role.updated", format!("role {role}"));
    let rule = admin
        .submit_json(
            "/admin/acl/roles/add-rule",
            &json!({ "role_id": role, "section": "acl", "controller": "users", "action": "index", "effect": "allow" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    step("role.rule-added", format!("role {role}"));
    admin
        .submit_json(
            "/admin/acl/roles/delete-rule",
            &json!({ "role_id": role, "rule_id": rule }),
        )
        .await;
    step("role.rule-deleted", format!("role {role}"));
    admin
        .submit_json("/admin/acl/roles/delete", &json!({ "id": role }))
        .await;
    step("role.deleted", format!("role {role}"));

    let token = admin
        .submit_json("/account/tokens", &json!({ "name": "nightly" }))
        .await
        .json()["new_token"]["id"]
        .as_i64()
        .unwrap();
    step("token.created", format!("token {token}"));
    admin
        .submit_json("/account/tokens/revoke", &json!({ "id": token }))
        .await;
    step("token.revoked", format!("token {token}"));
    admin
        .submit_json("/account/locale", &json!({ "locale": "de" }))
        .await;
    step("account.locale-changed", ADMIN_EMAIL.to_owned());
    admin
        .submit_json(
            "/account/password",
            &json!({
                "current_password": ADMIN_PASSWORD,
                "new_password": "second-admin-password",
                "confirm_password": "second-admin-password",
            }),
        )
        .await;
    step("account.password-changed", ADMIN_EMAIL.to_owned());

    let rows = app.audit().await.split_off(first_change);
    let actual: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.action.clone(), r.target.clone()))
        .collect();
    assert_eq!(actual, expected);
    for row in &rows {
        assert_eq!(row.actor_id, Some(app.admin_id), "{row:?}");
        assert_eq!(row.actor, ADMIN_EMAIL, "{row:?}");
        assert_eq!(row.ip, "127.0.0.1", "{row:?}");
    }
    let rule_row = rows.iter().find(|r| r.action == "role.rule-added").unwrap();
    assert_eq!(rule_row.detail, "allow acl/users/index");
}

#[tokio::test]
async fn the_audit_log_page_lists_and_filters_entries() {
    let app = TestApp::start().await;
    app.browser()
        .sign_in(ADMIN_EMAIL, "wrong-password-here")
        .await;
    let admin = app.admin().await;
    let all = admin.get_json("/admin/audit/log/index").await.json();
    assert_eq!(all["paging"]["total"], 2);
    let failed = admin
        .get_json("/admin/audit/log/index?action=auth.sign-in-failed")
        .await
        .json();
    assert_eq!(failed["paging"]["total"], 1);
    // LIKE metacharacters in the filter match literally.
    let none = admin
        .get_json("/admin/audit/log/index?action=%25")
        .await
        .json();
    assert_eq!(none["paging"]["total"], 0);
    let html = admin.get("/admin/audit/log/index").await;
    assert_eq!(html.status, 200);
    assert!(html.body.contains("auth.sign-in-failed"));
}

#[tokio::test]
async fn no_password_or_token_ever_appears_in_the_audit_log() {
    let app = TestApp::start().await;
    let mut secrets: Vec<String> = vec![ADMIN_PASSWORD.to_owned()];

    let wrong = "typo-Secret-Password-1";
    secrets.push(wrong.to_owned());
    app.browser().sign_in(ADMIN_EMAIL, wrong).await;
    app.browser().sign_in("someone@example.com", wrong).await;

    let admin = app.admin().await;
    secrets.push(admin.session().unwrap());
    secrets.push(admin.csrf());

    let chosen = "chosen-User-Secret-77";
    secrets.push(chosen.to_owned());
    let created = admin
        .submit_json(
            "/admin/acl/users/create",
            &json!({ "email": "chosen@example.com", "name": "Chosen", "password": chosen }),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let generated = admin
        .submit_json(
            "/admin/acl/users/create",
            &json!({ "email": "generated@example.com", "name": "Generated" }),
        )
        .await
        .json();
    let generated_password = generated["password"].as_str().unwrap().to_owned();
    secrets.push(generated_password.clone());
    let generated_id = generated["id"].as_i64().unwrap();

    let reset = admin
        .submit_json(
            "/admin/acl/users/reset-password",
            &json!({ "id": generated_id }),
        )
        .await
        .json();
    secrets.push(reset["password"].as_str().unwrap().to_owned());

    let token = admin
        .submit_json("/account/tokens", &json!({ "name": "audit check" }))
        .await
        .json()["new_token"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    secrets.push(token.clone());
    let client = app.browser();
    client
        .send(
            client
                .request(reqwest::Method::POST, "/admin/acl/groups/create")
                .bearer_auth(&token)
                .json(&json!({ "name": "From a script" })),
        )
        .await;

    let user_session = app.signed_in("chosen@example.com", chosen).await;
    secrets.push(user_session.session().unwrap());
    user_session.get("/admin").await; // denied: no groups

    let new_password = "Rotated-Admin-Secret-5";
    secrets.push(new_password.to_owned());
    let changed = admin
        .submit_json(
            "/account/password",
            &json!({
                "current_password": ADMIN_PASSWORD,
                "new_password": new_password,
                "confirm_password": new_password,
            }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    secrets.push(admin.session().unwrap());
    admin.refresh_csrf().await;
    secrets.push(admin.csrf());
    admin.submit("/logout", &[]).await;

    let rows = app.audit().await;
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    for expected in [
        "auth.sign-in-failed",
        "auth.sign-in",
        "user.created",
        "user.password-reset",
        "token.created",
        "group.created",
        "acl.denied",
        "account.password-changed",
        "auth.sign-out",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let hashes: Vec<String> = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    secrets.extend(hashes);
    for row in &rows {
        let text = row.text();
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "audit row {} leaks a secret: {text}",
                row.id
            );
        }
    }
    // The audit page shows the same rows, so it cannot leak them either; check it anyway.
    let admin = app.signed_in(ADMIN_EMAIL, new_password).await;
    let page = admin.get("/admin/audit/log/index").await.body;
    for secret in secrets.iter().filter(|s| s.as_str() != new_password) {
        assert!(
            !page.contains(secret.as_str()),
            "the audit page leaks a secret"
        );
    }
}
