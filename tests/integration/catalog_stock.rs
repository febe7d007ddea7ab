//! Catalog stock: warehouses, quantities per SKU and warehouse, availability (shared), the
//! low-stock list and dashboard widget, and reservations from sales events (published here by
//! the `publisher` fixture built as `sales-stand-in`, id `sales`, through the real outbox).

use std::time::Duration;

use backoffice_tests::{Browser, Reply, TestApp};
use serde_json::{Value, json};

use super::catalog::product;

pub(crate) async fn warehouse(admin: &Browser, name: &str) -> String {
    let reply = admin
        .submit_json("/admin/catalog/warehouses/create", &json!({ "name": name }))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["warehouse"]["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn set_stock(admin: &Browser, body: Value) -> Reply {
    admin.submit_json("/admin/catalog/stock/edit", &body).await
}

pub(crate) async fn availability(admin: &Browser, sku: &str) -> Value {
    let reply = admin
        .get_json(&format!("/admin/catalog/stock/edit?sku={sku}"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["availability"].clone()
}

#[tokio::test]
async fn warehouses_are_created_edited_and_deleted_with_unique_names() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let main = warehouse(&admin, "Main").await;
    let duplicate = admin
        .submit_json("/admin/catalog/warehouses/create", &json!({"name": "Main"}))
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.json()["error"], "warehouse Main already exists");
    let blank = admin
        .submit_json("/admin/catalog/warehouses/create", &json!({"name": " "}))
        .await;
    assert_eq!(blank.status, 422);
    assert_eq!(blank.json()["error"], "name is required");

    let created = admin
        .submit(
            "/admin/catalog/warehouses/create",
            &[("name", "Outlet"), ("active", "on")],
        )
        .await;
    assert!(
        created.redirects_to("/admin/catalog/warehouses/index"),
        "{}",
        created.body
    );
    let list = admin
        .get_json("/admin/catalog/warehouses/index")
        .await
        .json();
    let names: Vec<&str> = list["warehouses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Main", "Outlet"]);

    let renamed = admin
        .submit_json(
            "/admin/catalog/warehouses/edit",
            &json!({"id": main, "version": 1, "name": "Central", "active": false}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.json()["warehouse"]["active"], false);
    let stale = admin
        .submit_json(
            "/admin/catalog/warehouses/edit",
            &json!({"id": main, "version": 1, "name": "Other"}),
        )
        .await;
    assert_eq!(stale.status, 409);
    let clash = admin
        .submit_json(
            "/admin/catalog/warehouses/edit",
            &json!({"id": main, "version": 2, "name": "Outlet"}),
        )
        .await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.json()["error"], "warehouse Outlet already exists");

    let page = admin.get("/admin/catalog/warehouses/index").await;
    assert!(page.text().contains("Central"), "{}", page.body);
    let confirm = admin
        .get(&format!("/admin/catalog/warehouses/delete?id={main}"))
        .await;
    assert_eq!(confirm.status, 200);
    let deleted = admin
        .submit_json("/admin/catalog/warehouses/delete", &json!({"id": main}))
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let gone = admin
        .submit_json("/admin/catalog/warehouses/delete", &json!({"id": main}))
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["error"], format!("warehouse {main} not found"));
}

