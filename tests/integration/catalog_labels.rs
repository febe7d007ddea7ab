//! Catalog labels and options: CRUD through JSON and forms, assignment to products (stored on
//! the product as `label_ids` / `option_group_ids`), validity and exclusivity of labels.

use backoffice_tests::{Browser, TestApp};
use serde_json::{Value, json};

use super::catalog::product;

async fn create_label(admin: &Browser, body: Value) -> Value {
    let reply = admin
        .submit_json("/admin/catalog/labels/create", &body)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

async fn shown(admin: &Browser, id: &Value) -> Value {
    admin
        .get_json(&format!(
            "/admin/catalog/products/show?id={}",
            id.as_str().unwrap()
        ))
        .await
        .json()["product"]
        .clone()
}

async fn preview(admin: &Browser, sku: &str, date: &str) -> Vec<String> {
    let reply = admin
        .get_json(&format!(
            "/admin/catalog/labels/preview?sku={sku}&date={date}"
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn labels_are_assigned_to_products_and_shown_by_validity_and_exclusivity() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let shoe = product(&admin, "SHOE-1", "Shoe", 5000, "active").await;
    let boot = product(&admin, "BOOT-1", "Boot", 7000, "active").await;

    let new = create_label(
        &admin,
        json!({"name": "New", "priority": 5, "texts": {"en": "New", "de": "Neu"},
               "skus": ["SHOE-1", "BOOT-1"]}),
    )
    .await;
    assert_eq!(new["skus"], json!(["BOOT-1", "SHOE-1"]));
    assert_eq!(new["label"]["active"], true);
    let new_id = new["label"]["id"].clone();
    let sale = create_label(
        &admin,
        json!({"name": "Sale", "priority": 10, "exclusive": true, "text": "Sale",
               "valid_from": "2025-01-10", "valid_to": "2025-01-20", "skus": ["SHOE-1"]}),
    )
    .await;
    let sale_id = sale["label"]["id"].clone();
    create_label(
        &admin,
        json!({"name": "Top", "priority": 20, "skus": ["SHOE-1"]}),
    )
    .await;
    create_label(
        &admin,
        json!({"name": "Hidden", "priority": 99, "active": false, "skus": ["SHOE-1"]}),
    )
    .await;

    let shoe_now = shown(&admin, &shoe["id"]).await;
    assert_eq!(shoe_now["label_ids"].as_array().unwrap().len(), 4);
    assert_eq!(
        shown(&admin, &boot["id"]).await["label_ids"],
        json!([new_id])
    );

    // Before the sale: every active label, highest priority first.
    assert_eq!(
        preview(&admin, "SHOE-1", "2025-01-09").await,
        ["Top", "New"]
    );
    // During the sale the exclusive label shows alone (first and last day included).
    assert_eq!(preview(&admin, "SHOE-1", "2025-01-10").await, ["Sale"]);
    assert_eq!(preview(&admin, "SHOE-1", "2025-01-20").await, ["Sale"]);
    assert_eq!(
        preview(&admin, "SHOE-1", "2025-01-21").await,
        ["Top", "New"]
    );
    // Without a date: today by the app's clock (2025-01-01), then moved into the sale.
    let today = admin
        .get_json("/admin/catalog/labels/preview?sku=SHOE-1")
        .await
        .json();
    assert_eq!(today["date"], "2025-01-01");
    app.advance(12 * 86_400);
    let admin = app.admin().await; // the old session expired meanwhile
    let later = admin
        .get_json("/admin/catalog/labels/preview?sku=SHOE-1")
        .await
        .json();
    assert_eq!(later["date"], "2025-01-13");
    assert_eq!(later["labels"][0]["name"], "Sale");

    // Reassigning through the edit: BOOT-1 loses "New", SHOE-1 keeps it.
    let edited = admin
        .submit_json(
            "/admin/catalog/labels/edit",
            &json!({"id": new_id, "version": 1, "skus": ["SHOE-1"], "priority": 30}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.json()["skus"], json!(["SHOE-1"]));
    assert_eq!(shown(&admin, &boot["id"]).await["label_ids"], json!([]));
    assert_eq!(
        preview(&admin, "SHOE-1", "2025-01-09").await,
        ["New", "Top"]
    );

    // Bad input: nothing half-written.
    for (body, status, message) in [
        (json!({"name": "New"}), 409, "label New already exists"),
        (json!({"priority": 1}), 422, "name is required"),
        (
            json!({"name": "X", "valid_from": "2025-02-30"}),
            422,
            "valid_from must be a date (YYYY-MM-DD)",
        ),
        (
            json!({"name": "X", "valid_from": "2025-03-01", "valid_to": "2025-02-01"}),
            422,
            "valid_from must not be after valid_to",
        ),
        (
            json!({"name": "X", "priority": "high"}),
            422,
            "priority must be an integer",
        ),
        (
            json!({"name": "X", "skus": ["SHOE-1", "NOPE-9"]}),
            422,
            "product NOPE-9 does not exist",
        ),
    ] {
        let reply = admin
            .submit_json("/admin/catalog/labels/create", &body)
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"], message, "{body}");
    }
    let labels = admin.get_json("/admin/catalog/labels/index").await.json();
    assert_eq!(labels["labels"].as_array().unwrap().len(), 4);
    assert_eq!(
        shown(&admin, &shoe["id"]).await["label_ids"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "the refused label was not assigned"
    );

    // Deleting a label takes it off its products.
    let deleted = admin
        .submit_json("/admin/catalog/labels/delete", &json!({"id": sale_id}))
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json()["products_updated"], 1);
    assert!(
        !shown(&admin, &shoe["id"]).await["label_ids"]
            .as_array()
            .unwrap()
            .contains(&sale_id)
    );
}

#[tokio::test]
async fn labels_are_edited_through_the_html_forms() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let hat = product(&admin, "HAT-1", "Hat", 900, "active").await;
    product(&admin, "CAP-1", "Cap", 700, "active").await;
    let form = admin.get("/admin/catalog/labels/create").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.text().contains("name=\"texts.de\""));
    let created = admin
        .submit(
            "/admin/catalog/labels/create",
            &[
                ("name", "Eco"),
                ("priority", "3"),
                ("valid_from", ""),
                ("valid_to", "2025-12-31"),
                ("texts.en", "Eco"),
                ("texts.de", "Öko"),
                ("active", "on"),
                ("skus", "HAT-1\nCAP-1, HAT-1"),
            ],
        )
        .await;
    assert!(
        created.redirects_to("/admin/catalog/labels/index"),
        "{} {}",
        created.status,
        created.body
    );
    let list = admin.get("/admin/catalog/labels/index").await.text();
    assert!(
        list.contains("Eco") && list.contains("2025-12-31"),
        "{list}"
    );
    let label = admin.get_json("/admin/catalog/labels/index").await.json()["labels"][0].clone();
    assert_eq!(label["texts"]["de"], "Öko");
    assert_eq!(label["exclusive"], false);
    assert_eq!(
        shown(&admin, &hat["id"]).await["label_ids"],
        json!([label["id"]])
    );
    let id = label["id"].as_str().unwrap();
    let edit = admin
        .get(&format!("/admin/catalog/labels/edit?id={id}"))
        .await
        .text();
    assert!(edit.contains("CAP-1\nHAT-1"), "{edit}");
    let bad = admin
        .submit(
            "/admin/catalog/labels/edit",
            &[
                ("id", id),
                ("version", "1"),
                ("name", "Eco"),
                ("valid_to", "31.12.2025"),
                ("skus", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("valid_to must be a date (YYYY-MM-DD)"));
    let confirm = admin
        .get(&format!("/admin/catalog/labels/delete?id={id}"))
        .await;
    assert!(
        confirm.text().contains("2 products lose it"),
        "{}",
        confirm.body
    );
}

#[tokio::test]
async fn option_groups_hold_priced_values_and_are_offered_with_products() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let tv = product(&admin, "TV-1", "TV", 49_900, "active").await;
    let created = admin
        .submit_json(
            "/admin/catalog/options/create",
            &json!({"names": {"en": "Warranty", "de": "Garantie"}, "tax_class": "standard",
                    "skus": ["TV-1"]}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let group = created.json()["group"].clone();
    let group_id = group["id"].as_str().unwrap().to_owned();
    assert_eq!(group["active"], true);
    assert_eq!(
        shown(&admin, &tv["id"]).await["option_group_ids"],
        json!([group_id])
    );

    let value = admin
        .submit_json(
            "/admin/catalog/option-values/create",
            &json!({"group_id": group_id, "sku": "WARRANTY-2Y", "name": "2 years",
                    "prices": {"EUR": 4900, "CHF": 5200}}),
        )
        .await;
    assert_eq!(value.status, 200, "{}", value.body);
    let value = value.json()["value"].clone();
    assert_eq!(value["prices"], json!({"CHF": 5200, "EUR": 4900}));
    let form_value = admin
        .submit(
            "/admin/catalog/option-values/create",
            &[
                ("group_id", &group_id),
                ("sku", "WARRANTY-3Y"),
                ("name", "3 years"),
                ("price.EUR", "69"),
                ("price.CHF", ""),
                ("price.USD", "75.00"),
            ],
        )
        .await;
    assert!(
        form_value.redirects_to("/admin/catalog/options/edit"),
        "{} {}",
        form_value.status,
        form_value.body
    );

    for (body, status, message) in [
        (
            json!({"group_id": group_id, "sku": "WARRANTY-2Y", "name": "again"}),
            409,
            "option value SKU WARRANTY-2Y already exists".to_owned(),
        ),
        (
            json!({"group_id": group_id, "sku": "W-1", "name": "x", "prices": {"GBP": 1}}),
            422,
            "currency GBP does not exist (under Settings: EUR, CHF, USD)".to_owned(),
        ),
        (
            json!({"group_id": group_id, "sku": "W-1", "name": "x", "prices": {"EUR": -1}}),
            422,
            "price EUR must be a non-negative integer of minor units (cents)".to_owned(),
        ),
        (
            json!({"group_id": "nope", "sku": "W-1", "name": "x"}),
            422,
            "option group nope does not exist".to_owned(),
        ),
        (
            json!({"group_id": group_id, "sku": "W 1", "name": "x"}),
            422,
            "sku must be 1 to 64 characters: letters, digits, '.', '_' or '-'".to_owned(),
        ),
    ] {
        let reply = admin
            .submit_json("/admin/catalog/option-values/create", &body)
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"], message.as_str(), "{body}");
    }
    for (body, status, message) in [
        (
            json!({"name": "Warranty"}),
            409,
            "option group Warranty already exists",
        ),
        (
            json!({"name": "Gift", "tax_class": "Not Valid"}),
            422,
            "tax_class Not Valid does not exist (under Settings: standard, reduced, zero)",
        ),
        (
            json!({"name": "Gift", "skus": ["NOPE"]}),
            422,
            "product NOPE does not exist",
        ),
    ] {
        let reply = admin
            .submit_json("/admin/catalog/options/create", &body)
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"], message, "{body}");
    }

    let edit = admin
        .get_json(&format!("/admin/catalog/options/edit?id={group_id}"))
        .await
        .json();
    let values: Vec<(&str, Value)> = edit["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["sku"].as_str().unwrap(), v["prices"].clone()))
        .collect();
    assert_eq!(
        values,
        [
            ("WARRANTY-2Y", json!({"CHF": 5200, "EUR": 4900})),
            ("WARRANTY-3Y", json!({"EUR": 6900, "USD": 7500}))
        ]
    );
    assert_eq!(edit["skus"], json!(["TV-1"]));
    let page = admin
        .get(&format!("/admin/catalog/options/edit?id={group_id}"))
        .await
        .text();
    assert!(
        page.contains("WARRANTY-3Y") && page.contains("Garantie"),
        "{page}"
    );

    let value_id = value["id"].as_str().unwrap();
    let repriced = admin
        .submit_json(
            "/admin/catalog/option-values/edit",
            &json!({"id": value_id, "version": 1, "prices": {"CHF": null, "USD": 5500}}),
        )
        .await;
    assert_eq!(repriced.status, 200, "{}", repriced.body);
    assert_eq!(
        repriced.json()["value"]["prices"],
        json!({"EUR": 4900, "USD": 5500})
    );

    let deleted = admin
        .submit_json("/admin/catalog/options/delete", &json!({"id": group_id}))
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json()["values_deleted"], 2);
    assert_eq!(
        shown(&admin, &tv["id"]).await["option_group_ids"],
        json!([])
    );
    let reuse = admin
        .submit_json(
            "/admin/catalog/option-values/create",
            &json!({"group_id": group_id, "sku": "WARRANTY-2Y", "name": "x"}),
        )
        .await;
    assert_eq!(reuse.status, 422, "the group is gone with its values");
}
