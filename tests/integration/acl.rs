//! The ACL: roles × routes, deny over allow, wildcards, users without groups, unruled routes, the
//! menu, and denials in the audit log.

use backoffice_tests::fixtures::RuleSpec;
use backoffice_tests::{Browser, Reply, TestApp};
use reqwest::Method;

const PASSWORD: &str = "acl-test-password-1";

/// A user of the matrix: name, groups as lists of role rules.
struct Persona {
    email: &'static str,
    groups: Vec<Vec<RuleSpec<'static>>>,
}

fn personas() -> Vec<Persona> {
    vec![
        Persona {
            email: "viewer@example.com",
            groups: vec![vec![("acl", "users", "index", "allow")]],
        },
        Persona {
            email: "acl-admin@example.com",
            groups: vec![vec![("acl", "*", "*", "allow")]],
        },
        Persona {
            email: "no-delete@example.com",
            groups: vec![vec![
                ("*", "*", "*", "allow"),
                ("acl", "users", "delete", "deny"),
            ]],
        },
        Persona {
            email: "indexer@example.com",
            groups: vec![vec![("*", "*", "index", "allow")]],
        },
        Persona {
            // Allowed everything by one group, denied acl by another: deny wins across groups.
            email: "split@example.com",
            groups: vec![
                vec![("*", "*", "*", "allow")],
                vec![("acl", "*", "*", "deny")],
            ],
        },
        Persona {
            email: "nobody@example.com",
            groups: vec![],
        },
    ]
}

async fn create_persona(app: &TestApp, persona: &Persona) -> i64 {
    let mut groups = Vec::new();
    for (i, rules) in persona.groups.iter().enumerate() {
        let role = app
            .create_role(&format!("{} role {i}", persona.email), rules)
            .await;
        groups.push(
            app.create_group(&format!("{} group {i}", persona.email), &[role])
                .await,
        );
    }
    app.create_user(persona.email, PASSWORD, &groups).await
}

