//! The catalog on the storefront: a category page with facets from the search settings, a
//! product page with its sellable variants, full-text search with paging, and the dashboard
//! widget — anonymous shoppers over real HTTP against the compiled component.

use backoffice_tests::{Browser, TestApp};
use serde_json::{Value, json};

use crate::catalog::encode;
use crate::catalog_model::seed_attributes;

async fn ok(admin: &Browser, path: &str, body: Value) -> Value {
    let reply = admin.submit_json(path, &body).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.json()
}

/// A "shirts" category with three active shirts (two with variants) and one inactive shirt;
/// colour and size are shop filters, weight a range filter.
async fn shop(admin: &Browser) -> String {
    seed_attributes(admin).await;
    ok(
        admin,
        "/admin/catalog/search/edit",
        json!({"settings": [
            {"key": "color", "filter": "multi", "position": 1},
            {"key": "size", "filter": "single", "position": 2},
            {"key": "weight", "filter": "range", "position": 3},
            {"key": "material", "full_text": true, "filter": "none"}
        ]}),
    )
    .await;
    let cat = ok(
        admin,
        "/admin/catalog/categories/create",
        json!({"name": "Shirts", "slug": "shirts"}),
    )
    .await;
    let shirts = cat["category"]["id"].as_str().unwrap().to_owned();
    let make = |sku: &'static str, name: &'static str, weight: i64, status: &'static str| {
        json!({"sku": sku, "names": {"en": name, "de": format!("{name} DE")}, "price": 1000 + weight,
               "status": status, "category_ids": [shirts], "attributes": {"weight": weight, "material": "cotton"}})
    };
    let polo = ok(
        admin,
        "/admin/catalog/products/create",
        make("POLO", "Polo shirt", 200, "active"),
    )
    .await;
    let tee = ok(
        admin,
        "/admin/catalog/products/create",
        make("TEE", "Tee shirt", 150, "active"),
    )
    .await;
    ok(
        admin,
        "/admin/catalog/products/create",
        make("FLANNEL", "Flannel shirt", 400, "active"),
    )
    .await;
    ok(
        admin,
        "/admin/catalog/products/create",
        make("OLD", "Old shirt", 100, "inactive"),
    )
    .await;
    for (product, sku, color, size) in [
        (&polo, "POLO-RED-M", "red", "M"),
        (&polo, "POLO-BLUE-L", "blue", "L"),
        (&tee, "TEE-BLUE-S", "blue", "S"),
    ] {
        ok(
            admin,
            "/admin/catalog/variants/create",
            json!({
                "product_id": product["product"]["id"], "sku": sku,
                "attributes": {"color": color, "size": size}
            }),
        )
        .await;
    }
    shirts
}

