//! Extension points and contract versions: a section asks others synchronously through the
//! host (`asker` invokes `asker.greetings`; `hello-py` in Python, `provider` in Rust, `panic`
//! and `infinite-loop` provide it), and a plugin built against the frozen contract 0.1 serves
//! beside 0.2 plugins.

use backoffice_tests::TestApp;
use serde_json::Value;

const PROVIDERS: &[&str] = &["asker", "hello-py", "provider", "panic", "infinite-loop"];

/// `(plugin, greeting, error)` of each answer, in the order given.
fn answers(page: &Value) -> Vec<(String, Option<String>, Option<String>)> {
    page["answers"]
        .as_array()
        .unwrap_or_else(|| panic!("no answers in {page}"))
        .iter()
        .map(|a| {
            (
                a["plugin"].as_str().unwrap_or_default().to_owned(),
                a["greeting"].as_str().map(str::to_owned),
                a["error"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invocation_gets_every_providers_answer_in_order_and_failures_as_values() {
    let app = TestApp::with_plugins(PROVIDERS).await;
    let admin = app.admin().await;
    let reply = admin.get_json("/admin/asker/index/index?name=Ann").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let got = answers(&reply.json());
    let order: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    // Ascending priority (5, 10, 30, 40), whatever the language.
    assert_eq!(order, ["hello-py", "provider", "panic", "infinite-loop"]);
    assert_eq!(got[0].1.as_deref(), Some("Hallo, Ann!"));
    assert_eq!(got[1].1.as_deref(), Some("Hello, Ann!"));
    let trapped = got[2].2.as_deref().unwrap_or_default();
    assert!(trapped.contains("crashed"), "{trapped}");
    let looped = got[3].2.as_deref().unwrap_or_default();
    assert!(looped.contains("did not answer within"), "{looped}");

    // The page keeps working with the failing providers, and a disabled provider is not asked.
    let disabled = admin
        .submit("/admin/plugins/plugins/disable", &[("id", "provider")])
        .await;
    assert_eq!(disabled.status, 303);
    let again = admin.get_json("/admin/asker/index/index?name=Bo").await;
    assert_eq!(again.status, 200);
    let order: Vec<String> = answers(&again.json()).into_iter().map(|a| a.0).collect();
    assert_eq!(order, ["hello-py", "panic", "infinite-loop"]);
}

#[tokio::test]
async fn a_provider_reads_but_its_writes_are_refused_with_a_value() {
    let app = TestApp::with_plugins(&["asker", "provider"]).await;
    let admin = app.admin().await;
    let reply = admin.get_json("/admin/asker/index/index?name=Cy").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let got = answers(&reply.json());
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1.as_deref(), Some("Hello, Cy!"));
    // The provider put what its write returned into its answer: a refusal, nothing stored.
    let write = reply.json()["answers"][0]["write"].clone();
    let write = write.as_str().unwrap_or_default();
    assert!(
        write.contains("Forbidden") && write.contains("read-only"),
        "{}",
        reply.text()
    );
    let plugins = admin.get_json("/admin/plugins/plugins/index").await.json();
    let provider = plugins["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "provider")
        .expect("provider listed")
        .clone();
    assert_eq!(provider["manifest"]["contract"], "0.2.0");
    let point = plugins["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["point"] == "asker.greetings")
        .expect("the point is listed")
        .clone();
    assert_eq!(point["owner"], "asker");
    assert_eq!(point["invokers"], serde_json::json!(["asker"]));
    assert_eq!(point["providers"][0]["plugin"], "provider");
    assert_eq!(point["providers"][0]["stats"]["requests"], 1);
}

#[tokio::test]
async fn invoking_a_point_not_in_the_manifest_is_refused_and_audited() {
    let app = TestApp::with_plugins(&["asker", "provider"]).await;
    let admin = app.admin().await;
    let reply = admin.get_json("/admin/asker/index/undeclared").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let refused = reply.json()["refused"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(refused.contains("asker.secrets"), "{refused}");
    let audit = app.audit_of("extensions.forbidden").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].target, "asker.secrets");
}

#[tokio::test]
async fn a_plugin_built_against_the_frozen_0_1_contract_serves_beside_0_2_plugins() {
    let app = TestApp::with_plugins(&["legacy", "hello"]).await;
    let admin = app.admin().await;
    for expected in 1..=2 {
        let reply = admin.get_json("/admin/legacy/visits/index").await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["contract"], "0.1.0");
        assert_eq!(reply.json()["visits"], expected);
    }
    let hello = admin.get_json("/admin/hello/index/json").await;
    assert_eq!(hello.status, 200);
    let plugins = admin.get_json("/admin/plugins/plugins/index").await.json();
    let contract = |id: &str| {
        plugins["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .map(|p| p["manifest"]["contract"].clone())
    };
    assert_eq!(contract("legacy"), Some("0.1.0".into()));
    assert_eq!(contract("hello"), Some("0.2.0".into()));
}
