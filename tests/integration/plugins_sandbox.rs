//! The sandbox: real fixture components that loop, eat memory, recurse or panic fail alone, with
//! a clean error page, while other sections keep answering.

use std::time::{Duration, Instant};

use backoffice_tests::binary::Served;
use backoffice_tests::plugins::fixture;
use backoffice_tests::{Browser, TestApp};

#[tokio::test]
async fn hello_plugin_renders_its_view_in_the_host_layout() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let page = admin.get("/admin/hello/index/index").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<p class=\"greeting\">Hello, world!</p>"),
        "{}",
        page.body
    );
    let menu = backoffice_tests::browser::unescape(&page.body);
    assert!(
        menu.contains("href=\"/admin/hello/index/index\">Hello<"),
        "the menu lists the section: {menu}"
    );
    let escaped = admin
        .get("/admin/hello/index/index?name=%3Cb%3Ex%3C%2Fb%3E")
        .await;
    assert!(
        escaped.body.contains("Hello, &lt;b&gt;x&lt;"),
        "{}",
        escaped.body
    );
    assert!(!escaped.body.contains("<b>x</b>"));
    let json = admin.get_json("/admin/hello/index/index?name=Ann").await;
    assert_eq!(
        json.json(),
        serde_json::json!({"greeting": "Hello, Ann!", "name": "Ann"})
    );
    let api = admin.get("/admin/hello/index/json").await;
    assert_eq!(api.json()["greeting"], "Hello, world!");
}

#[tokio::test]
async fn plugin_routes_are_behind_the_acl() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let email = "clerk@example.com";
    let password = "clerk-password-0001";
    app.user_with_rules(email, password, &[("acl", "*", "*", "allow")])
        .await;
    let clerk = app.signed_in(email, password).await;
    let denied = clerk.get("/admin/hello/index/index").await;
    assert_eq!(denied.status, 403);
    let page = clerk.get("/admin/acl/users/index").await;
    assert!(
        !page.body.contains("/admin/hello/"),
        "no menu entry for a denied section"
    );
}

/// Multi-threaded like the real server: the looping call occupies one worker (yielding every
/// epoch tick), the other serves everyone else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runaway_loop_is_stopped_within_the_deadline_while_others_answer() {
    let app = TestApp::with_plugins(&["hello", "infinite-loop"]).await;
    let admin = app.admin().await;
    let looping = {
        let admin = app.admin().await;
        tokio::spawn(async move {
            let started = Instant::now();
            let reply = admin.get("/admin/infinite-loop/index/index").await;
            (reply, started.elapsed())
        })
    };
    // While the loop runs, another section answers normally, and quickly.
    let mut answered = 0;
    while !looping.is_finished() {
        let started = Instant::now();
        let hello = admin.get("/admin/hello/index/json").await;
        assert_eq!(hello.status, 200);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "hello took {:?}",
            started.elapsed()
        );
        answered += 1;
    }
    let (reply, elapsed) = looping.await.unwrap();
    assert!(
        answered > 3,
        "only {answered} requests answered during the loop"
    );
    assert_eq!(reply.status, 504, "{}", reply.body);
    assert!(reply.body.contains("took too long"), "{}", reply.body);
    assert!(
        elapsed < Duration::from_millis(2500),
        "stopped after {elapsed:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(1900),
        "stopped early, after {elapsed:?}"
    );
}

/// Resident memory of a process, in bytes (`VmRSS` of /proc/PID/status).
fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

/// In a real `backoffice serve` process, so the host's own resident memory can be measured.
#[tokio::test]
async fn memory_bomb_is_stopped_at_the_cap_and_the_host_does_not_grow_past_it() {
    let data = tempfile::tempdir().unwrap();
    let plugins = data.path().join("third-party");
    std::fs::create_dir_all(&plugins).unwrap();
    for name in ["hello", "memory-bomb"] {
        std::fs::copy(fixture(name), plugins.join(format!("{name}.wasm"))).unwrap();
    }
    let mut served = Served::spawn(
        data.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--plugins",
            plugins.to_str().unwrap(),
        ],
    );
    let password = served.line_after("Password (shown only this once): ");
    let base = served
        .line_after("Backoffice is serving on ")
        .trim_end_matches("/login")
        .to_owned();
    let admin = Browser::new(base);
    assert_eq!(
        admin.sign_in("admin@example.com", &password).await.status,
        303
    );
    for _ in 0..3 {
        assert_eq!(admin.get("/admin/hello/index/json").await.status, 200);
    }
    let before = rss_of(served.pid());
    for _ in 0..3 {
        let reply = admin.get("/admin/memory-bomb/index/index").await;
        assert_eq!(reply.status, 503, "{}", reply.body);
        assert!(reply.body.contains("more memory"), "{}", reply.body);
        assert_eq!(
            admin.get("/admin/hello/index/json").await.status,
            200,
            "the next request works"
        );
    }
    let grown = rss_of(served.pid()).saturating_sub(before);
    assert!(grown < 64 << 20, "host RSS grew by {} MiB", grown >> 20);
    let plugins = admin.get_json("/admin/plugins/plugins/index").await.json();
    let bomb = plugins["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "memory-bomb")
        .unwrap();
    assert_eq!(bomb["stats"]["traps"], 3);
    let peak = bomb["stats"]["memory_peak"].as_u64().unwrap();
    assert!(peak <= 64 << 20 && peak > 32 << 20, "peak {peak}");
    assert!(served.terminate().success());
}