fn names(page: &Value) -> Vec<String> {
    page["products"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

fn facet<'a>(page: &'a Value, key: &str) -> &'a Value {
    page["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("facet {key} in {page}"))
}

#[tokio::test]
async fn category_pages_filter_by_facets_with_counts() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    shop(&admin).await;
    let shopper = app.browser();

    let all = shopper.get_json("/c/shirts").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let all = all.json();
    assert_eq!(
        names(&all),
        ["Flannel shirt", "Polo shirt", "Tee shirt"],
        "active only, by name"
    );
    let keys: Vec<&str> = all["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["color", "size", "weight"], "in the settings' order");
    let color = facet(&all, "color");
    assert_eq!(color["label"], "Colour");
    assert_eq!(
        color["values"],
        json!([
            {"value": "blue", "label": "blue", "count": 2, "chosen": false},
            {"value": "red", "label": "red", "count": 1, "chosen": false}
        ])
    );
    assert_eq!(facet(&all, "weight")["min"], 150.0);
    assert_eq!(facet(&all, "weight")["max"], 400.0);

    let blue = shopper.get_json("/c/shirts?f.color=blue").await.json();
    assert_eq!(names(&blue), ["Polo shirt", "Tee shirt"]);
    let red_or_blue = shopper
        .get_json("/c/shirts?f.color=blue&f.color=red")
        .await
        .json();
    assert_eq!(red_or_blue["total"], 2);
    let blue_l = shopper
        .get_json("/c/shirts?f.color=blue&f.size=L")
        .await
        .json();
    assert_eq!(names(&blue_l), ["Polo shirt"]);
    // The size facet's counts ignore the size choice but follow the colour choice.
    let sizes = &facet(&blue_l, "size")["values"];
    assert_eq!(sizes.as_array().unwrap().len(), 3, "{sizes}");
    let heavy = shopper
        .get_json("/c/shirts?f.weight.min=180&f.weight.max=450")
        .await
        .json();
    assert_eq!(names(&heavy), ["Flannel shirt", "Polo shirt"]);

    let two_sizes = shopper.get_json("/c/shirts?f.size=S&f.size=M").await;
    assert_eq!(two_sizes.status, 400);
    assert_eq!(
        two_sizes.json()["error"],
        "only one value of size can be chosen"
    );
    let bad_range = shopper.get_json("/c/shirts?f.weight.min=lots").await;
    assert_eq!(bad_range.status, 400);
    let missing = shopper.get("/c/no-such-category").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing
            .text()
            .contains("There is no category no-such-category."),
        "{}",
        missing.body
    );

    // HTML: the page renders in the storefront theme with its filter form.
    let html = shopper.get("/c/shirts?f.color=red").await;
    assert_eq!(html.status, 200);
    let text = html.text();
    assert!(
        text.contains("Polo shirt") && !text.contains("Tee shirt"),
        "{text}"
    );
    assert!(
        text.contains("name=\"f.color\" value=\"red\" checked"),
        "{text}"
    );
}

