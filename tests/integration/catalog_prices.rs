//! Catalog prices: per SKU and currency, default and original, gross and net, volume tiers;
//! the product form's EUR price and the product's copy stay in step with `prices`.

use backoffice_tests::{Browser, Reply, TestApp};
use serde_json::{Value, json};

use super::catalog::{encode, product};

async fn prices_of(admin: &Browser, sku: &str) -> Value {
    let reply = admin
        .get_json(&format!("/admin/catalog/prices/index?sku={}", encode(sku)))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

async fn set_price(admin: &Browser, body: Value) -> Reply {
    admin.submit_json("/admin/catalog/prices/edit", &body).await
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

#[tokio::test]
async fn prices_per_currency_with_volume_tiers_resolve_and_keep_the_product_copy() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let created = admin
        .submit_json(
            "/admin/catalog/products/create",
            &json!({"sku": "MUG-1", "name": "Mug", "price": 1000, "price_net": 840}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.json()["product"]["id"].clone();

    let list = prices_of(&admin, "MUG-1").await;
    assert_eq!(
        list["prices"],
        json!([{"sku": "MUG-1", "currency": "EUR", "gross": 1000, "net": 840, "volume": []}]),
        "the product form wrote the EUR record"
    );
    assert_eq!(list["missing"], json!(["CHF", "USD"]));

    let chf = set_price(
        &admin,
        json!({
            "sku": "MUG-1", "currency": "CHF", "gross": 1100, "net": 1020,
            "original_gross": 1500,
            "volume": [{"quantity": 5, "gross": 1000}, {"quantity": 10, "gross": 900, "net": 830}]
        }),
    )
    .await;
    assert_eq!(chf.status, 200, "{}", chf.body);
    assert_eq!(chf.json()["price"]["original_gross"], 1500);
    let product = shown(&admin, &id).await;
    assert_eq!(
        product["prices"]["CHF"],
        json!({"gross": 1100, "net": 1020}),
        "the product's copy follows"
    );

    for (quantity, gross) in [
        (1, 1100),
        (4, 1100),
        (5, 1000),
        (9, 1000),
        (10, 900),
        (99, 900),
    ] {
        let resolved = admin
            .get_json(&format!(
                "/admin/catalog/prices/resolve?sku=MUG-1&currency=CHF&quantity={quantity}"
            ))
            .await;
        assert_eq!(resolved.status, 200, "{}", resolved.body);
        let resolved = resolved.json();
        assert_eq!(resolved["unit"]["gross"], gross, "quantity {quantity}");
        assert_eq!(resolved["original"]["gross"], 1500);
        assert_eq!(resolved["from_sku"], "MUG-1");
    }
    let usd = admin
        .get_json("/admin/catalog/prices/resolve?sku=MUG-1&currency=USD")
        .await;
    assert_eq!(usd.status, 404);
    assert_eq!(usd.json()["error"], "SKU MUG-1 has no USD price");

    // Setting EUR on the prices page moves the product's indexed price.
    let eur = set_price(
        &admin,
        json!({"sku": "MUG-1", "currency": "EUR", "gross": 1200, "volume": [{"quantity": 3, "gross": 1100}]}),
    )
    .await;
    assert_eq!(eur.status, 200, "{}", eur.body);
    let product = shown(&admin, &id).await;
    assert_eq!(product["price"], 1200);
    assert_eq!(product["prices"]["EUR"], json!({"gross": 1200}));

    // The product form changes gross/net and keeps the volume tiers.
    let version = product["version"].as_i64().unwrap();
    let edited = admin
        .submit_json(
            "/admin/catalog/products/edit",
            &json!({"id": id, "version": version, "price": 1300, "price_net": 1090}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let list = prices_of(&admin, "MUG-1").await;
    assert_eq!(
        list["prices"][0],
        json!({"sku": "MUG-1", "currency": "EUR", "gross": 1300, "net": 1090, "volume": [{"quantity": 3, "gross": 1100}]})
    );

    let removed = admin
        .submit_json(
            "/admin/catalog/prices/remove",
            &json!({"sku": "MUG-1", "currency": "CHF"}),
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    let product = shown(&admin, &id).await;
    assert!(product["prices"].get("CHF").is_none(), "{product}");
    let again = admin
        .submit_json(
            "/admin/catalog/prices/remove",
            &json!({"sku": "MUG-1", "currency": "CHF"}),
        )
        .await;
    assert_eq!(again.status, 404);
    assert_eq!(again.json()["error"], "SKU MUG-1 has no CHF price");
    let eur_gone = admin
        .submit_json(
            "/admin/catalog/prices/remove",
            &json!({"sku": "MUG-1", "currency": "EUR"}),
        )
        .await;
    assert_eq!(eur_gone.status, 422);
    assert_eq!(
        eur_gone.json()["error"],
        "a product's EUR price cannot be removed; change it instead"
    );

    // A renamed SKU takes its prices along.
    let product = shown(&admin, &id).await;
    let renamed = admin
        .submit_json(
            "/admin/catalog/products/edit",
            &json!({"id": id, "version": product["version"], "sku": "MUG-2"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(prices_of(&admin, "MUG-2").await["prices"][0]["gross"], 1300);
    let old = admin
        .get_json("/admin/catalog/prices/index?sku=MUG-1")
        .await;
    assert_eq!(old.status, 404);
    assert_eq!(old.json()["error"], "SKU MUG-1 not found");
}

#[tokio::test]
async fn bad_prices_are_refused_with_clear_errors_and_nothing_written() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    product(&admin, "CUP-1", "Cup", 500, "active").await;
    let before = prices_of(&admin, "CUP-1").await;

    for (body, status, message) in [
        (
            json!({"sku": "CUP-1", "currency": "GBP", "gross": 1}),
            422,
            "currency GBP does not exist (under Settings: EUR, CHF, USD)",
        ),
        (
            json!({"sku": "NOPE-1", "currency": "EUR", "gross": 1}),
            404,
            "SKU NOPE-1 not found",
        ),
        (
            json!({"sku": "CUP-1", "gross": 1}),
            400,
            "currency is required",
        ),
        (
            json!({"sku": "CUP-1", "currency": "EUR"}),
            422,
            "gross is required",
        ),
        (
            json!({"sku": "CUP-1", "currency": "EUR", "gross": -1}),
            422,
            "gross must be a non-negative integer of minor units (cents)",
        ),
        (
            json!({"sku": "CUP-1", "currency": "EUR", "gross": 1, "original_net": 1.5}),
            422,
            "original_net must be a non-negative integer of minor units (cents)",
        ),
        (
            json!({"sku": "CUP-1", "currency": "EUR", "gross": 9,
                   "volume": [{"quantity": 10, "gross": 5}, {"quantity": 5, "gross": 7}]}),
            422,
            "volume quantities must be unique and ascending (5 after 10)",
        ),
        (
            json!({"sku": "CUP-1", "currency": "EUR", "gross": 9,
                   "volume": [{"quantity": 5, "gross": 5}, {"quantity": 5, "gross": 4}]}),
            422,
            "volume quantities must be unique and ascending (5 after 5)",
        ),
        (
            json!({"sku": "CUP-1", "currency": "EUR", "gross": 9, "volume": [{"quantity": 1, "gross": 5}]}),
            422,
            "volume quantities must be integers greater than 1",
        ),
        (
            json!({"sku": "CUP-1", "currency": "EUR", "gross": 9, "volume": [{"quantity": 2, "gross": -5}]}),
            422,
            "volume gross must be a non-negative integer of minor units (cents)",
        ),
        (
            json!({"sku": "CUP-1", "currency": "EUR", "gross": 9, "volume": "lots"}),
            422,
            "volume must be a list of {quantity, gross, net?}",
        ),
    ] {
        let reply = set_price(&admin, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"], message, "{body}");
    }
    assert_eq!(prices_of(&admin, "CUP-1").await, before, "nothing written");
}

#[tokio::test]
async fn prices_are_edited_through_the_html_form_with_volume_rows() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    product(&admin, "PEN-1", "Pen", 250, "active").await;
    let form = admin
        .get("/admin/catalog/prices/edit?sku=PEN-1&currency=USD")
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.text().contains("name=\"volume_quantity\""));
    let saved = admin
        .submit(
            "/admin/catalog/prices/edit",
            &[
                ("sku", "PEN-1"),
                ("currency", "USD"),
                ("gross", "3"),
                ("net", ""),
                ("original_gross", "4.00"),
                ("original_net", ""),
                ("volume_quantity", "10"),
                ("volume_gross", "2.5"),
                ("volume_net", ""),
                ("volume_quantity", ""),
                ("volume_gross", ""),
                ("volume_net", ""),
            ],
        )
        .await;
    assert!(
        saved.redirects_to("/admin/catalog/prices/index"),
        "{} {}",
        saved.status,
        saved.body
    );
    let page = admin.get(saved.location().unwrap()).await;
    let html = page.text();
    assert!(html.contains("Price saved"), "{html}");
    assert!(html.contains("from 10: 2.50"), "{html}");
    let list = prices_of(&admin, "PEN-1").await;
    assert_eq!(
        list["prices"][1],
        json!({"sku": "PEN-1", "currency": "USD", "gross": 300, "original_gross": 400,
               "volume": [{"quantity": 10, "gross": 250}]})
    );

    let half = admin
        .submit(
            "/admin/catalog/prices/edit",
            &[
                ("sku", "PEN-1"),
                ("currency", "USD"),
                ("gross", "3.00"),
                ("volume_quantity", "10"),
                ("volume_gross", ""),
                ("volume_net", ""),
            ],
        )
        .await;
    assert_eq!(half.status, 422);
    assert!(half.text().contains("volume gross is required"));
    let abc = admin
        .submit(
            "/admin/catalog/prices/edit",
            &[("sku", "PEN-1"), ("currency", "USD"), ("gross", "three")],
        )
        .await;
    assert_eq!(abc.status, 422);
    assert!(
        abc.text().contains("gross must be an amount such as 19.99"),
        "{}",
        abc.body
    );
}