#[tokio::test]
async fn stock_per_warehouse_sums_into_availability_of_active_warehouses() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    product(&admin, "BOX-1", "Box", 500, "active").await;
    product(&admin, "BOX-2", "Big box", 900, "active").await;
    let main = warehouse(&admin, "Main").await;
    let outlet = warehouse(&admin, "Outlet").await;

    let saved = set_stock(
        &admin,
        json!({"sku": "BOX-1", "quantities": {main.clone(): 7, outlet.clone(): 5}}),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        saved.json()["availability"],
        json!({"sku": "BOX-1", "quantity": 12, "reserved": 0, "available": 12, "never_out_of_stock": false})
    );

    // Bad input: nothing of the request is written.
    for (body, status, message) in [
        (
            json!({"sku": "BOX-1", "quantities": {main.clone(): 1, outlet.clone(): -1}}),
            422,
            "quantity must be a non-negative integer".to_owned(),
        ),
        (
            json!({"sku": "BOX-1", "quantities": {main.clone(): 1, "nowhere": 3}}),
            422,
            "warehouse nowhere does not exist".to_owned(),
        ),
        (
            json!({"sku": "NOPE", "quantities": {main.clone(): 1}}),
            404,
            "SKU NOPE not found".to_owned(),
        ),
        (
            json!({"sku": "BOX-1", "quantities": [1, 2]}),
            422,
            "quantities must be an object of warehouse id to quantity".to_owned(),
        ),
        (json!({"quantities": {}}), 400, "sku is required".to_owned()),
    ] {
        let reply = set_stock(&admin, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"], message.as_str(), "{body}");
    }
    assert_eq!(availability(&admin, "BOX-1").await["quantity"], 12);

    // A deactivated warehouse no longer counts; reactivated, it counts again.
    let off = admin
        .submit_json(
            "/admin/catalog/warehouses/edit",
            &json!({"id": outlet, "version": 1, "active": false}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(availability(&admin, "BOX-1").await["available"], 7);

    // The form: quantities per warehouse and the never-out-of-stock checkbox.
    let page = admin.get("/admin/catalog/stock/edit?sku=BOX-2").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(&format!("name=\"quantity.{main}\"")));
    let main_field = format!("quantity.{main}");
    let outlet_field = format!("quantity.{outlet}");
    let form = admin
        .submit(
            "/admin/catalog/stock/edit",
            &[
                ("sku", "BOX-2"),
                (main_field.as_str(), "2"),
                (outlet_field.as_str(), ""),
                ("never_out_of_stock", "on"),
            ],
        )
        .await;
    assert!(
        form.redirects_to("/admin/catalog/stock/edit"),
        "{} {}",
        form.status,
        form.body
    );
    let box2 = availability(&admin, "BOX-2").await;
    assert_eq!(box2["quantity"], 2);
    assert_eq!(box2["never_out_of_stock"], true);
    let bad_form = admin
        .submit(
            "/admin/catalog/stock/edit",
            &[("sku", "BOX-2"), (main_field.as_str(), "-3")],
        )
        .await;
    assert_eq!(bad_form.status, 422);

    // The availability list, and its low-stock filter (never-out-of-stock SKUs are never low).
    let all = admin
        .get_json("/admin/catalog/availability/index")
        .await
        .json();
    assert_eq!(all["total"], 2);
    let low = admin
        .get_json("/admin/catalog/availability/index?low=on&threshold=7")
        .await
        .json();
    let skus: Vec<&str> = low["availability"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["BOX-1"]);
    let none = admin
        .get_json("/admin/catalog/availability/index?low=on")
        .await
        .json();
    assert_eq!(none["total"], 0, "7 available is above the default 5");
    let bad = admin
        .get_json("/admin/catalog/availability/index?threshold=x")
        .await;
    assert_eq!(bad.status, 400);
    let html = admin
        .get("/admin/catalog/availability/index?low=on&threshold=7")
        .await
        .text();
    assert!(html.contains("BOX-1") && !html.contains("BOX-2"), "{html}");

    // Deleting a warehouse removes its stock from availability.
    let deleted = admin
        .submit_json("/admin/catalog/warehouses/delete", &json!({"id": main}))
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json()["skus_updated"], 2);
    assert_eq!(availability(&admin, "BOX-1").await["quantity"], 0);
}