#[tokio::test]
async fn product_pages_show_sellable_variants_and_search_finds_products_by_word_sku_and_attribute()
{
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let shirts = shop(&admin).await;
    let shopper = app.browser();

    let polo = shopper.get_json("/p/polo-shirt-polo").await;
    assert_eq!(polo.status, 200, "{}", polo.body);
    let polo = polo.json();
    assert_eq!(polo["product"]["name"], "Polo shirt");
    let variant_skus: Vec<&str> = polo["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sku"].as_str().unwrap())
        .collect();
    assert_eq!(variant_skus, ["POLO-BLUE-L", "POLO-RED-M"]);
    assert_eq!(polo["categories"][0]["id"], shirts.as_str());
    let inactive = shopper.get("/p/old-shirt-old").await;
    assert_eq!(inactive.status, 404, "inactive products are not shown");

    // A discontinued variant disappears from the page.
    let show = admin
        .get_json("/admin/catalog/products/index?q=POLO-RED-M")
        .await
        .json();
    let polo_id = show["products"][0]["id"].as_str().unwrap().to_owned();
    let detail = admin
        .get_json(&format!("/admin/catalog/products/show?id={polo_id}"))
        .await
        .json();
    let red = detail["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == "POLO-RED-M")
        .unwrap()
        .clone();
    ok(
        &admin,
        "/admin/catalog/variants/discontinue",
        json!({"id": red["id"], "note": "sold out"}),
    )
    .await;
    let polo = shopper.get_json("/p/polo-shirt-polo").await.json();
    assert_eq!(polo["variants"].as_array().unwrap().len(), 1);

    // Offers carry price and availability; a label shows in the shopper's locale.
    let offer = &polo["offers"][0];
    assert_eq!(offer["sku"], "POLO-BLUE-L");
    assert_eq!(
        offer["price"], 1200,
        "the abstract product's price: {offer}"
    );
    assert_eq!(offer["in_stock"], false, "no stock yet");
    ok(
        &admin,
        "/admin/catalog/warehouses/create",
        json!({"name": "Main"}),
    )
    .await;
    ok(
        &admin,
        "/admin/catalog/stock/edit",
        json!({"sku": "POLO-BLUE-L", "quantities": {"Main": 3}}),
    )
    .await;
    let label = ok(
        &admin,
        "/admin/catalog/labels/create",
        json!({"name": "sale", "texts": {"en": "Sale!"}, "skus": ["POLO"]}),
    )
    .await;
    let polo = shopper.get_json("/p/polo-shirt-polo").await.json();
    assert_eq!(polo["offers"][0]["in_stock"], true);
    assert_eq!(polo["labels"], json!(["Sale!"]));
    // The admin list filters by label (through the product's search tokens).
    let label_id = label["label"]["id"].as_str().unwrap();
    let labelled = admin
        .get_json(&format!("/admin/catalog/products/index?label={label_id}"))
        .await
        .json();
    assert_eq!(labelled["total"], 1);
    assert_eq!(labelled["products"][0]["sku"], "POLO");

    let html = shopper.get("/p/polo-shirt-polo").await;
    assert_eq!(html.status, 200);
    assert!(html.text().contains("POLO-BLUE-L"), "{}", html.body);

    let by_word = shopper.get_json("/search?q=shirt").await.json();
    assert_eq!(by_word["total"], 3);
    // Deactivating takes a product out of the search (and its total); activating brings it back.
    let tee = admin
        .get_json("/admin/catalog/products/index?q=TEE")
        .await
        .json();
    let tee_id = tee["products"][0]["id"].clone();
    ok(
        &admin,
        "/admin/catalog/products/deactivate",
        json!({"id": tee_id}),
    )
    .await;
    let without = shopper.get_json("/search?q=shirt").await.json();
    assert_eq!(without["total"], 2);
    assert_eq!(names(&without), ["Flannel shirt", "Polo shirt"]);
    ok(
        &admin,
        "/admin/catalog/products/activate",
        json!({"id": tee_id}),
    )
    .await;
    let again = shopper.get_json("/search?q=shirt").await.json();
    assert_eq!(names(&again), ["Flannel shirt", "Polo shirt", "Tee shirt"]);
    let category = shopper.get_json("/search?q=shirts").await.json();
    assert_eq!(
        category["categories"][0]["slug"], "shirts",
        "searchable categories are found too"
    );
    let by_sku = shopper.get_json("/search?q=TEE-BLUE-S").await.json();
    assert_eq!(names(&by_sku), ["Tee shirt"]);
    let by_material = shopper.get_json("/search?q=cotton").await.json();
    assert_eq!(by_material["total"], 3, "material is a full-text attribute");
    let german = shopper.get_json("/search?q=Flannel%20DE").await.json();
    assert_eq!(
        names(&german),
        ["Flannel shirt"],
        "every locale's name is searchable"
    );

    // Paging: 24 per page with a cursor.
    for i in 0..25 {
        ok(&admin, "/admin/catalog/products/create",
            json!({"sku": format!("SOCK-{i:02}"), "name": format!("Sock {i:02}"), "price": 100, "status": "active"})).await;
    }
    let first = shopper.get_json("/search?q=sock").await.json();
    assert_eq!(first["total"], 25);
    assert_eq!(first["products"].as_array().unwrap().len(), 24);
    let next = first["next"].as_str().unwrap();
    let second = shopper
        .get_json(&format!("/search?q=sock&after={}", encode(next)))
        .await
        .json();
    assert_eq!(names(&second), ["Sock 24"]);
    let html = shopper.get("/search?q=sock").await.text();
    assert!(html.contains("More results"), "{html}");
}

#[tokio::test]
async fn the_dashboard_widget_counts_products() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    shop(&admin).await;
    let dashboard = admin.get("/admin").await;
    assert_eq!(dashboard.status, 200);
    let text = dashboard.text();
    assert!(
        text.contains("<strong>4</strong> products, 3 active, 3 variants."),
        "{text}"
    );
}