#[tokio::test]
async fn panic_and_stack_overflow_fail_alone_and_the_next_request_works() {
    let app = TestApp::with_plugins(&["hello", "panic", "deep-recursion"]).await;
    let admin = app.admin().await;
    for section in ["panic", "deep-recursion"] {
        for _ in 0..2 {
            let reply = admin.get(&format!("/admin/{section}/index/index")).await;
            assert_eq!(reply.status, 500, "{section}: {}", reply.body);
            assert!(
                reply.body.contains("failed while handling this request"),
                "{}",
                reply.body
            );
            assert!(
                !reply.body.contains("wasm backtrace"),
                "no internals on the page"
            );
            assert_eq!(admin.get("/admin/hello/index/json").await.status, 200);
        }
    }
    let json = admin.get_json("/admin/panic/index/index").await;
    assert_eq!(json.status, 500);
    assert!(json.json()["error"].as_str().unwrap().contains("panic"));
}

/// The ids of the plugins the Plugins page (JSON) lists as loaded.
fn loaded_ids(page: &serde_json::Value) -> Vec<&str> {
    page["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_broken_manifest_is_refused_with_every_problem_named() {
    let app = TestApp::with_plugins(&["hello", "broken-manifest"]).await;
    let admin = app.admin().await;
    let page = admin.get_json("/admin/plugins/plugins/index").await.json();
    let ids = loaded_ids(&page);
    assert_eq!(ids, ["hello"], "only the valid plugin loaded");
    let failure = page["failures"][0]["message"].as_str().unwrap();
    assert!(failure.contains("Bad Id!"), "{failure}");
    assert!(failure.contains("has space"), "{failure}");
    let html = admin.get("/admin/plugins/plugins/index").await;
    assert!(
        html.body.contains("did not load"),
        "the Plugins page shows the error"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_component_is_refused_with_a_reason() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let dir = app.plugin_dir();
    std::fs::write(dir.join("junk.wasm"), b"not wasm at all").unwrap();
    std::fs::write(dir.join("core.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let runtime = app.state.plugins();
    let junk = runtime
        .loader()
        .load_file(&dir.join("junk.wasm"), 0)
        .await
        .unwrap_err();
    assert!(format!("{junk:#}").contains("not WebAssembly"), "{junk:#}");
    let core = runtime
        .loader()
        .load_file(&dir.join("core.wasm"), 0)
        .await
        .unwrap_err();
    assert!(
        format!("{core:#}").contains("core WebAssembly module, not a component"),
        "{core:#}"
    );
}

#[tokio::test]
async fn an_admin_can_shorten_a_plugins_deadline() {
    let app = TestApp::with_plugins(&["infinite-loop"]).await;
    let admin = app.admin().await;
    let bad = admin
        .submit_json(
            "/admin/plugins/plugins/limits",
            &serde_json::json!({"id": "infinite-loop", "deadline_ms": "5"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.json()["error"]
            .as_str()
            .unwrap()
            .contains("between 50 and 30000 ms")
    );
    let set = admin
        .submit(
            "/admin/plugins/plugins/limits",
            &[
                ("id", "infinite-loop"),
                ("deadline_ms", "300"),
                ("memory_mib", ""),
            ],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    let started = Instant::now();
    let reply = admin.get("/admin/infinite-loop/index/index").await;
    assert_eq!(reply.status, 504);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(1200),
        "stopped after {elapsed:?}"
    );
    let listed = admin.get_json("/admin/plugins/plugins/index").await.json();
    assert_eq!(listed["plugins"][0]["deadline_ms"], 300);
    assert_eq!(listed["plugins"][0]["memory_mib"], 64);
    assert_eq!(app.audit_of("plugin.limits-changed").await.len(), 1);
}

#[tokio::test]
async fn metrics_report_plugin_calls_to_authorised_scrapers_only() {
    let app = TestApp::with_plugins(&["hello", "panic"]).await;
    let admin = app.admin().await;
    admin.get("/admin/hello/index/json").await;
    admin.get("/admin/panic/index/index").await;
    let anonymous = app.browser().get_json("/metrics").await;
    assert_eq!(anonymous.status, 401);
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
    let text = reply.text().await.unwrap();
    for line in [
        "backoffice_plugin_calls_total{plugin=\"hello\",export=\"handle\",outcome=\"ok\"} 1",
        "backoffice_plugin_calls_total{plugin=\"panic\",export=\"handle\",outcome=\"trap\"} 1",
        "backoffice_plugin_call_duration_seconds_count{plugin=\"hello\",export=\"handle\"} 1",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(text.contains("# TYPE backoffice_http_requests_total counter"));
    let email = "viewer@example.com";
    app.user_with_rules(
        email,
        "viewer-password-0001",
        &[("acl", "users", "index", "allow")],
    )
    .await;
    let user = backoffice_tests::fixtures::user_id(&app.db, email)
        .await
        .unwrap();
    let (_, weak) = backoffice::auth::tokens::create(&app.db, user, "weak", 0)
        .await
        .unwrap();
    let denied = reqwest::Client::new()
        .get(format!("{}/metrics", app.base_url()))
        .bearer_auth(&weak)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
}

#[tokio::test]
async fn the_dashboard_shows_plugin_widgets_to_users_allowed_them() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let page = admin.get("/admin").await;
    assert!(page.body.contains("<h2>Greeting</h2>"), "{}", page.body);
    assert!(
        page.body
            .contains("<p class=\"greeting\">Hello, dashboard!</p>"),
        "rendered, not escaped: {}",
        page.body
    );
    let json = admin.get_json("/admin").await.json();
    assert_eq!(json["widgets"][0]["plugin"], "hello");
    assert_eq!(json["widgets"][0]["failed"], false);
    let email = "clerk@example.com";
    app.user_with_rules(
        email,
        "clerk-password-0001",
        &[("dashboard", "*", "*", "allow")],
    )
    .await;
    let clerk = app.signed_in(email, "clerk-password-0001").await;
    let page = clerk.get("/admin").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("Hello, dashboard!"),
        "no rule for hello/widgets/greeting"
    );
}

#[tokio::test]
async fn a_plugin_declaring_a_route_another_serves_is_refused_naming_both() {
    let app = TestApp::with_plugins(&["hello", "impostor"]).await;
    let admin = app.admin().await;
    let page = admin.get_json("/admin/plugins/plugins/index").await.json();
    let ids = loaded_ids(&page);
    assert_eq!(ids, ["hello"], "{page}");
    let failure = page["failures"][0]["message"].as_str().unwrap();
    for named in ["impostor", "POST /hello/echo", "plugin hello"] {
        assert!(failure.contains(named), "{named}: {failure}");
    }
}

/// A plugin at its limit of calls at once is refused with 503 and `Retry-After` (not queued
/// without end), while its running call finishes on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_running_all_the_calls_it_may_gets_503_with_retry_after() {
    let app = TestApp::with_plugins(&["infinite-loop"]).await;
    let admin = app.admin().await;
    let bad = admin
        .submit_json(
            "/admin/plugins/plugins/limits",
            &serde_json::json!({"id": "infinite-loop", "max_calls": "0"}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let set = admin
        .submit_json(
            "/admin/plugins/plugins/limits",
            &serde_json::json!({"id": "infinite-loop", "max_calls": "1", "deadline_ms": "1500"}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["max_calls"], 1);
    let looping = {
        let admin = app.admin().await;
        tokio::spawn(async move { admin.get("/admin/infinite-loop/index/index").await })
    };
    app.eventually(Duration::from_secs(5), "the first call running", || async {
        let listed = admin.get_json("/admin/plugins/plugins/index").await.json();
        listed["plugins"][0]["stats"]["in_flight"] == 1
    })
    .await;
    let refused = admin.get("/admin/infinite-loop/index/index").await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(
        refused
            .headers
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("1")
    );
    assert!(refused.body.contains("busy"), "{}", refused.body);
    assert_eq!(looping.await.unwrap().status, 504);
    let listed = admin.get_json("/admin/plugins/plugins/index").await.json();
    assert_eq!(listed["plugins"][0]["stats"]["refused"], 1);
    assert_eq!(listed["plugins"][0]["stats"]["in_flight"], 0);
}

/// A plugin cannot serve script (or a document) from the shop's origin as a "download".
#[tokio::test]
async fn a_plugin_download_of_an_active_content_type_is_refused() {
    let app = TestApp::with_plugins(&["faulty"]).await;
    let admin = app.admin().await;
    let csv = admin
        .get("/admin/faulty/marks/download?type=text%2Fcsv%3B%20charset%3Dutf-8")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(csv.headers["x-content-type-options"], "nosniff");
    for active in ["application/javascript", "text/html", "text/css"] {
        let path = format!(
            "/admin/faulty/marks/download?type={}",
            active.replace('/', "%2F").replace('+', "%2B")
        );
        let refused = admin.get_json(&path).await;
        assert_eq!(refused.status, 502, "{active}: {}", refused.body);
        assert!(
            refused.body.contains("does not serve from a plugin"),
            "{active}: {}",
            refused.body
        );
    }
}
