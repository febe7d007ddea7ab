//! The same "notes" section written in Rust and in JavaScript (componentize-js) must answer the
//! same requests identically: one script, run against each, compared response by response.

use backoffice_tests::{Browser, TestApp};
use serde_json::{Value, json};

/// One step's outcome with host-generated ids and cursors replaced by stable placeholders.
type Transcript = Vec<(String, u16, Value)>;

struct Run<'a> {
    app: &'a TestApp,
    admin: Browser,
    ids: Vec<String>,
    out: Transcript,
}

impl Run<'_> {
    fn normalise(&self, value: Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.ids.iter().enumerate().fold(s, |s, (i, id)| {
                s.replace(id.as_str(), &format!("<id{}>", i + 1))
            })),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.normalise(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = if k == "next" && v.is_string() {
                            json!("<cursor>")
                        } else {
                            self.normalise(v)
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    fn record(&mut self, step: &str, status: u16, body: Value) {
        let body = self.normalise(body);
        self.out.push((step.to_owned(), status, body));
    }

    async fn get(&mut self, step: &str, path: &str) -> Value {
        let reply = self.admin.get_json(path).await;
        let body = serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body.clone()));
        self.record(step, reply.status, body.clone());
        body
    }

    async fn post(&mut self, step: &str, path: &str, body: Value) -> Value {
        let reply = self.admin.submit_json(path, &body).await;
        let body: Value =
            serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body.clone()));
        if let Some(id) = body["note"]["id"].as_str()
            && !self.ids.iter().any(|known| known == id)
        {
            self.ids.push(id.to_owned());
        }
        self.record(step, reply.status, body.clone());
        // Notes are ordered by creation time: give each its own second.
        self.app.advance(1);
        body
    }

    async fn form(&mut self, step: &str, path: &str, fields: &[(&str, &str)]) {
        let reply = self.admin.submit(path, fields).await;
        if let Some((_, id)) = reply.location().and_then(|l| l.split_once("id=")) {
            self.ids.push(id.to_owned());
        }
        let location = reply
            .location()
            .map(|l| self.normalise(Value::String(l.to_owned())));
        self.record(step, reply.status, json!({ "location": location }));
    }
}

async fn script(fixture: &str) -> Transcript {
    let app = TestApp::with_plugins(&[fixture]).await;
    let admin = app.admin().await;
    let mut run = Run {
        app: &app,
        admin,
        ids: Vec::new(),
        out: Vec::new(),
    };
    let base = "/admin/notes/notes";
    run.post(
        "create first",
        &format!("{base}/create"),
        json!({"title": "First", "body": "alpha beta", "pinned": true}),
    )
    .await;
    run.post(
        "create second",
        &format!("{base}/create"),
        json!({"title": "  Second  ", "body": "beta gamma"}),
    )
    .await;
    run.post(
        "create third",
        &format!("{base}/create"),
        json!({"title": "Third <b>", "pinned": false}),
    )
    .await;
    run.post(
        "create fourth",
        &format!("{base}/create"),
        json!({"title": "Fourth", "body": "delta"}),
    )
    .await;
    run.post(
        "missing title",
        &format!("{base}/create"),
        json!({"body": "x"}),
    )
    .await;
    run.post(
        "long title",
        &format!("{base}/create"),
        json!({"title": "x".repeat(201)}),
    )
    .await;
    run.post("wrong type", &format!("{base}/create"), json!({"title": 5}))
        .await;
    run.post("not an object", &format!("{base}/create"), json!([1, 2]))
        .await;
    run.get("list", &format!("{base}/index")).await;
    run.get("search", &format!("{base}/index?q=beta")).await;
    run.get("pinned", &format!("{base}/index?pinned=true"))
        .await;
    let page = run.get("page 1", &format!("{base}/index?limit=2")).await;
    let cursor = page["next"].as_str().expect("a next cursor").to_owned();
    run.get("page 2", &format!("{base}/index?limit=2&after={cursor}"))
        .await;
    run.get("bad limit", &format!("{base}/index?limit=0")).await;
    run.get("bad cursor", &format!("{base}/index?after=nonsense"))
        .await;
    let first = run.ids[0].clone();
    let third = run.ids[2].clone();
    run.get("show", &format!("{base}/show?id={first}")).await;
    run.get("show missing", &format!("{base}/show?id=missing"))
        .await;
    run.get("show without id", &format!("{base}/show")).await;
    run.post(
        "edit",
        &format!("{base}/edit"),
        json!({"id": first, "title": "First, edited", "body": "", "pinned": false}),
    )
    .await;
    run.get("edit form", &format!("{base}/edit?id={first}"))
        .await;
    run.post("delete", &format!("{base}/delete"), json!({"id": third}))
        .await;
    run.post(
        "delete again",
        &format!("{base}/delete"),
        json!({"id": third}),
    )
    .await;
    run.get("unknown action", &format!("{base}/nothing")).await;
    run.form(
        "create by form",
        &format!("{base}/create"),
        &[("title", "From a form"), ("pinned", "on")],
    )
    .await;
    run.get("list at the end", &format!("{base}/index")).await;
    let events: Vec<String> = sqlx::query_scalar("SELECT payload FROM events ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let events: Vec<Value> = events
        .iter()
        .map(|p| run.normalise(serde_json::from_str(p).unwrap()))
        .collect();
    run.out
        .push(("published events".into(), 0, Value::Array(events)));
    run.out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_in_rust_and_in_javascript_answer_identically() {
    let rust = script("notes").await;
    let javascript = script("notes-js").await;
    assert_eq!(rust.len(), javascript.len());
    for (r, j) in rust.iter().zip(&javascript) {
        assert_eq!(r, j, "step {:?} differs", r.0);
    }
    // And the script did exercise success and failure paths.
    let statuses: Vec<u16> = rust.iter().map(|s| s.1).collect();
    for expected in [200, 303, 400, 404, 422] {
        assert!(
            statuses.contains(&expected),
            "no step answered {expected}: {statuses:?}"
        );
    }
}