#[tokio::test]
async fn the_low_stock_widget_lists_skus_at_or_under_five() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    product(&admin, "LOW-1", "Low", 100, "active").await;
    product(&admin, "HIGH-1", "High", 100, "active").await;
    let main = warehouse(&admin, "Main").await;
    for (sku, quantity) in [("LOW-1", 3), ("HIGH-1", 50)] {
        let reply = set_stock(
            &admin,
            json!({"sku": sku, "quantities": {main.clone(): quantity}}),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let dashboard = admin.get_json("/admin").await.json();
    let widget = dashboard["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["plugin"] == "catalog" && w["name"] == "low-stock")
        .expect("the low-stock widget")
        .clone();
    assert_eq!(widget["failed"], false, "{widget}");
    let body = widget["body"].as_str().unwrap();
    assert!(
        body.contains("<title>LOW-1: 3</title>")
            && body.contains(r#"<a href="/admin/catalog/stock/edit?sku=LOW-1">"#),
        "{body}"
    );
    assert!(!body.contains("HIGH-1"), "{body}");
}

async fn publish(admin: &Browser, topic: &str, payload: Value) {
    let reply = admin
        .submit_json(
            "/admin/sales/events/publish",
            &json!({"topic": topic, "payload": payload}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Waits until every event delivery has been handled.
async fn delivered(app: &TestApp) {
    app.eventually(Duration::from_secs(10), "all events delivered", || async {
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM event_deliveries WHERE status <> 'delivered'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        pending == 0
    })
    .await;
}

#[tokio::test]
async fn sales_events_reserve_and_release_idempotently() {
    let app = TestApp::with_plugins(&["catalog", "sales-stand-in"]).await;
    let admin = app.admin().await;
    product(&admin, "TEE-1", "Tee", 1500, "active").await;
    let main = warehouse(&admin, "Main").await;
    let reply = set_stock(
        &admin,
        json!({"sku": "TEE-1", "quantities": {main.clone(): 10}}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let order = json!({"order_id": "o-1", "reference": "R-1", "items": [
        {"item_id": 1, "sku": "TEE-1", "quantity": 3},
        {"item_id": 2, "sku": "TEE-1", "quantity": 1},
        {"item_id": 3, "sku": "GONE-1", "quantity": 2}
    ]});
    publish(&admin, "sales.order-placed", order.clone()).await;
    delivered(&app).await;
    let tee = availability(&admin, "TEE-1").await;
    assert_eq!(
        (tee["reserved"].clone(), tee["available"].clone()),
        (json!(4), json!(6))
    );

    // The same order published again (sales retried) reserves nothing more.
    publish(&admin, "sales.order-placed", order).await;
    delivered(&app).await;
    assert_eq!(availability(&admin, "TEE-1").await["reserved"], 4);

    // A redelivery of the very same event (same id) changes nothing either.
    sqlx::query("UPDATE event_deliveries SET status = 'pending', next_attempt_at = 0")
        .execute(app.db.pool())
        .await
        .unwrap();
    delivered(&app).await;
    assert_eq!(availability(&admin, "TEE-1").await["reserved"], 4);

    // Stock changes keep the reservation.
    let reply = set_stock(
        &admin,
        json!({"sku": "TEE-1", "quantities": {main.clone(): 5}}),
    )
    .await;
    assert_eq!(reply.json()["availability"]["available"], 1);

    let release =
        json!({"order_id": "o-1", "items": [{"item_id": 1, "sku": "TEE-1", "quantity": 3}]});
    publish(&admin, "sales.items-released", release.clone()).await;
    publish(&admin, "sales.items-released", release).await;
    delivered(&app).await;
    let tee = availability(&admin, "TEE-1").await;
    assert_eq!(
        (tee["reserved"].clone(), tee["available"].clone()),
        (json!(1), json!(4))
    );

    // A release that arrives before its order: the late order does not reserve that item.
    publish(
        &admin,
        "sales.items-released",
        json!({"order_id": 77, "items": [{"item_id": "a", "sku": "TEE-1", "quantity": 2}]}),
    )
    .await;
    delivered(&app).await;
    publish(
        &admin,
        "sales.order-placed",
        json!({"order_id": 77, "reference": "R-77", "items": [
            {"item_id": "a", "sku": "TEE-1", "quantity": 2},
            {"item_id": "b", "sku": "TEE-1", "quantity": 1}
        ]}),
    )
    .await;
    // A malformed payload is dropped (logged), not retried forever.
    publish(&admin, "sales.order-placed", json!({"items": "nope"})).await;
    delivered(&app).await;
    let tee = availability(&admin, "TEE-1").await;
    assert_eq!(
        (tee["reserved"].clone(), tee["available"].clone()),
        (json!(2), json!(3))
    );
    let gone = admin
        .get_json("/admin/catalog/availability/index?q=GONE")
        .await
        .json();
    assert_eq!(
        gone["availability"][0]["reserved"], 2,
        "an unknown SKU's reservation is still counted"
    );
}

#[tokio::test]
async fn a_user_allowed_to_see_availability_but_not_edit_stock_gets_no_link_and_403() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    product(&admin, "JAR-1", "Jar", 300, "active").await;
    let main = warehouse(&admin, "Main").await;
    let reply = set_stock(&admin, json!({"sku": "JAR-1", "quantities": {"Main": 4}})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json()["warehouses"][0]["quantity"],
        4,
        "a warehouse may be named instead of its id ({main})"
    );
    let password = "viewer-password-0001";
    app.user_with_rules(
        "viewer@example.com",
        password,
        &[("catalog", "availability", "index", "allow")],
    )
    .await;
    let viewer = app.signed_in("viewer@example.com", password).await;
    let list = viewer.get("/admin/catalog/availability/index").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.text().contains("JAR-1"));
    assert!(
        !list.text().contains("/admin/catalog/stock/edit"),
        "{}",
        list.body
    );
    let write = set_stock(&viewer, json!({"sku": "JAR-1", "quantities": {"Main": 0}})).await;
    assert_eq!(write.status, 403);
    assert_eq!(availability(&admin, "JAR-1").await["quantity"], 4);
}

#[tokio::test]
async fn a_plugin_cannot_publish_another_sections_events_and_catalog_checks_the_source() {
    let app = TestApp::with_plugins(&["catalog", "publisher"]).await;
    let admin = app.admin().await;
    let forged = admin
        .submit_json(
            "/admin/publisher/events/publish",
            &json!({"topic": "sales.order-placed", "payload": {"order_id": "x", "items": []}}),
        )
        .await;
    assert_eq!(forged.status, 422, "{}", forged.body);
    assert!(
        forged
            .body
            .contains("plugin publisher publishes only topics publisher."),
        "{}",
        forged.body
    );
    assert_eq!(app.count("events").await, 0, "nothing was published");
    let own = admin
        .submit_json(
            "/admin/publisher/events/publish",
            &json!({"topic": "publisher.thing", "payload": {}}),
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    // An event that reached the outbox another way, under sales' topic from another source,
    // is refused by catalog (and retried, visibly), never applied.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (topic, source, payload, created_at) \
         VALUES ('sales.order-placed', 'publisher', '{\"order_id\":\"x\",\"items\":[]}', 0) RETURNING id",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO event_deliveries (event_id, subscriber, next_attempt_at) VALUES ($1, 'catalog', 0)")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    app.eventually(Duration::from_secs(10), "catalog's refusal", || async {
        let error: String =
            sqlx::query_scalar("SELECT last_error FROM event_deliveries WHERE event_id = $1")
                .bind(id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        error.contains("not from its owner sales")
    })
    .await;
}
