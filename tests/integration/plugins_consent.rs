//! Consent: what a plugin reaches beyond its own data is granted only when the admin approves
//! it. The `reader` fixture reads the customers section's shared customers; its `v2` also reads
//! customer groups. Uploads are never trusted; the test's plugin directory is (it stands in
//! for the first-party build), so the customers section itself serves at once.

use std::sync::Arc;
use std::time::Duration;

use backoffice::AppState;
use backoffice::clock::Clock;

use backoffice_tests::binary;
use backoffice_tests::plugins::fixture;
use backoffice_tests::{Browser, Reply, TestApp};

async fn upload(admin: &Browser, name: &str) -> Reply {
    let bytes = std::fs::read(fixture(name)).unwrap();
    admin
        .upload(
            "/admin/plugins/plugins/upload",
            "file",
            "reader.wasm",
            &bytes,
            "application/json",
        )
        .await
}

#[tokio::test]
async fn an_uploaded_reader_of_customers_waits_for_approval_and_an_upgrade_asking_more_waits_while_the_old_serves()
 {
    let app = TestApp::with_plugins(&["customers"]).await;
    let admin = app.admin().await;

    let uploaded = upload(&admin, "reader").await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.text());
    assert_eq!(uploaded.json()["pending"], true);
    let waiting = admin.get_json("/admin/reader/index/index").await;
    assert_eq!(waiting.status, 503, "{}", waiting.text());
    assert!(waiting.text().contains("approve"), "{}", waiting.text());
    let page = admin.get_json("/admin/plugins/plugins/index").await.json();
    assert_eq!(page["pending"][0]["id"], "reader");
    assert_eq!(
        page["pending"][0]["missing"]["reads"],
        serde_json::json!(["customers/customers"])
    );

    let approved = admin
        .submit("/admin/plugins/plugins/approve", &[("id", "reader")])
        .await;
    assert_eq!(approved.status, 303, "{}", approved.text());
    let serving = admin.get_json("/admin/reader/index/index").await;
    assert_eq!(serving.status, 200, "{}", serving.text());
    assert_eq!(serving.json()["seen"]["customers"], 0);
    assert_eq!(app.audit_of("plugin.approved").await.len(), 1);

    // The upgrade asks for customer groups too: it waits, and 0.1.0 keeps serving.
    let upgrade = upload(&admin, "reader-v2").await;
    assert_eq!(upgrade.json()["pending"], true, "{}", upgrade.text());
    let still = admin.get_json("/admin/reader/index/index").await.json();
    assert_eq!(still["version"], "0.1.0");
    let page = admin.get_json("/admin/plugins/plugins/index").await.json();
    assert_eq!(page["pending"][0]["serving"], "0.1.0");
    assert_eq!(
        page["pending"][0]["missing"]["reads"],
        serde_json::json!(["customers/groups"])
    );

    // A restart (a new host over the same files and database) still serves 0.1.0 and still
    // holds 0.2.0 for approval: the waiting upload is kept in a file of its own.
    let uploads = app.data_dir().join("uploads");
    assert!(uploads.join("reader.pending.wasm").exists());
    let restarted = AppState::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        app.state.settings().clone(),
    )
    .unwrap();
    restarted.plugins().load_all(app.clock.now()).await;
    let registry = restarted.plugins().registry();
    assert_eq!(
        registry.enabled("reader").unwrap().manifest.version,
        "0.1.0"
    );
    assert_eq!(
        registry.pending("reader").unwrap().plugin.manifest.version,
        "0.2.0"
    );
    let approved = admin
        .submit("/admin/plugins/plugins/approve", &[("id", "reader")])
        .await;
    assert_eq!(approved.status, 303, "{}", approved.text());
    let upgraded = admin.get_json("/admin/reader/index/index").await.json();
    assert_eq!(upgraded["version"], "0.2.0");
    // Approved, the waiting file replaces the old one.
    assert!(!uploads.join("reader.pending.wasm").exists());
    assert_eq!(
        std::fs::read(uploads.join("reader.wasm")).unwrap(),
        std::fs::read(fixture("reader-v2")).unwrap()
    );

    // Even asking nothing new, another upload of an installed id is an upgrade that waits for
    // approval (never a silent replacement), and says what it replaces.
    let again = upload(&admin, "reader").await;
    assert_eq!(again.json()["pending"], true, "{}", again.text());
    let message = again.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("It replaces version 0.2.0"), "{message}");
    let still = admin.get_json("/admin/reader/index/index").await.json();
    assert_eq!(still["version"], "0.2.0");
    admin
        .submit("/admin/plugins/plugins/approve", &[("id", "reader")])
        .await;
    let back = admin.get_json("/admin/reader/index/index").await.json();
    assert_eq!(back["version"], "0.1.0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_approves_a_pending_plugin_and_the_serving_host_activates_it() {
    let app = TestApp::with_plugins(&["customers"]).await;
    let admin = app.admin().await;
    assert_eq!(upload(&admin, "reader").await.json()["pending"], true);

    let nothing = binary::run(app.data_dir(), &["plugin", "approve", "nobody"]);
    assert!(!nothing.status.success());
    let done = binary::run(app.data_dir(), &["plugin", "approve", "reader"]);
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{stdout}");
    assert!(stdout.contains("reads customers/customers"), "{stdout}");
    app.eventually(Duration::from_secs(5), "the reader serving", || async {
        admin.get_json("/admin/reader/index/index").await.status == 200
    })
    .await;
}

/// A first-party plugin (from the trusted directory) cannot be replaced by an upload at all
/// (an upload over an uploaded plugin waits for approval: see above).
#[tokio::test]
async fn an_upload_cannot_replace_a_first_party_plugin() {
    let app = TestApp::with_plugins(&["hello"]).await;
    let admin = app.admin().await;
    let hello = std::fs::read(fixture("hello-v2")).unwrap();
    let over_trusted = admin
        .upload(
            "/admin/plugins/plugins/upload",
            "file",
            "hello.wasm",
            &hello,
            "application/json",
        )
        .await;
    assert_eq!(over_trusted.status, 422, "{}", over_trusted.text());
    assert!(
        over_trusted.text().contains("trusted directory"),
        "{}",
        over_trusted.text()
    );
}
