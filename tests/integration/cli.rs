//! The command line: `serve` as a real process (first-admin credentials printed once, health,
//! sign-in page, clean stop on SIGTERM), and `migrate`, `user add|list|disable`, `token create`
//! both in-process through `cli::run` and through the executable.

use backoffice::cli::{self, Cli, Command, TokenCommand, UserCommand};
use backoffice::state::WebSettings;
use backoffice_tests::binary::{self, Served};
use backoffice_tests::{ADMIN_EMAIL, Browser, TestApp};
use reqwest::Method;

const PASSWORD: &str = "cli-test-password-1";

fn cli(data: &std::path::Path, command: Command) -> Cli {
    Cli {
        data: data.to_owned(),
        database: None,
        log_format: Default::default(),
        command,
    }
}

fn add(email: &str, password: Option<&str>, groups: &[&str]) -> Command {
    Command::User(UserCommand::Add {
        email: email.to_owned(),
        name: String::new(),
        password: password.map(str::to_owned),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        agent: false,
    })
}

fn disable(email: &str) -> Command {
    Command::User(UserCommand::Disable {
        email: email.to_owned(),
    })
}

/// Polls `GET /healthz` until it answers 200, failing after the deadline.
async fn wait_healthy(base: &str) {
    let client = reqwest::Client::new();
    let url = format!("{base}/healthz");
    backoffice_tests::poll(binary::DEADLINE, &format!("{url} healthy"), || async {
        let reply = client.get(&url).send().await.ok()?;
        (reply.status() == 200 && reply.text().await.ok()? == "ok").then_some(())
    })
    .await;
}

#[tokio::test]
async fn serve_prints_the_first_admin_once_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::spawn(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(served.line_after("First admin created: "), ADMIN_EMAIL);
    let password = served.line_after("Password (shown only this once): ");
    assert_eq!(password.len(), 20, "a generated password: {password:?}");
    let url = served.line_after("Backoffice is serving on ");
    let base = url
        .strip_suffix("/login")
        .expect("the sign-in URL")
        .to_owned();
    wait_healthy(&base).await;

    let browser = Browser::new(base.clone());
    let login = browser.get("/login").await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("Sign in to Backoffice"));
    let signed_in = browser.sign_in(ADMIN_EMAIL, &password).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(browser.get("/admin").await.status, 200);

    let status = served.terminate();
    assert_eq!(status.code(), Some(0), "exit status {status:?}");

    // A second start over the same data keeps the admin and prints no password.
    let mut again = Served::spawn(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    let url = again.line_after("Backoffice is serving on ");
    let base = url.strip_suffix("/login").unwrap().to_owned();
    wait_healthy(&base).await;
    assert!(
        again
            .seen
            .iter()
            .all(|l| !l.contains("Password") && !l.contains("First admin")),
        "{:?}",
        again.seen
    );
    let browser = Browser::new(base);
    assert_eq!(browser.sign_in(ADMIN_EMAIL, &password).await.status, 303);
    let stderr = again.stderr();
    let status = again.terminate();
    assert_eq!(
        status.code(),
        Some(0),
        "exit status {status:?}; stderr: {stderr}"
    );
}

#[tokio::test]
async fn serve_takes_the_first_admin_from_flags_and_prints_no_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::spawn(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin-email",
            "Owner@Example.com",
            "--admin-password",
            PASSWORD,
        ],
    );
    assert_eq!(
        served.line_after("First admin created: "),
        "owner@example.com"
    );
    let url = served.line_after("Backoffice is serving on ");
    assert!(served.seen.iter().all(|l| !l.contains(PASSWORD)));
    let base = url.strip_suffix("/login").unwrap().to_owned();
    wait_healthy(&base).await;
    let browser = Browser::new(base);
    assert_eq!(
        browser.sign_in("owner@example.com", PASSWORD).await.status,
        303
    );
    assert_eq!(served.terminate().code(), Some(0));
}

#[tokio::test]
async fn binary_user_and_token_commands_print_what_they_did() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let migrate = binary::run(data, &["migrate"]);
    assert!(migrate.status.success());
    assert_eq!(
        String::from_utf8_lossy(&migrate.stdout),
        "Database is up to date.\n"
    );

    let added = binary::run(data, &["user", "add", "ops@example.com", "--name", "Ops"]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let out = String::from_utf8(added.stdout).unwrap();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("User ops@example.com created (id 1)."));
    let password = lines
        .next()
        .and_then(|l| l.strip_prefix("Password (shown only this once): "))
        .expect("the generated password")
        .to_owned();
    assert_eq!(password.len(), 20);

    let listed = binary::run(data, &["user", "list"]);
    assert_eq!(
        String::from_utf8(listed.stdout).unwrap(),
        "1\tops@example.com\tactive\tOps\n"
    );

    let token_out = binary::run(
        data,
        &["token", "create", "ops@example.com", "--name", "deploy"],
    );
    assert!(token_out.status.success());
    let text = String::from_utf8(token_out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("Token 1 for ops@example.com (shown only this once):")
    );
    let token = lines.next().unwrap().to_owned();
    assert!(token.starts_with("bo_"));

    // The account and the token work in the app over the same data directory.
    let app = TestApp::start_in(dir, WebSettings::default()).await;
    let browser = app.signed_in("ops@example.com", &password).await;
    let client = app.browser();
    let account = client
        .send(client.request(Method::GET, "/account").bearer_auth(&token))
        .await;
    assert_eq!(account.status, 200);
    assert_eq!(account.json()["user"]["email"], "ops@example.com");

    // `user disable` from the command line ends the running sessions and the token's use.
    let disabled = binary::run(app.data_dir(), &["user", "disable", "OPS@example.com"]);
    assert!(disabled.status.success());
    assert_eq!(
        String::from_utf8(disabled.stdout).unwrap(),
        "User ops@example.com is blocked and signed out.\n"
    );
    assert!(browser.get("/account").await.redirects_to("/login"));
    let refused = client
        .send(client.request(Method::GET, "/account").bearer_auth(&token))
        .await;
    assert_eq!(refused.status, 401);
    let listed = binary::run(app.data_dir(), &["user", "list"]);
    assert_eq!(
        String::from_utf8(listed.stdout).unwrap(),
        "1\tops@example.com\tblocked\tOps\n"
    );
}

