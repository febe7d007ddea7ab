//! Plugin lifecycle: hot reload under load, uploads, enable/disable from the page and the CLI.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use backoffice::cli::{self, Cli, Command, PluginCommand};
use backoffice_tests::TestApp;
use backoffice_tests::plugins::fixture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_plugin_under_load_fails_no_request_and_serves_the_new_version_within_a_second()
{
    let app = TestApp::with_plugins(&["hello"]).await;
    let client = Arc::new(app.admin().await);
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicUsize::new(0));
    let load = {
        let (client, stop, failures, sent) =
            (client.clone(), stop.clone(), failures.clone(), sent.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let reply = client.get("/admin/hello/index/json").await;
                sent.fetch_add(1, Ordering::Relaxed);
                if reply.status != 200 {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    app.eventually(Duration::from_secs(5), "requests flowing", || {
        let sent = sent.clone();
        async move { sent.load(Ordering::Relaxed) > 20 }
    })
    .await;
    // Overwrite in place, as `cp` does: the watcher may see a half-written file first.
    std::fs::copy(fixture("hello-v2"), app.plugin_dir().join("hello.wasm")).unwrap();
    let written = Instant::now();
    app.eventually(Duration::from_secs(5), "the new version answering", || {
        let client = client.clone();
        async move {
            client.get("/admin/hello/index/json").await.json()["greeting"] == "Hello again, world!"
        }
    })
    .await;
    let switched = written.elapsed();
    let before = sent.load(Ordering::Relaxed);
    app.eventually(
        Duration::from_secs(5),
        "more requests on the new version",
        || {
            let sent = sent.clone();
            async move { sent.load(Ordering::Relaxed) > before + 20 }
        },
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "of {} requests",
        sent.load(Ordering::Relaxed)
    );
    assert!(
        switched < Duration::from_secs(1),
        "new version answered after {switched:?}"
    );
    let plugins = client.get_json("/admin/plugins/plugins/index").await.json();
    assert_eq!(plugins["plugins"][0]["version"], "0.2.0");
}

#[tokio::test]
async fn a_corrupt_replacement_keeps_the_old_version_serving_and_shows_the_error() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let path = app.plugin_dir().join("hello.wasm");
    let mut corrupt = std::fs::read(&path).unwrap();
    corrupt.truncate(corrupt.len() / 2);
    std::fs::write(&path, corrupt).unwrap();
    app.eventually(Duration::from_secs(5), "the load failure on the Plugins page", || {
        let admin = &admin;
        async move { admin.get_json("/admin/plugins/plugins/index").await.json()["plugins"][0]["last_error"].is_object() }
    })
    .await;
    let reply = admin.get("/admin/hello/index/json").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["greeting"], "Hello, world!");
    let page = admin.get("/admin/plugins/plugins/index").await;
    assert!(
        page.body.contains("this version keeps serving"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn upload_installs_a_valid_component_and_refuses_a_broken_one() {
    let app = TestApp::with_plugins(&[]).await;
    let admin = app.admin().await;
    let page = admin.get("/admin/plugins/plugins/index").await;
    assert!(
        page.body.contains("enctype=\"multipart/form-data\""),
        "the page offers an upload form"
    );

    let broken = std::fs::read(fixture("broken-manifest")).unwrap();
    let refused = admin
        .upload(
            "/admin/plugins/plugins/upload",
            "file",
            "broken.wasm",
            &broken,
            "application/json",
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("Bad Id!")
    );
    let junk = admin
        .upload(
            "/admin/plugins/plugins/upload",
            "file",
            "x.wasm",
            b"MZ not wasm",
            "application/json",
        )
        .await;
    assert_eq!(junk.status, 422);
    assert!(
        junk.json()["error"]
            .as_str()
            .unwrap()
            .contains("not WebAssembly")
    );
    assert!(
        !app.data_dir()
            .join("uploads")
            .join("broken-manifest.wasm")
            .exists()
    );

    let hello = std::fs::read(fixture("hello")).unwrap();
    let done = admin
        .upload(
            "/admin/plugins/plugins/upload",
            "file",
            "hello.wasm",
            &hello,
            "text/html",
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(app.data_dir().join("uploads").join("hello.wasm").exists());
    assert_eq!(admin.get("/admin/hello/index/json").await.status, 200);
    assert_eq!(app.audit_of("plugin.uploaded").await.len(), 1);

    let no_token = admin
        .send(
            admin
                .request(reqwest::Method::POST, "/admin/plugins/plugins/upload")
                .header("content-type", "multipart/form-data; boundary=x")
                .body("--x--"),
        )
        .await;
    assert_eq!(no_token.status, 403, "uploads need the CSRF token");
}

#[tokio::test]
async fn disabling_hides_the_section_and_enabling_brings_it_back() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let disabled = admin
        .submit("/admin/plugins/plugins/disable", &[("id", "hello")])
        .await;
    assert_eq!(disabled.status, 303);
    let gone = admin.get("/admin/hello/index/index").await;
    assert_eq!(gone.status, 404);
    assert!(
        gone.body.contains("disabled"),
        "the page explains: {}",
        gone.body
    );
    let menu = backoffice_tests::browser::unescape(&admin.get("/admin").await.body);
    assert!(
        !menu.contains("/admin/hello/"),
        "no menu entry while disabled"
    );
    let enabled = admin
        .submit("/admin/plugins/plugins/enable", &[("id", "hello")])
        .await;
    assert_eq!(enabled.status, 303);
    assert_eq!(admin.get("/admin/hello/index/json").await.status, 200);
    assert_eq!(app.audit_of("plugin.disabled").await.len(), 1);
    assert_eq!(app.audit_of("plugin.enabled").await.len(), 1);
    let unknown = admin
        .submit_json(
            "/admin/plugins/plugins/disable",
            &serde_json::json!({"id": "nope"}),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_cli_disables_a_plugin_of_a_running_host() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let run = |command| Cli {
        data: app.data_dir().to_owned(),
        database: None,
        log_format: Default::default(),
        command,
    };
    cli::run(run(Command::Plugin(PluginCommand::Disable {
        id: "hello".into(),
    })))
    .await
    .unwrap();
    app.eventually(
        Duration::from_secs(5),
        "the host to see the CLI's change",
        || {
            let admin = &admin;
            async move { admin.get("/admin/hello/index/json").await.status == 404 }
        },
    )
    .await;
    cli::run(run(Command::Plugin(PluginCommand::Enable {
        id: "hello".into(),
    })))
    .await
    .unwrap();
    app.eventually(
        Duration::from_secs(5),
        "the host to see the CLI's change",
        || {
            let admin = &admin;
            async move { admin.get("/admin/hello/index/json").await.status == 200 }
        },
    )
    .await;
    let missing = cli::run(run(Command::Plugin(PluginCommand::Enable {
        id: "nope".into(),
    })))
    .await;
    assert!(
        missing
            .unwrap_err()
            .to_string()
            .contains("no plugin \"nope\"")
    );
}

/// The Plugins page's count of content changes the watcher saw for plugin `id`'s file.
async fn file_changes(admin: &backoffice_tests::Browser, id: &str) -> Option<u64> {
    let page = admin.get_json("/admin/plugins/plugins/index").await.json();
    page["plugins"]
        .as_array()?
        .iter()
        .find(|p| p["id"] == id)
        .and_then(|p| p["file_changes"].as_u64())
}

/// Copies fixture `name` into the plugin directory and waits until it is loaded. The watcher
/// handles changes in order and counts each batch before loading any of it, so once this
/// sentinel is loaded, every change noticed before its copy has been counted. (The wait asks
/// the registry, not the page: cheap enough not to slow the tests running beside it.)
async fn sentinel(app: &TestApp, name: &str) {
    std::fs::copy(fixture(name), app.plugin_dir().join(format!("{name}.wasm"))).unwrap();
    let registry = app.state.plugins().registry().clone();
    app.eventually(
        Duration::from_secs(10),
        "the sentinel plugin loaded",
        || {
            let loaded = registry.get(name).is_some();
            async move { loaded }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_plugin_file_never_reloads_it_and_a_new_version_reloads_it_exactly_once() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let hello = app.plugin_dir().join("hello.wasm");
    // What `cat`, a backup, a checksum or another host loading the directory do.
    for _ in 0..20 {
        std::fs::read(&hello).unwrap();
    }
    sentinel(&app, "panic").await;
    assert_eq!(file_changes(&admin, "hello").await, Some(0));

    std::fs::write(&hello, std::fs::read(fixture("hello-v2")).unwrap()).unwrap();
    app.eventually(
        Duration::from_secs(10),
        "the new version serving",
        || async {
            admin.get("/admin/hello/index/json").await.json()["greeting"] == "Hello again, world!"
        },
    )
    .await;
    // The reload's own read of the file must not start another one.
    sentinel(&app, "infinite-loop").await;
    assert_eq!(file_changes(&admin, "hello").await, Some(1));
}
