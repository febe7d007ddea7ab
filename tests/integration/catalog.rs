//! The catalog section (first-party plugin `plugins/catalog`): products and categories through
//! HTTP, as scripts (JSON) and as a browser (forms), plus ACL on its actions.

use backoffice_tests::{Browser, Reply, TestApp};
use serde_json::{Value, json};

const PASSWORD: &str = "catalog-test-password-1";

pub(crate) async fn create_product(admin: &Browser, body: Value) -> Reply {
    admin
        .submit_json("/admin/catalog/products/create", &body)
        .await
}

/// Creates a product through the JSON API and returns it.
pub(crate) async fn product(
    admin: &Browser,
    sku: &str,
    name: &str,
    price: i64,
    status: &str,
) -> Value {
    let reply = create_product(
        admin,
        json!({"sku": sku, "name": name, "price": price, "status": status}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["product"].clone()
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn skus(list: &Value) -> Vec<String> {
    list["products"]
        .as_array()
        .expect("a products list")
        .iter()
        .map(|p| p["sku"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn products_are_created_listed_searched_filtered_sorted_and_paged() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let created = create_product(
        &admin,
        json!({
            "sku": "SHOE-1",
            "names": {"en": "Red shoe", "de": "Roter Schuh"},
            "description": {"en": "A shoe.", "de": "Ein Schuh."},
            "status": "active",
            "price": 1999,
            "price_net": 1680
        }),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let shoe = created.json()["product"].clone();
    assert_eq!(
        shoe["name"], "Red shoe",
        "the default-locale copy is indexed"
    );
    assert_eq!(shoe["names"]["de"], "Roter Schuh");
    assert_eq!(shoe["price"], 1999);
    assert_eq!(shoe["prices"]["EUR"], json!({"gross": 1999, "net": 1680}));
    assert_eq!(shoe["version"], 1);
    product(&admin, "BOOT-7", "Blue boot", 5000, "inactive").await;
    product(&admin, "SOCK-3", "Green sock", 300, "active").await;
    product(&admin, "HAT-9", "Red hat", 2500, "inactive").await;

    let all = admin.get_json("/admin/catalog/products/index").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let all = all.json();
    assert_eq!(all["total"], 4);
    assert_eq!(
        skus(&all),
        ["BOOT-7", "SOCK-3", "HAT-9", "SHOE-1"],
        "by name"
    );

    let red = admin
        .get_json("/admin/catalog/products/index?q=red")
        .await
        .json();
    assert_eq!(skus(&red), ["HAT-9", "SHOE-1"]);
    let by_sku = admin
        .get_json("/admin/catalog/products/index?q=SOCK-3")
        .await
        .json();
    assert_eq!(skus(&by_sku), ["SOCK-3"]);

    let active = admin
        .get_json("/admin/catalog/products/index?status=active&sort=price&dir=desc")
        .await
        .json();
    assert_eq!(skus(&active), ["SHOE-1", "SOCK-3"]);
    assert_eq!(active["total"], 2);
    let by_price = admin
        .get_json("/admin/catalog/products/index?sort=price")
        .await
        .json();
    assert_eq!(skus(&by_price), ["SOCK-3", "SHOE-1", "HAT-9", "BOOT-7"]);
    let by_sku_desc = admin
        .get_json("/admin/catalog/products/index?sort=sku&dir=desc")
        .await
        .json();
    assert_eq!(skus(&by_sku_desc), ["SOCK-3", "SHOE-1", "HAT-9", "BOOT-7"]);

    let first = admin
        .get_json("/admin/catalog/products/index?sort=price&limit=3")
        .await
        .json();
    assert_eq!(skus(&first), ["SOCK-3", "SHOE-1", "HAT-9"]);
    assert_eq!(first["total"], 4);
    let next = first["next"].as_str().expect("a next cursor");
    let second = admin
        .get_json(&format!(
            "/admin/catalog/products/index?sort=price&limit=3&after={}",
            encode(next)
        ))
        .await
        .json();
    assert_eq!(skus(&second), ["BOOT-7"]);
    assert!(second["next"].is_null());

    let bad = admin
        .get_json("/admin/catalog/products/index?status=deleted")
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"], "status must be active or inactive");

    // The HTML list shows them with their edit links for an admin.
    let page = admin.get("/admin/catalog/products/index?q=red").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("Red shoe") && html.contains("Red hat"),
        "{html}"
    );
    assert!(!html.contains("Blue boot"));
    assert!(html.contains("/admin/catalog/products/edit?id="));
}

#[tokio::test]
async fn product_validation_and_conflicts_answer_clear_errors() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let shoe = product(&admin, "SHOE-1", "Red shoe", 1999, "active").await;

    let duplicate = create_product(
        &admin,
        json!({"sku": "SHOE-1", "name": "Other", "price": 1}),
    )
    .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.json()["error"], "SKU SHOE-1 already exists");

    for (body, message) in [
        (json!({"name": "x", "price": 1}), "sku is required"),
        (
            json!({"sku": "a b", "name": "x", "price": 1}),
            "sku must be 1 to 64 characters: letters, digits, '.', '_' or '-'",
        ),
        (json!({"sku": "A1", "price": 1}), "name is required"),
        (
            json!({"sku": "A1", "name": "x".repeat(201), "price": 1}),
            "name (en) must be at most 200 characters",
        ),
        (
            json!({"sku": "A1", "name": "x", "price": -5}),
            "price must be a non-negative integer of minor units (cents)",
        ),
        (
            json!({"sku": "A1", "name": "x", "price": 19.99}),
            "price must be a non-negative integer of minor units (cents)",
        ),
        (json!({"sku": "A1", "name": "x"}), "price is required"),
        (
            json!({"sku": "A1", "name": "x", "price": 1, "status": "gone"}),
            "status must be active or inactive",
        ),
        (
            json!({"sku": "A1", "name": "x", "price": 1, "category_ids": ["nope"]}),
            "category nope does not exist",
        ),
    ] {
        let reply = create_product(&admin, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"], message, "{body}");
    }

    let missing = admin
        .get_json("/admin/catalog/products/show?id=no-such-id")
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"], "product no-such-id not found");
    let missing_edit = admin
        .submit_json(
            "/admin/catalog/products/edit",
            &json!({"id": "no-such-id", "version": 1, "name": "x"}),
        )
        .await;
    assert_eq!(missing_edit.status, 404);

    let id = shoe["id"].as_str().unwrap();
    let edited = admin
        .submit_json(
            "/admin/catalog/products/edit",
            &json!({"id": id, "version": 1, "price": 2499, "names": {"de": "Roter Schuh"}}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let edited = edited.json()["product"].clone();
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["price"], 2499);
    assert_eq!(edited["sku"], "SHOE-1", "fields not sent are kept");
    let stale = admin
        .submit_json(
            "/admin/catalog/products/edit",
            &json!({"id": id, "version": 1, "price": 1}),
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(
        stale.json()["error"]
            .as_str()
            .unwrap()
            .contains("was changed by someone else"),
        "{}",
        stale.body
    );
    let no_version = admin
        .submit_json(
            "/admin/catalog/products/edit",
            &json!({"id": id, "price": 1}),
        )
        .await;
    assert_eq!(no_version.status, 400);
    assert_eq!(no_version.json()["error"], "version is required");

    let off = admin
        .submit_json("/admin/catalog/products/deactivate", &json!({"id": id}))
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(off.json()["product"]["status"], "inactive");
    let shown = admin
        .get_json(&format!("/admin/catalog/products/show?id={id}"))
        .await
        .json();
    assert_eq!(shown["product"]["status"], "inactive");
    assert_eq!(shown["product"]["price"], 2499, "the edit stuck");
    let on = admin
        .submit_json("/admin/catalog/products/activate", &json!({"id": id}))
        .await;
    assert_eq!(on.json()["product"]["status"], "active");
    let inactive = admin
        .get_json("/admin/catalog/products/index?status=inactive")
        .await
        .json();
    assert_eq!(inactive["total"], 0);
}

#[tokio::test]
async fn products_are_created_and_edited_through_the_html_forms() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let form = admin.get("/admin/catalog/products/create").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"names.de\""));
    let created = admin
        .submit(
            "/admin/catalog/products/create",
            &[
                ("sku", "MUG-2"),
                ("names.en", "Coffee mug"),
                ("names.de", "Kaffeebecher"),
                ("description.en", "Holds coffee."),
                ("status", "active"),
                ("price", "8.99"),
                ("price_net", ""),
            ],
        )
        .await;
    assert!(
        created.redirects_to("/admin/catalog/products/show"),
        "{} {}",
        created.status,
        created.body
    );
    let show = admin.get(created.location().unwrap()).await;
    assert_eq!(show.status, 200);
    let html = show.text();
    assert!(
        html.contains("Kaffeebecher") && html.contains("Holds coffee."),
        "{html}"
    );
    assert!(html.contains("Product created"), "the flash is shown");

    let id = only_product_id(&admin).await;
    let edit = admin
        .get(&format!("/admin/catalog/products/edit?id={id}"))
        .await;
    assert_eq!(edit.status, 200);
    assert!(edit.text().contains("value=\"Coffee mug\""));
    // The form takes money in major units (EUR: at most 2 decimals); the page says what is
    // wrong and nothing is saved.
    assert!(
        edit.text().contains("value=\"8.99\""),
        "the price is shown in euros"
    );
    for (typed, message) in [
        ("19.999", "price takes at most 2 decimals"),
        ("abc", "price must be an amount such as 19.99"),
        ("-1", "price must not be negative"),
    ] {
        let bad_price = admin
            .submit(
                "/admin/catalog/products/edit",
                &[
                    ("id", &id),
                    ("version", "1"),
                    ("sku", "MUG-2"),
                    ("names.en", "Coffee mug"),
                    ("status", "active"),
                    ("price", typed),
                ],
            )
            .await;
        assert_eq!(bad_price.status, 422, "{typed}");
        assert!(
            bad_price.text().contains(message),
            "{typed}: {}",
            bad_price.body
        );
    }
    let saved = admin
        .submit(
            "/admin/catalog/products/edit",
            &[
                ("id", &id),
                ("version", "1"),
                ("sku", "MUG-2"),
                ("names.en", "Big coffee mug"),
                ("names.de", ""),
                ("status", "inactive"),
                ("price", "19.99"),
            ],
        )
        .await;
    assert!(
        saved.redirects_to("/admin/catalog/products/show"),
        "{}",
        saved.body
    );
    let shown = admin
        .get_json(&format!("/admin/catalog/products/show?id={id}"))
        .await
        .json();
    assert_eq!(shown["product"]["name"], "Big coffee mug");
    assert_eq!(shown["product"]["status"], "inactive");
    assert_eq!(shown["product"]["price"], 1999, "stored in cents");
    assert_eq!(
        shown["product"]["names"].get("de"),
        None,
        "an emptied locale is removed"
    );
}

/// The id of the only product.
async fn only_product_id(admin: &Browser) -> String {
    let list = admin.get_json("/admin/catalog/products/index").await.json();
    list["products"][0]["id"].as_str().unwrap().to_owned()
}

async fn category(admin: &Browser, body: Value) -> Value {
    let reply = admin
        .submit_json("/admin/catalog/categories/create", &body)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["category"].clone()
}

#[tokio::test]
async fn categories_form_a_tree_refuse_cycles_and_delete_into_the_parent() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let clothes = category(&admin, json!({"name": "Clothes", "position": 1})).await;
    assert_eq!(clothes["slug"], "clothes");
    assert_eq!(clothes["active"], true);
    let shoes = category(
        &admin,
        json!({"names": {"en": "Shoes", "de": "Schuhe"}, "parent_id": clothes["id"]}),
    )
    .await;
    let boots = category(
        &admin,
        json!({"name": "Boots", "slug": "winter-boots", "parent_id": shoes["id"], "in_menu": false}),
    )
    .await;
    let food = category(&admin, json!({"name": "Food", "position": 0})).await;

    let tree = admin
        .get_json("/admin/catalog/categories/index")
        .await
        .json();
    let lines: Vec<(String, u64)> = tree["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["depth"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("Food".to_owned(), 0),
            ("Clothes".to_owned(), 0),
            ("Shoes".to_owned(), 1),
            ("Boots".to_owned(), 2)
        ]
    );

    let duplicate = admin
        .submit_json(
            "/admin/catalog/categories/create",
            &json!({"name": "Clothes"}),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.json()["error"], "slug clothes already exists");

    let clothes_id = clothes["id"].as_str().unwrap();
    for parent in [&boots["id"], &clothes["id"]] {
        let cycle = admin
            .submit_json(
                "/admin/catalog/categories/edit",
                &json!({"id": clothes_id, "version": 1, "parent_id": parent}),
            )
            .await;
        assert_eq!(cycle.status, 422, "{}", cycle.body);
        assert_eq!(
            cycle.json()["error"],
            "a category cannot become its own ancestor"
        );
    }
    let moved = admin
        .submit_json(
            "/admin/catalog/categories/edit",
            &json!({"id": clothes_id, "version": 1, "parent_id": food["id"]}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["category"]["version"], 2);

    let sneaker = product(&admin, "SNEAK-1", "Sneaker", 4999, "active").await;
    let tagged = admin
        .submit_json(
            "/admin/catalog/products/edit",
            &json!({"id": sneaker["id"], "version": 1, "category_ids": [shoes["id"], food["id"]]}),
        )
        .await;
    assert_eq!(tagged.status, 200, "{}", tagged.body);

    // Every category and product page renders with the tree in it.
    let shoes_id = shoes["id"].as_str().unwrap();
    let sneaker_id = sneaker["id"].as_str().unwrap();
    for path in [
        "/admin/catalog/categories/create".to_owned(),
        format!("/admin/catalog/categories/edit?id={shoes_id}"),
        format!("/admin/catalog/categories/delete?id={shoes_id}"),
        format!("/admin/catalog/products/edit?id={sneaker_id}"),
        format!("/admin/catalog/products/show?id={sneaker_id}"),
    ] {
        let page = admin.get(&path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.text().contains("Shoes"), "{path}");
    }
    let edit_shoes = admin
        .get(&format!("/admin/catalog/categories/edit?id={shoes_id}"))
        .await
        .text();
    assert!(
        !edit_shoes.contains(&format!("value=\"{}\"", boots["id"].as_str().unwrap())),
        "a descendant is not offered as the parent"
    );
    let form_edit = admin
        .submit(
            "/admin/catalog/categories/edit",
            &[
                ("id", shoes_id),
                ("version", "1"),
                ("names.en", "Shoes"),
                ("names.de", "Schuhe"),
                ("slug", "shoes"),
                ("parent_id", clothes_id),
                ("position", "3"),
                ("active", "on"),
            ],
        )
        .await;
    assert!(
        form_edit.redirects_to("/admin/catalog/categories/index"),
        "{}",
        form_edit.body
    );

    let deleted = admin
        .submit_json(
            "/admin/catalog/categories/delete",
            &json!({"id": shoes["id"]}),
        )
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json()["children_moved"], 1);
    assert_eq!(deleted.json()["products_updated"], 1);
    let tree = admin
        .get_json("/admin/catalog/categories/index")
        .await
        .json();
    let boots_now = tree["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == boots["id"])
        .unwrap()
        .clone();
    assert_eq!(boots_now["parent_id"], clothes["id"], "moved to the parent");
    assert_eq!(boots_now["depth"], 2);
    assert_eq!(tree["categories"].as_array().unwrap().len(), 3);
    let sneaker = admin
        .get_json(&format!(
            "/admin/catalog/products/show?id={}",
            sneaker["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(sneaker["product"]["category_ids"], json!([food["id"]]));
    let gone = admin
        .submit_json(
            "/admin/catalog/categories/delete",
            &json!({"id": shoes["id"]}),
        )
        .await;
    assert_eq!(gone.status, 404);

    // The HTML tree page renders the indented tree.
    let page = admin.get("/admin/catalog/categories/index").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("— — Boots"), "{}", page.text());
}

#[tokio::test]
async fn a_user_allowed_to_list_but_not_edit_sees_no_edit_link_and_gets_403() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let shoe = product(&admin, "SHOE-1", "Red shoe", 1999, "active").await;
    app.user_with_rules(
        "viewer@example.com",
        PASSWORD,
        &[
            ("catalog", "products", "index", "allow"),
            ("catalog", "products", "show", "allow"),
        ],
    )
    .await;
    let viewer = app.signed_in("viewer@example.com", PASSWORD).await;
    let list = viewer.get("/admin/catalog/products/index").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let html = list.text();
    assert!(html.contains("Red shoe"));
    assert!(!html.contains("/admin/catalog/products/edit"), "{html}");
    assert!(!html.contains("/admin/catalog/products/create"));
    let id = shoe["id"].as_str().unwrap();
    let show = viewer
        .get(&format!("/admin/catalog/products/show?id={id}"))
        .await;
    assert_eq!(show.status, 200);
    assert!(!show.text().contains("/admin/catalog/products/edit"));
    assert!(!show.text().contains("Deactivate"));
    let edit_form = viewer
        .get(&format!("/admin/catalog/products/edit?id={id}"))
        .await;
    assert_eq!(edit_form.status, 403);
    let edit = viewer
        .submit_json(
            "/admin/catalog/products/edit",
            &json!({"id": id, "version": 1, "price": 1}),
        )
        .await;
    assert_eq!(edit.status, 403);
    let unchanged = admin
        .get_json(&format!("/admin/catalog/products/show?id={id}"))
        .await
        .json();
    assert_eq!(unchanged["product"]["price"], 1999);
}
