//! Plugin data: one transaction per call, the outbox, read grants, and data surviving a disable.

use std::time::Duration;

use backoffice::clock::Clock;
use backoffice_tests::TestApp;

async fn count(app: &TestApp, table: &str) -> i64 {
    app.count(table).await
}

#[tokio::test]
async fn a_trap_or_failure_after_writes_leaves_no_trace_and_no_event() {
    let app = TestApp::with_plugins(&["faulty"]).await;
    let admin = app.admin().await;
    let trapped = admin
        .submit(
            "/admin/faulty/marks/write-then-trap",
            &[("label", "doomed")],
        )
        .await;
    assert_eq!(trapped.status, 500, "{}", trapped.body);
    let failed = admin
        .submit(
            "/admin/faulty/marks/write-then-fail",
            &[("label", "refused")],
        )
        .await;
    assert_eq!(failed.status, 422);
    assert!(
        failed.body.contains("refused on purpose after writing"),
        "the plugin's message is shown"
    );
    let marks = admin.get_json("/admin/faulty/marks/index").await;
    assert_eq!(marks.json(), serde_json::json!([]), "no mark survived");
    assert_eq!(
        count(&app, "events").await,
        0,
        "no event of a rolled-back call exists"
    );
    assert_eq!(count(&app, "event_deliveries").await, 0);
}

#[tokio::test]
async fn an_event_whose_subscriber_fails_once_is_delivered_on_retry() {
    let app = TestApp::with_plugins(&["faulty"]).await;
    let admin = app.admin().await;
    let written = admin
        .submit_json("/admin/faulty/marks/write", &serde_json::json!({}))
        .await;
    assert_eq!(written.status, 200, "{}", written.body);
    // The first delivery fails on purpose and is scheduled again with backoff.
    app.eventually(
        Duration::from_secs(5),
        "the failed first attempt",
        || async {
            let plugins = admin.get_json("/admin/plugins/plugins/index").await.json();
            plugins["plugins"][0]["events"]["retrying"] == 1
        },
    )
    .await;
    let page = admin.get("/admin/plugins/plugins/index").await;
    assert!(
        page.body.contains("failing the first attempt on purpose"),
        "the failure is visible"
    );
    let marks = admin.get_json("/admin/faulty/marks/index").await.json();
    assert_eq!(marks, serde_json::json!(["mark"]), "nothing delivered yet");
    app.advance(backoffice::plugins::outbox::backoff(1));
    app.eventually(Duration::from_secs(5), "the retry", || async {
        let marks = admin.get_json("/admin/faulty/marks/index").await.json();
        marks == serde_json::json!(["delivered mark on attempt 2", "mark"])
    })
    .await;
    let status: String = sqlx::query_scalar("SELECT status FROM event_deliveries")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "delivered");
}

#[tokio::test]
async fn a_delayed_event_is_delivered_by_the_clock_without_a_request() {
    let app = TestApp::with_plugins(&["faulty"]).await;
    let admin = app.admin().await;
    let scheduled = admin
        .submit(
            "/admin/faulty/marks/write-later",
            &[("label", "alarm"), ("delay", "3600")],
        )
        .await;
    assert_eq!(scheduled.status, 200, "{}", scheduled.body);
    let plugins = admin.get_json("/admin/plugins/plugins/index").await.json();
    assert_eq!(plugins["plugins"][0]["events"]["scheduled"], 1);
    assert_eq!(plugins["plugins"][0]["events"]["pending"], 0);
    // Before the delay has passed, the dispatcher (polling every second) leaves it alone.
    app.advance(3599);
    let due: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM event_deliveries WHERE status = 'pending' AND next_attempt_at <= $1",
    )
    .bind(app.clock.now())
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(due, 0, "not due one second early");
    // (An hour later the first session has timed out.)
    let admin = app.admin().await;
    assert_eq!(
        admin.get_json("/admin/faulty/marks/index").await.json(),
        serde_json::json!([])
    );
    // Once the clock passes it, the delivery happens with no request at all.
    app.advance(1);
    app.eventually(Duration::from_secs(5), "the timer event", || async {
        let marks: Vec<String> = sqlx::query_scalar("SELECT status FROM event_deliveries")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        marks == ["delivered"]
    })
    .await;
    assert_eq!(
        admin.get_json("/admin/faulty/marks/index").await.json(),
        serde_json::json!(["timer alarm"])
    );
    let too_long = admin
        .submit(
            "/admin/faulty/marks/write-later",
            &[("delay", &(367 * 86_400).to_string())],
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("at most"), "{}", too_long.body);
}