#[tokio::test]
async fn binary_reports_errors_on_stderr_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["user", "add", "a@example.com", "--password", "short"],
            "at least 12 characters",
        ),
        (
            &["user", "add", "not-an-email"],
            "is not a valid email address",
        ),
        (
            &["user", "add", "b@example.com", "--group", "Nope"],
            "there is no group named \"Nope\"",
        ),
        (
            &["user", "disable", "nobody@example.com"],
            "there is no user nobody@example.com",
        ),
        (
            &["token", "create", "nobody@example.com"],
            "there is no user nobody@example.com",
        ),
    ];
    for (args, message) in cases {
        let out = binary::run(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let listed = binary::run(dir.path(), &["user", "list"]);
    assert!(listed.stdout.is_empty(), "nothing was created");
}

#[tokio::test]
async fn cli_migrate_creates_the_schema_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    cli::run(cli(dir.path(), Command::Migrate)).await.unwrap();
    cli::run(cli(dir.path(), Command::Migrate)).await.unwrap();
    let db = backoffice_tests::open_db(dir.path()).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/sqlite"))
        .unwrap()
        .count() as i64;
    assert_eq!(applied, files, "every migration applied exactly once");
    for table in [
        "acl_group_roles",
        "acl_groups",
        "acl_roles",
        "acl_rules",
        "acl_user_groups",
        "api_tokens",
        "audit_log",
        "login_failures",
        "sessions",
        "users",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing from {tables:?}"
        );
    }
}

#[tokio::test]
async fn cli_user_add_creates_a_user_in_the_named_groups() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::start_in(dir, WebSettings::default()).await;
    cli::run(cli(
        app.data_dir(),
        add("Ops@Example.com", Some(PASSWORD), &["Administrators"]),
    ))
    .await
    .unwrap();
    let id = app
        .user_id("ops@example.com")
        .await
        .expect("created, lower-cased");
    let browser = app.signed_in("ops@example.com", PASSWORD).await;
    assert_eq!(browser.get("/admin/acl/roles/index").await.status, 200);
    let user = browser.get_json("/account").await.json();
    assert_eq!(
        user["user"]["name"], "ops@example.com",
        "the name defaults to the email"
    );
    assert_eq!(user["user"]["id"], id);

    let unknown = cli::run(cli(
        app.data_dir(),
        add("x@example.com", Some(PASSWORD), &["Nope"]),
    ))
    .await
    .unwrap_err();
    assert!(
        unknown.to_string().contains("there is no group named"),
        "{unknown:#}"
    );
    assert_eq!(app.user_id("x@example.com").await, None);

    let duplicate = cli::run(cli(
        app.data_dir(),
        add("OPS@example.com", Some(PASSWORD), &[]),
    ))
    .await
    .unwrap_err();
    assert!(
        duplicate.to_string().contains("already exists"),
        "{duplicate:#}"
    );
}

#[tokio::test]
async fn cli_user_disable_blocks_and_signs_out_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::start_in(dir, WebSettings::default()).await;
    let id = app
        .user_with_rules("ops@example.com", PASSWORD, &[("*", "*", "*", "allow")])
        .await;
    let browser = app.signed_in("ops@example.com", PASSWORD).await;
    assert_eq!(browser.get("/admin").await.status, 200);
    cli::run(cli(app.data_dir(), disable(" OPS@example.com ")))
        .await
        .unwrap();
    assert_eq!(app.user_status(id).await, "blocked");
    assert_eq!(app.sessions_of(id).await, 0);
    assert!(browser.get("/admin").await.redirects_to("/login"));
    assert_eq!(
        app.browser()
            .sign_in("ops@example.com", PASSWORD)
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn cli_leaves_deleted_users_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::start_in(dir, WebSettings::default()).await;
    let id = app.create_user("gone@example.com", PASSWORD, &[]).await;
    let admin = app.admin().await;
    let deleted = admin
        .submit_json("/admin/acl/users/delete", &serde_json::json!({ "id": id }))
        .await;
    assert_eq!(deleted.status, 200);

    let err = cli::run(cli(app.data_dir(), disable("gone@example.com")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("there is no user"), "{err:#}");
    let err = cli::run(cli(
        app.data_dir(),
        Command::Token(TokenCommand::Create {
            email: "gone@example.com".into(),
            name: "cli".into(),
        }),
    ))
    .await
    .unwrap_err();
    assert!(err.to_string().contains("there is no user"), "{err:#}");
    assert_eq!(app.user_status(id).await, "deleted");
    assert_eq!(app.count("api_tokens").await, 0);
    let list = admin.get_json("/admin/acl/users/index").await.json();
    assert_eq!(list["paging"]["total"], 1, "the deleted user stays hidden");
}
