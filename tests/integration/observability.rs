//! Observability as real tools see it: `/metrics` checked by Prometheus' own `promtool`, JSON
//! log lines of a real `backoffice serve` process, `/readyz` during start-up and without a
//! database.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use backoffice::WebSettings;
use backoffice_tests::binary::Served;
use backoffice_tests::plugins::fixture;
use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const PROMTOOL: &str = "/usr/bin/promtool";

/// Prometheus' checker, or a failure that says how to install it.
fn promtool() -> &'static Path {
    let path = Path::new(PROMTOOL);
    assert!(
        path.is_file(),
        "{PROMTOOL} is missing: run .ci/install-promtool (Debian package `prometheus`)"
    );
    path
}

/// `promtool check metrics` on `text`: its complaints, empty when it accepts the exposition.
fn promtool_check(text: &str) -> (bool, String) {
    let mut check = Command::new(promtool())
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running promtool");
    check
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = check.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

async fn scrape(app: &TestApp) -> String {
    let (_, token) = backoffice::auth::tokens::create(&app.db, app.admin_id, "scraper", 0)
        .await
        .unwrap();
    let reply = reqwest::Client::new()
        .get(format!("{}/metrics", app.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert!(
        reply.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    reply.text().await.unwrap()
}

#[tokio::test]
async fn metrics_after_traffic_to_two_plugins_pass_promtool() {
    promtool();
    let app = TestApp::with_plugins(&["hello", "notes"]).await;
    let admin = app.admin().await;
    assert_eq!(admin.get("/admin/hello/index/json").await.status, 200);
    let created = admin
        .submit_json(
            "/admin/notes/notes/create",
            &json!({"title": "Scraped", "body": "", "pinned": false}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(admin.get_json("/admin/notes/notes/index").await.status, 200);
    assert_eq!(admin.get("/admin/hello/index/nothing").await.status, 404);
    assert_eq!(app.browser().get("/nowhere").await.status, 404);
    app.browser().sign_in(ADMIN_EMAIL, "not-the-password").await;

    let text = scrape(&app).await;
    let (accepted, complaints) = promtool_check(&text);
    assert!(
        accepted && complaints.trim().is_empty(),
        "promtool: {complaints}\n{text}"
    );
    for family in backoffice::observe::metrics::FAMILIES {
        let types = text
            .lines()
            .filter(|l| l.starts_with(&format!("# TYPE {} ", family.name)))
            .count();
        assert!(types <= 1, "{} has {types} TYPE lines", family.name);
    }
    for line in [
        "backoffice_http_requests_total{surface=\"backoffice\",route=\"/admin/hello/index/json\",status=\"200\",plugin=\"hello\"} 1",
        "backoffice_http_requests_total{surface=\"backoffice\",route=\"/admin/hello/*\",status=\"404\",plugin=\"hello\"} 1",
        "backoffice_http_requests_total{surface=\"storefront\",route=\"unmatched\",status=\"404\",plugin=\"\"} 1",
        "backoffice_plugin_calls_total{plugin=\"notes\",export=\"handle\",outcome=\"ok\"} 2",
        "backoffice_plugin_call_duration_seconds_count{plugin=\"hello\",export=\"handle\"} 2",
        "backoffice_signin_refusals_total{realm=\"admin\",reason=\"bad_credentials\"} 1",
        "backoffice_sessions_active{realm=\"admin\"} 1",
        "backoffice_plugins{state=\"enabled\"} 2",
        "backoffice_plugin_info{plugin=\"notes\",version=\"0.1.0\"} 1",
        "backoffice_mail_outbox_messages{status=\"queued\"} 0",
        "backoffice_plugin_loads_total{cache=\"miss\"} 2",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    for family in [
        "backoffice_db_connections{state=\"in_use\"}",
        "backoffice_http_request_duration_seconds_bucket{surface=\"backoffice\",route=\"/admin/notes/notes/create\",plugin=\"notes\",le=\"+Inf\"} 1",
    ] {
        assert!(text.contains(family), "missing {family:?} in:\n{text}");
    }
}

#[tokio::test]
async fn a_request_id_comes_back_and_is_taken_from_a_trusted_proxy_only() {
    let sent = "edge-7f3a:42";
    let ask = |app: &TestApp, id: &'static str| {
        let browser = app.browser();
        async move {
            let request = browser
                .request(Method::GET, "/healthz")
                .header("x-request-id", id);
            let reply = browser.send(request).await;
            reply.headers["x-request-id"].to_str().unwrap().to_owned()
        }
    };
    let generated = |id: &str| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit());

    let behind_proxy = TestApp::start_with(WebSettings {
        trusted_proxies: "127.0.0.1".parse().unwrap(),
        ..WebSettings::default()
    })
    .await;
    assert_eq!(ask(&behind_proxy, sent).await, sent);
    assert!(generated(&ask(&behind_proxy, "two words").await));

    let direct = TestApp::start().await;
    let id = ask(&direct, sent).await;
    assert!(generated(&id), "{id}");
    assert_ne!(ask(&direct, sent).await, id, "a new id for every request");
}

/// A directory holding `names` copied from the built fixtures (not `<data>/plugins`, which is
/// the upload directory: `serve` would load its files a second time).
fn plugin_dir(root: &Path, names: &[&str]) -> PathBuf {
    let dir = root.join("trusted-plugins");
    std::fs::create_dir_all(&dir).unwrap();
    for name in names {
        std::fs::copy(fixture(name), dir.join(format!("{name}.wasm"))).unwrap();
    }
    dir
}

#[tokio::test]
async fn json_log_lines_carry_the_request_id_of_their_request_plugin_lines_included() {
    let data = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(data.path(), &["notes"]);
    let mut served = Served::spawn_with_env(
        data.path(),
        &[
            "--log-format",
            "json",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--trusted-plugins",
            plugins.to_str().unwrap(),
            "--admin-email",
            ADMIN_EMAIL,
            "--admin-password",
            ADMIN_PASSWORD,
        ],
        &[("BACKOFFICE_LOG", "info,sqlx=warn")],
    );
    let url = served.line_after("Backoffice is serving on ");
    let admin = Browser::new(url.strip_suffix("/login").unwrap().to_owned());
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let created = admin
        .submit_json(
            "/admin/notes/notes/create",
            &json!({"title": "Logged", "body": "", "pinned": false}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.headers["x-request-id"].to_str().unwrap().to_owned();
    let note = created.json()["note"]["id"].as_str().unwrap().to_owned();

    let of_request = |line: &str| -> Option<Value> {
        let value: Value = serde_json::from_str(line).ok()?;
        (value["span"]["request_id"] == id.as_str()).then_some(value)
    };
    let plugin_line = served.line_where("the notes plugin's own log line", |line| {
        of_request(line).is_some_and(|v| v["plugin"] == "notes")
    });
    let plugin_line = of_request(&plugin_line).unwrap();
    assert_eq!(plugin_line["message"], format!("note {note} created"));
    assert_eq!(plugin_line["level"], "INFO");
    let request_line = served.line_where("the request's log line", |line| {
        of_request(line).is_some_and(|v| v["target"] == "backoffice::request")
    });
    let request_line = of_request(&request_line).unwrap();
    assert_eq!(request_line["method"], "POST");
    assert_eq!(request_line["path"], "/admin/notes/notes/create");
    assert_eq!(request_line["route"], "/admin/notes/notes/create");
    assert_eq!(request_line["status"], 200);
    assert_eq!(request_line["plugin"], "notes");
    assert_eq!(request_line["surface"], "backoffice");
    assert_eq!(request_line["user_id"], 1);
    assert!(request_line["duration_ms"].as_f64().unwrap() > 0.0);

    for line in served.seen.iter().filter(|l| l.starts_with('{')) {
        let parsed: Result<Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not JSON: {line}");
    }
    served.terminate();
}

#[tokio::test]
async fn readyz_is_503_while_plugins_load_and_200_once_they_are() {
    let data = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(data.path(), &[]);
    // A named pipe in place of a component: loading it blocks until the test writes the
    // component's bytes into it, so the host is deterministically still loading until then.
    let pipe = plugins.join("hello.wasm");
    let made = Command::new("mkfifo").arg(&pipe).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    let mut served = Served::spawn(
        data.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--trusted-plugins",
            plugins.to_str().unwrap(),
        ],
    );
    let starting = served.line_after("Backoffice is starting on ");
    let base = starting
        .strip_suffix(": loading plugins")
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{base}{path}")).send();

    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    let loading = get("/readyz").await.unwrap();
    assert_eq!(loading.status(), 503);
    let body: Value = loading.json().await.unwrap();
    assert_eq!(body["plugins"], "loading");
    assert_eq!(body["database"], "ok");

    let component = std::fs::read(fixture("hello")).unwrap();
    let writer = std::thread::spawn(move || std::fs::write(pipe, component));
    served.line_after("Backoffice is serving on ");
    writer.join().unwrap().unwrap();
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(
        body,
        json!({"ready": true, "database": "ok", "plugins": "loaded", "plugins_failed": 0})
    );
    served.terminate();
}

#[tokio::test]
async fn readyz_is_503_once_the_database_is_gone() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let browser = app.browser();
    assert_eq!(browser.get("/readyz").await.status, 200);
    app.db.pool().close().await;
    let gone = browser.get("/readyz").await;
    assert_eq!(gone.status, 503);
    assert_eq!(gone.json()["database"], "unreachable");
    assert_eq!(browser.get("/healthz").await.status, 200);
}

/// The families a dashboard query names: `backoffice_…` words, a histogram's `_bucket` series
/// under its family's name.
fn families_in(expr: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("backoffice_") {
        let word: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[at + word.len()..];
        found.push(word.trim_end_matches("_bucket").to_owned());
    }
    found
}

#[test]
fn the_dashboards_queries_parse_and_use_only_exposed_families() {
    promtool();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/grafana-dashboard.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let exposed: Vec<&str> = backoffice::observe::metrics::FAMILIES
        .iter()
        .map(|f| f.name)
        .collect();
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    let mut count = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            for family in families_in(expr) {
                assert!(exposed.contains(&family.as_str()), "{family} in {expr}");
            }
            // Grafana's variables, as Grafana would fill them in.
            let promql = expr
                .replace("$__rate_interval", "5m")
                .replace("$instance", ".*");
            count += 1;
            rules.push_str(&format!(
                "      - record: dashboard:query_{count}\n        expr: {}\n",
                serde_json::to_string(&promql).unwrap()
            ));
        }
    }
    assert!(count >= 5, "the dashboard has {count} queries");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), rules).unwrap();
    let output = Command::new(promtool())
        .args(["check", "rules"])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