#[tokio::test]
async fn reading_another_sections_collection_without_a_grant_is_refused_and_audited() {
    let app = TestApp::with_plugins(&["notes", "ungranted-read"]).await;
    let admin = app.admin().await;
    let created = admin
        .submit_json(
            "/admin/notes/notes/create",
            &serde_json::json!({"title": "secret"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let reply = admin.get_json("/admin/ungranted-read/index/index").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["query"]["error"], "forbidden", "{body}");
    assert_eq!(body["get"]["error"], "forbidden", "{body}");
    assert!(!reply.body.contains("secret"));
    let audited = app.audit_of("storage.forbidden").await;
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert!(audited[0].text().contains("notes/notes"));
}

#[tokio::test]
async fn disabling_keeps_the_data_and_enabling_brings_it_back() {
    let app = TestApp::with_plugins(&["notes"]).await;
    let admin = app.admin().await;
    let created = admin
        .submit_json(
            "/admin/notes/notes/create",
            &serde_json::json!({"title": "keep me"}),
        )
        .await;
    let id = created.json()["note"]["id"].as_str().unwrap().to_owned();
    admin
        .submit("/admin/plugins/plugins/disable", &[("id", "notes")])
        .await;
    assert_eq!(
        admin
            .get(&format!("/admin/notes/notes/show?id={id}"))
            .await
            .status,
        404
    );
    let menu = backoffice_tests::browser::unescape(&admin.get("/admin").await.body);
    assert!(!menu.contains(">Notes<"));
    admin
        .submit("/admin/plugins/plugins/enable", &[("id", "notes")])
        .await;
    let shown = admin
        .get_json(&format!("/admin/notes/notes/show?id={id}"))
        .await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.json()["note"]["title"], "keep me");
}

#[tokio::test]
async fn deliveries_to_a_missing_subscriber_do_not_hold_up_the_others() {
    let app = TestApp::with_plugins(&["faulty"]).await;
    let admin = app.admin().await;
    // More than a batch of due deliveries to a plugin that is not loaded, all older than
    // anything published from now on.
    for n in 0..60 {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO events (topic, source, payload, created_at) \
             VALUES ('ghost.thing', 'ghost', '{}', $1) RETURNING id",
        )
        .bind(app.clock.now() - 100 + n)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO event_deliveries (event_id, subscriber, next_attempt_at) VALUES ($1, 'ghost', $2)",
        )
        .bind(id)
        .bind(app.clock.now() - 100 + n)
        .execute(app.db.pool())
        .await
        .unwrap();
    }
    let scheduled = admin
        .submit(
            "/admin/faulty/marks/write-later",
            &[("label", "through"), ("delay", "0")],
        )
        .await;
    assert_eq!(scheduled.status, 200, "{}", scheduled.body);
    app.eventually(Duration::from_secs(5), "faulty's event", || async {
        admin.get_json("/admin/faulty/marks/index").await.json()
            == serde_json::json!(["timer through"])
    })
    .await;
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM event_deliveries WHERE subscriber = 'ghost' AND status = 'pending'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        waiting, 60,
        "the missing subscriber's deliveries wait for it"
    );
}

#[tokio::test]
async fn delivered_events_are_pruned_after_a_week_and_pending_ones_kept() {
    let app = TestApp::with_plugins(&["faulty"]).await;
    let admin = app.admin().await;
    for (label, delay) in [("now", "0"), ("in a month", "2592000")] {
        let scheduled = admin
            .submit(
                "/admin/faulty/marks/write-later",
                &[("label", label), ("delay", delay)],
            )
            .await;
        assert_eq!(scheduled.status, 200, "{}", scheduled.body);
    }
    app.eventually(Duration::from_secs(5), "the first delivery", || async {
        admin.get_json("/admin/faulty/marks/index").await.json() == serde_json::json!(["timer now"])
    })
    .await;
    assert_eq!(count(&app, "events").await, 2);
    // Eight days later the delivered one is gone.
    app.advance(8 * 86_400);
    app.eventually(Duration::from_secs(5), "the pruning", || async {
        count(&app, "events").await == 1
    })
    .await;
    let left: Vec<String> = sqlx::query_scalar("SELECT status FROM event_deliveries")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(left, ["pending"], "the timer a month out is still owed");
}

#[tokio::test]
async fn one_call_cannot_flood_the_outbox_or_the_audit_log() {
    let app = TestApp::with_plugins(&["faulty"]).await;
    let admin = app.admin().await;
    let flood = |what: &'static str, n: u32| {
        let admin = &admin;
        async move {
            admin
                .submit(
                    "/admin/faulty/marks/flood",
                    &[("what", what), ("n", &n.to_string())],
                )
                .await
        }
    };
    assert_eq!(flood("events", 1000).await.status, 200);
    let refused = flood("events", 1001).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("at most 1000 events"),
        "{}",
        refused.body
    );
    assert_eq!(
        count(&app, "events").await,
        1000,
        "the refused call left nothing"
    );

    let audits = count(&app, "audit_log").await;
    let stopped = flood("audit", 5001).await;
    assert_eq!(stopped.status, 500, "{}", stopped.body);
    assert_eq!(
        count(&app, "audit_log").await,
        audits,
        "rolled back, not half-audited"
    );
}

#[tokio::test]
async fn a_plugin_cannot_schedule_more_timers_than_its_cap() {
    let app = TestApp::with_plugins(&["faulty"]).await;
    let admin = app.admin().await;
    let set = admin
        .submit_json(
            "/admin/plugins/plugins/limits",
            &serde_json::json!({"id": "faulty", "max_timers": "3"}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["max_timers"], 3);
    let schedule = |label: &'static str| {
        let admin = &admin;
        async move {
            admin
                .submit(
                    "/admin/faulty/marks/write-later",
                    &[("label", label), ("delay", "3600")],
                )
                .await
        }
    };
    for label in ["one", "two", "three"] {
        assert_eq!(schedule(label).await.status, 200);
    }
    let refused = schedule("four").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.text().contains("3 scheduled events pending"),
        "{}",
        refused.body
    );
    assert_eq!(
        count(&app, "events").await,
        3,
        "the refused timer wrote nothing"
    );
    // Once they fired, there is room again (counted afresh after the recount interval).
    app.advance(3_600 + 60);
    let admin = app.admin().await; // the first session timed out meanwhile
    app.eventually(Duration::from_secs(5), "the timers fired", || async {
        let marks = admin.get_json("/admin/faulty/marks/index").await.json();
        marks.as_array().map(Vec::len) == Some(3)
    })
    .await;
    let again = admin
        .submit(
            "/admin/faulty/marks/write-later",
            &[("label", "five"), ("delay", "3600")],
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
}
