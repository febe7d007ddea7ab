//! User administration: blocking ends sessions at once, nobody blocks or deletes themselves, a
//! deleted user is gone from lists and cannot sign in, password resets sign the user out.

use backoffice_tests::TestApp;
use serde_json::json;

const PASSWORD: &str = "user-test-password-1";
const EMAIL: &str = "clerk@example.com";

async fn clerk(app: &TestApp) -> i64 {
    app.user_with_rules(EMAIL, PASSWORD, &[("acl", "users", "index", "allow")])
        .await
}

#[tokio::test]
async fn blocking_a_user_ends_their_sessions_immediately() {
    let app = TestApp::start().await;
    let id = clerk(&app).await;
    let clerk_browser = app.signed_in(EMAIL, PASSWORD).await;
    let second = app.signed_in(EMAIL, PASSWORD).await;
    assert_eq!(
        clerk_browser.get("/admin/acl/users/index").await.status,
        200
    );

    let admin = app.admin().await;
    let reply = admin
        .submit("/admin/acl/users/block", &[("id", &id.to_string())])
        .await;
    assert!(reply.redirects_to("/admin/acl/users/index"), "{reply:?}");
    assert_eq!(app.sessions_of(id).await, 0);
    assert_eq!(app.user_status(id).await, "blocked");
    for browser in [&clerk_browser, &second] {
        assert!(
            browser
                .get("/admin/acl/users/index")
                .await
                .redirects_to("/login")
        );
    }
    // The right password now gets an explanation, not a session.
    let again = app.browser();
    let reply = again.sign_in(EMAIL, PASSWORD).await;
    assert_eq!(reply.status, 403);
    assert!(
        reply.body.contains("blocked by an administrator"),
        "{}",
        reply.body
    );
    assert_eq!(again.session(), None);
    // The list still shows the account, marked blocked.
    let list = admin.get_json("/admin/acl/users/index").await.json();
    let row = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .cloned()
        .unwrap();
    assert_eq!(row["status"], "blocked");
}

#[tokio::test]
async fn unblocking_lets_the_user_sign_in_again() {
    let app = TestApp::start().await;
    let id = clerk(&app).await;
    let admin = app.admin().await;
    let id_text = id.to_string();
    admin
        .submit("/admin/acl/users/block", &[("id", &id_text)])
        .await;
    assert_eq!(app.browser().sign_in(EMAIL, PASSWORD).await.status, 403);
    let reply = admin
        .submit("/admin/acl/users/unblock", &[("id", &id_text)])
        .await;
    assert_eq!(reply.status, 303);
    assert_eq!(app.user_status(id).await, "active");
    assert_eq!(app.browser().sign_in(EMAIL, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn an_admin_cannot_block_or_delete_themselves() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let me = app.admin_id.to_string();
    for action in ["block", "delete"] {
        let reply = admin
            .submit_json(
                &format!("/admin/acl/users/{action}"),
                &json!({ "id": app.admin_id }),
            )
            .await;
        assert_eq!(reply.status, 409, "{action}: {}", reply.body);
        assert_eq!(
            reply.json()["error"],
            "You cannot block or delete your own account."
        );
        let html = admin
            .submit(&format!("/admin/acl/users/{action}"), &[("id", &me)])
            .await;
        assert_eq!(html.status, 409);
    }
    assert_eq!(app.user_status(app.admin_id).await, "active");
    assert_eq!(admin.get("/admin").await.status, 200, "still signed in");
}

#[tokio::test]
async fn deleted_user_is_hidden_and_cannot_sign_in() {
    let app = TestApp::start().await;
    let id = clerk(&app).await;
    let clerk_browser = app.signed_in(EMAIL, PASSWORD).await;
    let admin = app.admin().await;
    let reply = admin
        .submit_json("/admin/acl/users/delete", &json!({ "id": id }))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        app.user_status(id).await,
        "deleted",
        "soft delete keeps the row"
    );
    assert!(
        clerk_browser
            .get("/admin/acl/users/index")
            .await
            .redirects_to("/login")
    );

    let list = admin.get_json("/admin/acl/users/index").await.json();
    assert_eq!(list["paging"]["total"], 1);
    assert!(!list.to_string().contains(EMAIL));
    let search = admin
        .get_json("/admin/acl/users/index?q=clerk")
        .await
        .json();
    assert_eq!(search["paging"]["total"], 0);
    let html = admin.get("/admin/acl/users/index").await;
    assert!(!html.body.contains(EMAIL));
    let edit = admin
        .get_json(&format!("/admin/acl/users/edit?id={id}"))
        .await;
    assert_eq!(edit.status, 404);
    for action in ["block", "unblock", "delete", "reset-password"] {
        let reply = admin
            .submit_json(&format!("/admin/acl/users/{action}"), &json!({ "id": id }))
            .await;
        assert_eq!(reply.status, 404, "{action} on a deleted user");
    }
    assert_eq!(app.user_status(id).await, "deleted");

    // Refused exactly like an unknown account.
    let deleted = app.browser().sign_in(EMAIL, PASSWORD).await;
    let unknown = app.browser().sign_in("never@example.com", PASSWORD).await;
    assert_eq!(deleted.status, 422);
    assert_eq!(deleted.status, unknown.status);
    assert!(
        deleted
            .body
            .contains("The email or password is not correct.")
    );
    assert_eq!(app.sessions_of(id).await, 0);
}

#[tokio::test]
async fn reset_password_shows_a_new_password_once_and_signs_the_user_out() {
    let app = TestApp::start().await;
    let id = clerk(&app).await;
    let clerk_browser = app.signed_in(EMAIL, PASSWORD).await;
    let admin = app.admin().await;
    let reply = admin
        .submit_json("/admin/acl/users/reset-password", &json!({ "id": id }))
        .await;
    assert_eq!(reply.status, 200);
    let new_password = reply.json()["password"].as_str().unwrap().to_owned();
    assert_eq!(new_password.len(), 20);
    assert!(
        clerk_browser
            .get("/admin/acl/users/index")
            .await
            .redirects_to("/login")
    );
    assert_eq!(app.browser().sign_in(EMAIL, PASSWORD).await.status, 422);
    assert_eq!(
        app.browser().sign_in(EMAIL, &new_password).await.status,
        303
    );
    // The HTML page shows it too (once: it is not stored in clear anywhere).
    let html = admin
        .submit(
            "/admin/acl/users/reset-password",
            &[("id", &id.to_string())],
        )
        .await;
    assert_eq!(html.status, 200);
    assert!(html.body.contains("The password has been reset"));
}

#[tokio::test]
async fn users_created_in_the_back_office_can_sign_in_with_their_groups() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let group: i64 = sqlx::query_scalar("SELECT id FROM acl_groups WHERE name = 'Administrators'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let created = admin
        .submit_json(
            "/admin/acl/users/create",
            &json!({ "email": "  New.Person@Example.com ", "name": "New person", "groups": [group] }),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let body = created.json();
    assert_eq!(
        body["email"], "new.person@example.com",
        "emails are normalised"
    );
    let password = body["password"].as_str().unwrap();
    let browser = app.signed_in("new.person@example.com", password).await;
    assert_eq!(browser.get("/admin/acl/roles/index").await.status, 200);

    // Emails stay unique.
    let duplicate = admin
        .submit_json(
            "/admin/acl/users/create",
            &json!({ "email": "NEW.PERSON@example.com", "name": "Again" }),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(app.count("users").await, 2);
}
