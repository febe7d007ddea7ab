//! The Back Office side of the sales section (first-party plugin `plugins/sales`) with the real
//! catalog and customers plugins: the order list, its CSV export, the order matrix and the
//! dashboard, address edits, comments, the anonymisation of a customer, and orders an admin
//! places for a customer of the customers section or for a guest. Storefront checkouts and the
//! order process are in `sales.rs`, whose helpers these tests use.

use backoffice_tests::Browser;
use serde_json::{Value, json};

use super::sales::{
    WAIT, address, app, app_with, catalog_reserved, guest_checkout, ok, order, simple_product,
    trigger,
};

#[tokio::test]
async fn orders_are_listed_filtered_searched_paged_exported_and_counted_in_the_matrix() {
    let (app, admin) = app().await;
    simple_product(&admin, "BOOK", "Book", 1200, 100).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let r = guest_checkout(&app, &[("BOOK", 1)], &format!("reader{n}@example.com")).await;
        ids.push(r.json()["order_id"].as_str().unwrap().to_owned());
        app.advance(1); // orders of one second have no order among themselves
    }
    app.advance(2 * 86_400);
    let admin = app.admin().await; // the first session timed out meanwhile
    let later = guest_checkout(&app, &[("BOOK", 2)], "late-reader@example.com").await;
    ids.push(later.json()["order_id"].as_str().unwrap().to_owned());
    assert_eq!(trigger(&admin, &ids[0], "pay", &[]).await.status, 200);

    let all = admin.get_json("/admin/sales/orders/index").await.json();
    let refs: Vec<&str> = all["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        ["SO-000004", "SO-000003", "SO-000002", "SO-000001"],
        "newest first"
    );
    let paid = admin
        .get_json("/admin/sales/orders/index?state=paid")
        .await
        .json();
    assert_eq!(paid["orders"][0]["reference"], "SO-000001");
    assert_eq!(paid["orders"].as_array().unwrap().len(), 1);
    let by_email = admin
        .get_json("/admin/sales/orders/index?q=reader1%40example.com")
        .await
        .json();
    assert_eq!(by_email["orders"][0]["reference"], "SO-000002");
    let by_ref = admin
        .get_json("/admin/sales/orders/index?q=SO-000003")
        .await
        .json();
    assert_eq!(by_ref["orders"][0]["reference"], "SO-000003");
    let first_day = admin
        .get_json("/admin/sales/orders/index?from=2025-01-01&to=2025-01-01")
        .await
        .json();
    assert_eq!(first_day["orders"].as_array().unwrap().len(), 3);
    let usd = admin
        .get_json("/admin/sales/orders/index?currency=USD")
        .await
        .json();
    assert_eq!(usd["orders"], json!([]));
    let no_customers = admin.get_json("/admin/sales/orders/create?find=Ann").await;
    assert_eq!(no_customers.status, 422, "{}", no_customers.body);
    assert!(
        no_customers.json()["error"]
            .as_str()
            .unwrap()
            .ends_with("is the customers section installed?"),
        "{}",
        no_customers.body
    );
    let bad = admin
        .get_json("/admin/sales/orders/index?from=2025-13-01")
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"], "from must be a date YYYY-MM-DD");

    let csv = admin
        .get("/admin/sales/orders/export?state=payment_pending")
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    assert!(text.starts_with("reference,created,email"), "{text}");
    assert_eq!(text.lines().count(), 1 + 3, "{text}");
    assert!(
        text.contains("SO-000004,2025-01-03 00:00,late-reader@example.com"),
        "{text}"
    );

    let matrix = admin.get_json("/admin/sales/orders/matrix").await.json();
    let rows = matrix["processes"][0]["rows"].as_array().unwrap();
    let pending = rows
        .iter()
        .find(|r| r["state"] == "payment_pending")
        .unwrap();
    assert_eq!(pending["day"]["count"], 1);
    assert_eq!(pending["week"]["count"], 2);
    assert_eq!(pending["older"]["count"], 0);
    assert_eq!(pending["total"]["count"], 3);
    let paid_row = rows.iter().find(|r| r["state"] == "paid").unwrap();
    assert_eq!(paid_row["week"]["count"], 1);
    let link = pending["week"]["link"].as_str().unwrap();
    let linked = admin.get_json(link).await.json();
    assert_eq!(linked["orders"].as_array().unwrap().len(), 2, "{link}");
    // A week after placement the paid order (no timeout in its state) counts as older.
    app.advance(5 * 86_400);
    let admin = app.admin().await;
    let matrix = admin.get_json("/admin/sales/orders/matrix").await.json();
    let rows = matrix["processes"][0]["rows"].as_array().unwrap();
    let paid_row = rows.iter().find(|r| r["state"] == "paid").unwrap();
    assert_eq!(
        (
            paid_row["week"]["count"].as_i64(),
            paid_row["older"]["count"].as_i64()
        ),
        (Some(0), Some(1))
    );

    // The dashboard draws its widgets as SVG charts: units per product, orders per state
    // (each bar linking to the list of that state), orders per day.
    let dashboard = admin.get("/admin").await.text();
    assert!(
        dashboard.contains("Top products") && dashboard.contains("<title>Book: 5</title>"),
        "{dashboard}"
    );
    assert!(
        dashboard
            .contains(r#"<a href="/admin/sales/orders/index?state=paid"><rect class="chart-bar""#),
        "{dashboard}"
    );
    assert!(
        dashboard.contains(r#"<svg class="chart chart-vertical""#)
            && dashboard.contains("Orders per day, last 7 days"),
        "{dashboard}"
    );
}

#[tokio::test]
async fn addresses_are_edited_comments_added_and_an_anonymised_customer_loses_them() {
    let (app, admin) = app_with(&["catalog", "customers", "sales"]).await;
    simple_product(&admin, "CUP", "Cup", 800, 10).await;
    let bob = ok(
        &admin,
        "/admin/customers/customers/create",
        json!({"email": "bob@example.com", "first_name": "Bob", "last_name": "Stone"}),
    )
    .await["customer"]
        .clone();
    let account = bob["customer_id"].as_i64().unwrap().to_string();
    let assisted = admin
        .submit(
            "/admin/sales/orders/create",
            &[
                ("customer", bob["id"].as_str().unwrap()),
                ("items", "CUP 2\n"),
                ("billing_first_name", "Bob"),
                ("billing_last_name", "Stone"),
                ("billing_street", "High St"),
                ("billing_zip", "1000"),
                ("billing_city", "Vienna"),
                ("billing_country", "AT"),
                ("shipping_same", "on"),
                ("shipment", "flat"),
            ],
        )
        .await;
    assert_eq!(assisted.status, 303, "{}", assisted.body);
    let id = assisted
        .location()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    let o = order(&admin, &id).await;
    assert_eq!(o["order"]["placed_by"], "admin@example.com");
    assert_eq!(o["order"]["customer_id"].to_string(), account);

    let missing_city = admin
        .submit_json(
            "/admin/sales/orders/address",
            &json!({"id": id, "which": "shipping", "version": o["version"].to_string(),
                    "address": {"first_name": "Bob", "last_name": "Stone", "street": "x", "zip": "1", "country": "AT"}}),
        )
        .await;
    assert_eq!(missing_city.status, 422);
    assert_eq!(missing_city.json()["error"], "shipping.city is required");
    let edited = admin
        .submit(
            "/admin/sales/orders/address",
            &[
                ("id", &id),
                ("which", "shipping"),
                ("version", &o["version"].to_string()),
                ("address_first_name", "Bob"),
                ("address_last_name", "Stone"),
                ("address_street", "Ring"),
                ("address_zip", "1010"),
                ("address_city", "Vienna"),
                ("address_country", "at"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let stale = admin
        .submit(
            "/admin/sales/orders/address",
            &[
                ("id", &id),
                ("which", "billing"),
                ("version", &o["version"].to_string()),
                ("address_first_name", "X"),
                ("address_last_name", "Y"),
                ("address_street", "Z"),
                ("address_zip", "1"),
                ("address_city", "C"),
                ("address_country", "AT"),
            ],
        )
        .await;
    assert_eq!(
        stale.status, 409,
        "an edit based on an old version is refused"
    );
    let commented = admin
        .submit(
            "/admin/sales/orders/comment",
            &[("id", &id), ("text", "Customer called <b>twice</b>")],
        )
        .await;
    assert_eq!(commented.status, 303);
    let page = admin
        .get(&format!("/admin/sales/orders/show?id={id}"))
        .await
        .body;
    assert!(
        page.contains("Customer called &lt;b&gt;twice&lt;&#x2f;b&gt;"),
        "escaped: {page}"
    );
    assert!(page.contains("Ring"));
    let form = admin
        .get(&format!(
            "/admin/sales/orders/address?id={id}&which=shipping"
        ))
        .await
        .text();
    assert!(
        form.contains("name=\"address_street\" value=\"Ring\""),
        "{form}"
    );

    // The customers section anonymises Bob and announces it; sales follows.
    ok(
        &admin,
        "/admin/customers/customers/anonymise",
        json!({"id": bob["id"]}),
    )
    .await;
    app.eventually(WAIT, "the anonymisation", || async {
        let o = admin
            .get_json(&format!("/admin/sales/orders/show?id={id}"))
            .await
            .json();
        o["order"]["anonymised"] == true
    })
    .await;
    let o = order(&admin, &id).await;
    assert_eq!(o["order"]["shipping"]["street"], "anonymised");
    assert_eq!(o["order"]["billing"]["first_name"], "anonymised");
    assert_eq!(o["order"]["shipping"]["country"], "AT");
    assert_eq!(o["order"]["email"], format!("anonymised-{account}@invalid"));
    let listed = admin
        .get_json(&format!("/admin/sales/orders/index?customer={account}"))
        .await
        .json();
    assert_eq!(
        listed["orders"][0]["email"],
        format!("anonymised-{account}@invalid"),
        "the list row follows the order"
    );
    let searched = admin
        .get_json("/admin/sales/orders/index?q=bob%40example.com")
        .await
        .json();
    assert_eq!(searched["orders"], json!([]), "the old email is not found");
}

/// Adds an address to a customer of the customers section.
async fn customer_address(admin: &Browser, reference: &str, street: &str, extra: Value) {
    let mut body = json!({"customer": reference, "first_name": "Carla", "last_name": "Diaz",
                          "street": street, "zip": "20095", "city": "Hamburg", "country": "de"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    ok(admin, "/admin/customers/addresses/create", body).await;
}

#[tokio::test]
async fn an_admin_orders_for_a_customer_picked_from_the_customers_section_or_for_a_guest() {
    let (app, admin) = app_with(&["catalog", "customers", "sales"]).await;
    simple_product(&admin, "VASE", "Vase", 2500, 10).await;
    let carla = ok(
        &admin,
        "/admin/customers/customers/create",
        json!({"email": "carla@example.com", "first_name": "Carla", "last_name": "Diaz"}),
    )
    .await["customer"]
        .clone();
    let reference = carla["id"].as_str().unwrap();
    // The first address is the default for both; the second takes over shipping.
    customer_address(&admin, reference, "Home Street", json!({})).await;
    customer_address(
        &admin,
        reference,
        "Office Street",
        json!({"company": "Diaz GmbH", "default_shipping": true}),
    )
    .await;

    // Search, pick, and the form comes prefilled with the default addresses.
    let found = admin
        .get_json("/admin/sales/orders/create?find=Diaz")
        .await
        .json();
    assert_eq!(found["matches"][0]["reference"], reference, "{found}");
    assert_eq!(found["matches"][0]["email"], "carla@example.com");
    let none = admin
        .get("/admin/sales/orders/create?find=Nobody")
        .await
        .text();
    assert!(none.contains("No customer matches “Nobody”"), "{none}");
    let picked = admin
        .get_json(&format!("/admin/sales/orders/create?customer={reference}"))
        .await
        .json();
    assert_eq!(picked["picked"]["name"], "Carla Diaz");
    assert_eq!(picked["billing"]["street"], "Home Street");
    assert_eq!(picked["shipping"]["street"], "Office Street");
    assert_eq!(picked["shipping"]["company"], "Diaz GmbH");
    let form = admin
        .get(&format!("/admin/sales/orders/create?customer={reference}"))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let html = form.text();
    assert!(
        html.contains(&format!("name=\"customer\" value=\"{reference}\"")),
        "{html}"
    );
    assert!(
        html.contains("name=\"billing_street\" value=\"Home Street\"")
            && html.contains("name=\"shipping_street\" value=\"Office Street\""),
        "{html}"
    );
    assert!(
        !html.contains("name=\"email\""),
        "the customer's email is not typed"
    );

    // The form as the browser sends it back: the order is the customer's.
    let placed = admin
        .submit(
            "/admin/sales/orders/create",
            &[
                ("customer", reference),
                ("items", "VASE 2"),
                ("billing_first_name", "Carla"),
                ("billing_last_name", "Diaz"),
                ("billing_street", "Home Street"),
                ("billing_zip", "20095"),
                ("billing_city", "Hamburg"),
                ("billing_country", "DE"),
                ("shipping_first_name", "Carla"),
                ("shipping_last_name", "Diaz"),
                ("shipping_company", "Diaz GmbH"),
                ("shipping_street", "Office Street"),
                ("shipping_zip", "20095"),
                ("shipping_city", "Hamburg"),
                ("shipping_country", "DE"),
                ("shipment", "flat"),
                ("payment", "invoice"),
            ],
        )
        .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let id = placed.location().unwrap().rsplit('=').next().unwrap();
    let o = order(&admin, id).await;
    assert_eq!(o["order"]["email"], "carla@example.com");
    assert_eq!(o["order"]["customer_id"], carla["customer_id"]);
    assert_eq!(o["order"]["placed_by"], "admin@example.com");
    assert_eq!(o["order"]["billing"]["street"], "Home Street");
    assert_eq!(o["order"]["shipping"]["street"], "Office Street");
    let theirs = admin
        .get_json(&format!(
            "/admin/sales/orders/index?customer={}",
            carla["customer_id"]
        ))
        .await
        .json();
    assert_eq!(theirs["orders"][0]["id"], id);
    catalog_reserved(&app, &admin, "VASE", 2).await;

    // A guest's order is typed: email and address, no customer account.
    let guest = admin
        .submit_json(
            "/admin/sales/orders/create",
            &json!({"email": "walk-in@example.com", "items": [{"sku": "VASE", "quantity": 1}],
                    "billing": address("Walker")}),
        )
        .await;
    assert_eq!(guest.status, 200, "{}", guest.body);
    assert_eq!(guest.json()["order"]["customer_id"], Value::Null);
    assert_eq!(guest.json()["order"]["email"], "walk-in@example.com");
    let no_email = admin
        .submit_json(
            "/admin/sales/orders/create",
            &json!({"items": [{"sku": "VASE", "quantity": 1}], "billing": address("Walker")}),
        )
        .await;
    assert_eq!(no_email.status, 422);
    assert_eq!(no_email.json()["error"], "email must be an email address");

    // Customers who cannot be ordered for are refused by name, nothing is placed.
    let unknown = admin
        .submit_json(
            "/admin/sales/orders/create",
            &json!({"customer": "CU-NOPE", "items": [{"sku": "VASE", "quantity": 1}], "billing": address("X")}),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"], "customer CU-NOPE not found");
    ok(
        &admin,
        "/admin/customers/customers/block",
        json!({"id": reference}),
    )
    .await;
    let blocked = admin
        .submit_json(
            "/admin/sales/orders/create",
            &json!({"customer": reference, "items": [{"sku": "VASE", "quantity": 1}], "billing": address("X")}),
        )
        .await;
    assert_eq!(blocked.status, 409);
    assert_eq!(
        blocked.json()["error"],
        format!("customer {reference} is blocked and cannot be ordered for")
    );
    let list = admin.get_json("/admin/sales/orders/index").await.json();
    assert_eq!(list["orders"].as_array().unwrap().len(), 2);
}