/// A request of the matrix: method, path, JSON body for POSTs.
type Probe = (Method, &'static str, Option<serde_json::Value>);

/// Probes whose outcome tells the ACL decision apart from what the handler does after it: an
/// allowed request answers 200 (or 404 for an id that does not exist), a denied one 403.
fn probes() -> Vec<Probe> {
    let missing = serde_json::json!({ "id": 987_654 });
    vec![
        (Method::GET, "/admin", None),
        (Method::GET, "/admin/acl/users/index", None),
        (Method::GET, "/admin/acl/users/create", None),
        (Method::GET, "/admin/acl/groups/index", None),
        (Method::GET, "/admin/acl/roles/index", None),
        (Method::GET, "/admin/audit/log/index", None),
        (Method::GET, "/admin/catalog/products/index", None),
        (
            Method::POST,
            "/admin/acl/users/delete",
            Some(missing.clone()),
        ),
        (Method::POST, "/admin/acl/groups/delete", Some(missing)),
    ]
}

async fn probe(browser: &Browser, (method, path, body): &Probe) -> Reply {
    let mut request = browser
        .request(method.clone(), path)
        .header("accept", "application/json")
        .header("x-csrf-token", browser.csrf());
    if let Some(body) = body {
        request = request.json(body);
    }
    browser.send(request).await
}

#[tokio::test]
async fn acl_matrix_of_roles_and_routes() {
    let app = TestApp::start().await;
    for persona in personas() {
        create_persona(&app, &persona).await;
    }
    // Expected status per persona, in the order of `probes()`.
    let expected: &[(&str, [u16; 9])] = &[
        (
            "admin@example.com",
            [200, 200, 200, 200, 200, 200, 404, 404, 404],
        ),
        (
            "viewer@example.com",
            [403, 200, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "acl-admin@example.com",
            [403, 200, 200, 200, 200, 403, 403, 404, 404],
        ),
        (
            "no-delete@example.com",
            [200, 200, 200, 200, 200, 200, 404, 403, 404],
        ),
        (
            "indexer@example.com",
            [200, 200, 403, 200, 200, 200, 404, 403, 403],
        ),
        (
            "split@example.com",
            [200, 403, 403, 403, 403, 200, 404, 403, 403],
        ),
        ("nobody@example.com", [403; 9]),
    ];
    let probes = probes();
    for (email, statuses) in expected {
        let password = if *email == "admin@example.com" {
            backoffice_tests::ADMIN_PASSWORD
        } else {
            PASSWORD
        };
        let browser = app.signed_in(email, password).await;
        for (probe_spec, want) in probes.iter().zip(statuses) {
            let reply = probe(&browser, probe_spec).await;
            let (method, path, _) = probe_spec;
            assert_eq!(
                reply.status, *want,
                "{email} {method} {path}: {}",
                reply.body
            );
            if *want == 403 {
                let resource = backoffice::acl::Resource::from_admin_path(path).describe();
                assert_eq!(
                    reply.json()["error"],
                    format!("You do not have access to {resource}."),
                    "{email} {path}"
                );
            }
        }
    }
}

/// Every admin route the host serves, with a method and a body that the handler would accept.
fn every_admin_route() -> Vec<Probe> {
    let id = serde_json::json!({ "id": 1 });
    vec![
        (Method::GET, "/admin", None),
        (Method::GET, "/admin/dashboard/index/index", None),
        (Method::GET, "/admin/audit/log/index", None),
        (Method::GET, "/admin/mail/outbox/index", None),
        (Method::GET, "/admin/mail/outbox/view?id=1", None),
        (Method::POST, "/admin/mail/outbox/retry", Some(id.clone())),
        (Method::GET, "/admin/acl/users/index", None),
        (Method::GET, "/admin/acl/users/create", None),
        (Method::GET, "/admin/acl/users/edit?id=1", None),
        (Method::GET, "/admin/acl/groups/index", None),
        (Method::GET, "/admin/acl/groups/create", None),
        (Method::GET, "/admin/acl/groups/edit?id=1", None),
        (Method::GET, "/admin/acl/roles/index", None),
        (Method::GET, "/admin/acl/roles/create", None),
        (Method::GET, "/admin/acl/roles/edit?id=1", None),
        (Method::GET, "/admin/catalog/products/index", None),
        (
            Method::POST,
            "/admin/acl/users/create",
            Some(serde_json::json!({ "email": "x@example.com", "name": "X" })),
        ),
        (
            Method::POST,
            "/admin/acl/users/edit",
            Some(serde_json::json!({ "id": 1, "email": "x@example.com", "name": "X" })),
        ),
        (Method::POST, "/admin/acl/users/block", Some(id.clone())),
        (Method::POST, "/admin/acl/users/unblock", Some(id.clone())),
        (Method::POST, "/admin/acl/users/delete", Some(id.clone())),
        (
            Method::POST,
            "/admin/acl/users/reset-password",
            Some(id.clone()),
        ),
        (
            Method::POST,
            "/admin/acl/groups/create",
            Some(serde_json::json!({ "name": "G" })),
        ),
        (
            Method::POST,
            "/admin/acl/groups/edit",
            Some(serde_json::json!({ "id": 1, "name": "G" })),
        ),
        (Method::POST, "/admin/acl/groups/delete", Some(id.clone())),
        (
            Method::POST,
            "/admin/acl/roles/create",
            Some(serde_json::json!({ "name": "R" })),
        ),
        (
            Method::POST,
            "/admin/acl/roles/edit",
            Some(serde_json::json!({ "id": 1, "name": "R" })),
        ),
        (Method::POST, "/admin/acl/roles/delete", Some(id)),
        (
            Method::POST,
            "/admin/acl/roles/add-rule",
            Some(serde_json::json!({
                "role_id": 1, "section": "*", "controller": "*", "action": "*", "effect": "allow"
            })),
        ),
        (
            Method::POST,
            "/admin/acl/roles/delete-rule",
            Some(serde_json::json!({ "role_id": 1, "rule_id": 1 })),
        ),
        (
            Method::POST,
            "/admin/catalog/products/save",
            Some(serde_json::json!({})),
        ),
    ]
}

#[tokio::test]
async fn user_without_group_is_denied_every_admin_route() {
    let app = TestApp::start().await;
    let nobody = app.create_user("nobody@example.com", PASSWORD, &[]).await;
    let browser = app.signed_in("nobody@example.com", PASSWORD).await;
    let before = app.snapshot().await;
    let routes = every_admin_route();
    for route in &routes {
        let reply = probe(&browser, route).await;
        assert_eq!(reply.status, 403, "{} {}: {}", route.0, route.1, reply.body);
        let html = browser
            .send(
                browser
                    .request(route.0.clone(), route.1)
                    .header("accept", "text/html")
                    .header("x-csrf-token", browser.csrf()),
            )
            .await;
        assert_eq!(html.status, 403, "{} {} as HTML", route.0, route.1);
        assert!(html.body.contains("Your role does not include this page"));
    }
    // Only denial rows were added; nothing else moved. Root still has its rule, the admin is
    // still active.
    let denials = app.audit_of("acl.denied").await;
    assert_eq!(denials.len(), routes.len() * 2);
    assert!(denials.iter().all(|r| r.actor_id == Some(nobody)));
    let without_audit = |s: &str| s.split("[audit_log]").next().unwrap().to_owned();
    assert_eq!(without_audit(&app.snapshot().await), without_audit(&before));
    // The account page needs no rule.
    assert_eq!(browser.get("/account").await.status, 200);
}

#[tokio::test]
async fn deny_rule_wins_over_allow_rules() {
    let app = TestApp::start().await;
    app.user_with_rules(
        "careful@example.com",
        PASSWORD,
        &[
            ("*", "*", "*", "allow"),
            ("acl", "*", "*", "allow"),
            ("acl", "users", "block", "deny"),
        ],
    )
    .await;
    let victim = app.create_user("victim@example.com", PASSWORD, &[]).await;
    let browser = app.signed_in("careful@example.com", PASSWORD).await;
    let reply = browser
        .submit("/admin/acl/users/block", &[("id", &victim.to_string())])
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(app.user_status(victim).await, "active");
    // The other actions of the controller stay allowed.
    let reply = browser
        .submit(
            "/admin/acl/users/reset-password",
            &[("id", &victim.to_string())],
        )
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn wildcard_rules_match_any_section_controller_or_action() {
    let app = TestApp::start().await;
    app.user_with_rules(
        "wild@example.com",
        PASSWORD,
        &[("*", "products", "*", "allow")],
    )
    .await;
    let browser = app.signed_in("wild@example.com", PASSWORD).await;
    // Allowed by the rule (and then not found: no plugin serves them yet).
    for path in [
        "/admin/catalog/products/index",
        "/admin/sales/products/edit",
        "/admin/anything/products/whatever",
    ] {
        assert_eq!(browser.get_json(path).await.status, 404, "{path}");
    }
    for path in [
        "/admin/catalog/categories/index",
        "/admin/acl/users/index",
        "/admin",
    ] {
        assert_eq!(browser.get_json(path).await.status, 403, "{path}");
    }
}

#[tokio::test]
async fn unruled_route_is_denied() {
    let app = TestApp::start().await;
    app.user_with_rules(
        "acl-only@example.com",
        PASSWORD,
        &[("acl", "*", "*", "allow")],
    )
    .await;
    let browser = app.signed_in("acl-only@example.com", PASSWORD).await;
    let reply = browser.get("/admin/catalog/products/index").await;
    assert_eq!(reply.status, 403);
    assert!(
        reply
            .text()
            .contains("You do not have access to catalog/products/index."),
        "{}",
        reply.body
    );
    assert_eq!(browser.get("/admin/acl/users/index").await.status, 200);
}

#[tokio::test]
async fn denials_are_written_to_the_audit_log() {
    let app = TestApp::start().await;
    let id = app
        .user_with_rules(
            "acl-only@example.com",
            PASSWORD,
            &[("acl", "*", "*", "allow")],
        )
        .await;
    let browser = app.signed_in("acl-only@example.com", PASSWORD).await;
    app.advance(42);
    assert_eq!(
        browser.get("/admin/catalog/products/index").await.status,
        403
    );
    let reply = browser.submit("/admin/catalog/products/save", &[]).await;
    assert_eq!(reply.status, 403);
    let denials = app.audit_of("acl.denied").await;
    assert_eq!(denials.len(), 2, "{denials:?}");
    let first = &denials[0];
    assert_eq!(first.actor_id, Some(id));
    assert_eq!(first.actor, "acl-only@example.com");
    assert_eq!(first.target, "catalog/products/index");
    assert_eq!(first.detail, "GET");
    assert_eq!(first.ip, "127.0.0.1");
    assert_eq!(first.at, backoffice_tests::START + 42);
    assert_eq!(denials[1].target, "catalog/products/save");
    assert_eq!(denials[1].detail, "POST");
}

#[tokio::test]
async fn anonymous_admin_requests_are_sent_to_sign_in() {
    let app = TestApp::start().await;
    let browser = app.browser();
    for (method, path, _) in every_admin_route() {
        let reply = browser
            .send(
                browser
                    .request(method.clone(), path)
                    .header("accept", "text/html"),
            )
            .await;
        assert!(reply.redirects_to("/login"), "{method} {path}: {reply:?}");
        let json = browser.get_json(path).await;
        if method == Method::GET {
            assert_eq!(json.status, 401, "{path}");
            assert_eq!(json.json()["error"], "Please sign in to continue.");
        }
    }
    assert!(app.audit_of("acl.denied").await.is_empty());
}

/// The hrefs of the sidebar menu of a page.
fn menu(body: &str) -> Vec<String> {
    let Some(start) = body.find("<nav class=\"sidebar\"") else {
        return Vec::new();
    };
    let end = body[start..].find("</nav>").unwrap() + start;
    body[start..end]
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn menu_shows_only_permitted_entries() {
    let app = TestApp::start().await;
    for persona in personas() {
        create_persona(&app, &persona).await;
    }
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "admin@example.com",
            "/admin",
            &[
                "/admin",
                "/admin/acl/users/index",
                "/admin/acl/groups/index",
                "/admin/acl/roles/index",
                "/admin/settings/stores/index",
                "/admin/media/files/index",
                "/admin/themes/themes/index",
                "/admin/plugins/plugins/index",
                "/admin/mail/outbox/index",
                "/admin/audit/log/index",
            ],
        ),
        (
            "viewer@example.com",
            "/admin/acl/users/index",
            &["/admin/acl/users/index"],
        ),
        (
            "acl-admin@example.com",
            "/admin/acl/users/index",
            &[
                "/admin/acl/users/index",
                "/admin/acl/groups/index",
                "/admin/acl/roles/index",
            ],
        ),
        (
            "split@example.com",
            "/admin",
            &[
                "/admin",
                "/admin/settings/stores/index",
                "/admin/media/files/index",
                "/admin/themes/themes/index",
                "/admin/plugins/plugins/index",
                "/admin/mail/outbox/index",
                "/admin/audit/log/index",
            ],
        ),
    ];
    for (email, page, expected) in cases {
        let password = if *email == "admin@example.com" {
            backoffice_tests::ADMIN_PASSWORD
        } else {
            PASSWORD
        };
        let browser = app.signed_in(email, password).await;
        let reply = browser.get(page).await;
        assert_eq!(reply.status, 200, "{email} {page}");
        assert_eq!(menu(&reply.text()), *expected, "{email}");
    }
    // Buttons follow the same rules: the viewer sees no "New user".
    let viewer = app.signed_in("viewer@example.com", PASSWORD).await;
    let list = viewer.get("/admin/acl/users/index").await;
    assert!(!list.body.contains("/admin/acl/users/create"));
    let admin = app.admin().await;
    let list = admin.get("/admin/acl/users/index").await;
    assert!(list.body.contains("/admin/acl/users/create"));
}

#[tokio::test]
async fn rule_changes_apply_to_the_next_request() {
    let app = TestApp::start().await;
    app.user_with_rules(
        "viewer@example.com",
        PASSWORD,
        &[("acl", "users", "index", "allow")],
    )
    .await;
    let role: i64 = sqlx::query_scalar("SELECT id FROM acl_roles WHERE name = $1")
        .bind("role of viewer@example.com")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let viewer = app.signed_in("viewer@example.com", PASSWORD).await;
    assert_eq!(viewer.get("/admin/acl/groups/index").await.status, 403);

    let admin = app.admin().await;
    let added = admin
        .submit_json(
            "/admin/acl/roles/add-rule",
            &serde_json::json!({
                "role_id": role, "section": "acl", "controller": "groups",
                "action": "index", "effect": "allow"
            }),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(viewer.get("/admin/acl/groups/index").await.status, 200);

    let rule_id = added.json()["id"].as_i64().unwrap();
    let removed = admin
        .submit_json(
            "/admin/acl/roles/delete-rule",
            &serde_json::json!({ "role_id": role, "rule_id": rule_id }),
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(viewer.get("/admin/acl/groups/index").await.status, 403);
}

#[tokio::test]
async fn pages_outside_admin_show_the_same_permitted_menu() {
    let app = TestApp::start().await;
    for persona in personas() {
        create_persona(&app, &persona).await;
    }
    let cases: &[(&str, &[&str])] = &[
        ("viewer@example.com", &["/admin/acl/users/index"]),
        (
            "split@example.com",
            &[
                "/admin",
                "/admin/settings/stores/index",
                "/admin/media/files/index",
                "/admin/themes/themes/index",
                "/admin/plugins/plugins/index",
                "/admin/mail/outbox/index",
                "/admin/audit/log/index",
            ],
        ),
        ("nobody@example.com", &[]),
    ];
    for (email, expected) in cases {
        let browser = app.signed_in(email, PASSWORD).await;
        let account = browser.get("/account").await;
        assert_eq!(account.status, 200);
        assert_eq!(menu(&account.text()), *expected, "{email} on /account");
    }
}

/// A user who may administer users, groups and roles passes on only the rights they hold: no
/// rule, role or group beyond their own, no change to their own groups, no hand on the account
/// of someone holding more.
#[tokio::test]
async fn an_administrator_of_users_cannot_escalate() {
    let app = TestApp::start().await;
    let clerk_id = app
        .user_with_rules(
            "clerk@example.com",
            "clerk-password-1",
            &[("acl", "*", "*", "allow"), ("catalog", "*", "*", "allow")],
        )
        .await;
    let clerk = app.signed_in("clerk@example.com", "clerk-password-1").await;
    let groups = clerk.get_json("/admin/acl/groups/index").await.json();
    let id_of = |name: &str| {
        groups["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {groups}"))["id"]
            .as_i64()
            .unwrap()
    };
    let administrators = id_of("Administrators");
    let own_group = id_of("group of clerk@example.com");
    let roles = clerk.get_json("/admin/acl/roles/index").await.json();
    let own_role = roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "role of clerk@example.com")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let refusals = [
        (
            "/admin/acl/roles/add-rule",
            serde_json::json!({"role_id": own_role, "section": "*", "controller": "*", "action": "*", "effect": "allow"}),
        ),
        (
            "/admin/acl/roles/add-rule",
            serde_json::json!({"role_id": own_role, "section": "plugins", "controller": "plugins", "action": "upload", "effect": "allow"}),
        ),
        (
            "/admin/acl/users/edit",
            serde_json::json!({"id": clerk_id, "email": "clerk@example.com", "name": "Clerk", "groups": [own_group, administrators]}),
        ),
        (
            "/admin/acl/users/create",
            serde_json::json!({"email": "friend@example.com", "name": "Friend", "groups": [administrators]}),
        ),
        (
            "/admin/acl/users/reset-password",
            serde_json::json!({"id": app.admin_id}),
        ),
        (
            "/admin/acl/users/block",
            serde_json::json!({"id": app.admin_id}),
        ),
        (
            "/admin/acl/users/edit",
            serde_json::json!({"id": app.admin_id, "email": "mine@example.com", "name": "Admin", "groups": [administrators]}),
        ),
    ];
    for (path, body) in refusals {
        let reply = clerk.submit_json(path, &body).await;
        assert_eq!(reply.status, 403, "{path} {body}: {}", reply.body);
        assert!(
            reply.body.contains("do not hold") || reply.body.contains("own groups"),
            "{}",
            reply.body
        );
    }
    // What the clerk holds, the clerk may pass on.
    let allowed = clerk
        .submit_json(
            "/admin/acl/roles/add-rule",
            &serde_json::json!({"role_id": own_role, "section": "catalog", "controller": "products", "action": "index", "effect": "allow"}),
        )
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let friend = clerk
        .submit_json(
            "/admin/acl/users/create",
            &serde_json::json!({"email": "friend@example.com", "name": "Friend", "groups": [own_group]}),
        )
        .await;
    assert_eq!(friend.status, 200, "{}", friend.body);
    // The admin can still do all of it.
    let admin = app.admin().await;
    let reset = admin
        .submit_json(
            "/admin/acl/users/reset-password",
            &serde_json::json!({"id": clerk_id}),
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
}

#[tokio::test]
async fn a_bare_section_address_leads_to_its_first_entry_the_user_may_open() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let reply = admin.get("/admin/catalog").await;
    assert_eq!(
        reply.location(),
        Some("/admin/catalog/products/index"),
        "{reply:?}"
    );
    assert_eq!(
        admin.get("/admin/acl/").await.location(),
        Some("/admin/acl/users/index")
    );

    app.user_with_rules(
        "categories@example.com",
        PASSWORD,
        &[("catalog", "categories", "*", "allow")],
    )
    .await;
    let few = app.signed_in("categories@example.com", PASSWORD).await;
    let reply = few.get("/admin/catalog").await;
    assert_eq!(
        reply.location(),
        Some("/admin/catalog/categories/index"),
        "{reply:?}"
    );
    assert_eq!(
        few.get("/admin/acl").await.status,
        403,
        "no entry of acl is theirs"
    );
    assert_eq!(admin.get("/admin/nosuch").await.status, 404);
}
