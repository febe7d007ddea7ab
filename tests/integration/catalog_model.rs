//! The catalog's product model beyond the first slice: attributes, concrete products (variants),
//! the abstract product's tax class / SEO / slugs / stores / attributes, list filters by
//! category and store, search & filter settings, and category product positions — as scripts
//! (JSON) and as a browser (forms) against the compiled `catalog` component.

use backoffice_tests::{Browser, TestApp};
use serde_json::{Value, json};

async fn ok(admin: &Browser, path: &str, body: Value) -> Value {
    let reply = admin.submit_json(path, &body).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.json()
}

async fn refused(admin: &Browser, path: &str, body: Value, status: u16, message: &str) {
    let reply = admin.submit_json(path, &body).await;
    assert_eq!(reply.status, status, "{path} {body}: {}", reply.body);
    assert_eq!(reply.json()["error"], message, "{path} {body}");
}

/// Colour (super, select), size (super, select), material (text, full-text), weight (number).
pub async fn seed_attributes(admin: &Browser) {
    for body in [
        json!({"key": "color", "input_type": "select", "is_super": true,
               "values": ["red", "blue"], "labels": {"en": "Colour", "de": "Farbe"},
               "value_labels": {"red": {"de": "Rot"}}}),
        json!({"key": "size", "input_type": "select", "is_super": true, "values": ["S", "M", "L"]}),
        json!({"key": "material", "input_type": "text", "label": "Material"}),
        json!({"key": "weight", "input_type": "number", "label": "Weight"}),
    ] {
        ok(admin, "/admin/catalog/attributes/create", body).await;
    }
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
async fn attributes_have_types_values_labels_and_a_super_flag_fixed_at_creation() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    seed_attributes(&admin).await;

    let list = admin
        .get_json("/admin/catalog/attributes/index")
        .await
        .json();
    let keys: Vec<&str> = list["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["color", "material", "size", "weight"]);
    let color = &list["attributes"][0];
    assert_eq!(color["is_super"], true);
    assert_eq!(color["value_labels"]["red"]["de"], "Rot");

    let create = "/admin/catalog/attributes/create";
    refused(
        &admin,
        create,
        json!({"key": "color", "input_type": "text"}),
        409,
        "attribute color already exists",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"key": "Bad Key", "input_type": "text"}),
        422,
        "key must be 1 to 64 characters: lower-case letters, digits or '_'",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"key": "fit", "input_type": "colour"}),
        422,
        "input_type must be one of text, number, select, boolean",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"key": "fit", "input_type": "select"}),
        422,
        "a select attribute needs at least one value",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"key": "fit", "input_type": "text", "is_super": true}),
        422,
        "a super attribute must be of input type select",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"key": "fit", "input_type": "select", "values": ["a"],
        "value_labels": {"b": {"en": "B"}}}),
        422,
        "value_labels: b is not one of the values",
    )
    .await;

    let id = color["id"].as_str().unwrap();
    let edit = "/admin/catalog/attributes/edit";
    refused(
        &admin,
        edit,
        json!({"id": id, "version": 1, "is_super": false}),
        422,
        "the super-attribute flag can only be set when the attribute is created",
    )
    .await;
    refused(
        &admin,
        edit,
        json!({"id": id, "version": 1, "key": "colour"}),
        422,
        "the key of an attribute cannot be changed",
    )
    .await;
    let saved = ok(
        &admin,
        edit,
        json!({"id": id, "version": 1, "values": ["red", "blue", "green"]}),
    )
    .await;
    assert_eq!(
        saved["attribute"]["values"],
        json!(["red", "blue", "green"])
    );
    assert_eq!(saved["attribute"]["is_super"], true);

    // As a browser: the form creates an attribute with one value per line.
    let form = admin.get("/admin/catalog/attributes/create").await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("Super attribute"));
    let created = admin
        .submit(
            create,
            &[
                ("key", "fit"),
                ("input_type", "select"),
                ("values", "slim\nregular\n"),
                ("labels.en", "Fit"),
                ("labels.de", "Passform"),
            ],
        )
        .await;
    assert!(
        created.redirects_to("/admin/catalog/attributes/index"),
        "{}",
        created.body
    );
    let page = admin.get("/admin/catalog/attributes/index").await.text();
    assert!(page.contains("slim, regular"), "{page}");
}

#[tokio::test]
async fn variants_have_unique_skus_distinct_super_values_validity_and_can_be_discontinued() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    seed_attributes(&admin).await;
    let shirt = ok(
        &admin,
        "/admin/catalog/products/create",
        json!({
            "sku": "SHIRT", "name": "Shirt", "price": 2500, "status": "active",
            "attributes": {"material": "cotton"}
        }),
    )
    .await["product"]
        .clone();
    let shirt_id = shirt["id"].as_str().unwrap();
    let create = "/admin/catalog/variants/create";
    let red_m = ok(
        &admin,
        create,
        json!({
            "product_id": shirt_id, "sku": "SHIRT-RED-M",
            "attributes": {"color": "red", "size": "M"}, "valid_from": "2020-01-01"
        }),
    )
    .await["variant"]
        .clone();
    assert_eq!(red_m["abstract_sku"], "SHIRT");
    assert_eq!(red_m["active"], true);
    assert_eq!(red_m["name"], "Shirt (color=red, size=M)");
    ok(
        &admin,
        create,
        json!({"product_id": shirt_id, "sku": "SHIRT-BLUE-M",
        "attributes": {"color": "blue", "size": "M"}}),
    )
    .await;

    refused(
        &admin,
        create,
        json!({"product_id": shirt_id, "sku": "SHIRT-RED-M",
        "attributes": {"color": "red", "size": "S"}}),
        409,
        "SKU SHIRT-RED-M already exists",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"product_id": shirt_id, "sku": "SHIRT",
        "attributes": {"color": "red", "size": "L"}}),
        409,
        "SKU SHIRT already exists",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"product_id": shirt_id, "sku": "SHIRT-RED-M2",
        "attributes": {"color": "red", "size": "M"}}),
        422,
        "variant SHIRT-RED-M already has the same super-attribute values (color=red, size=M)",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"product_id": shirt_id, "sku": "X1",
        "attributes": {"color": "green"}}),
        422,
        "attribute color must be one of: red, blue",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"product_id": shirt_id, "sku": "X1",
        "attributes": {"shade": "dark"}}),
        422,
        "attribute shade does not exist",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"product_id": shirt_id, "sku": "X1",
        "valid_from": "2026-02-30"}),
        422,
        "valid_from must be a date (YYYY-MM-DD)",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"product_id": shirt_id, "sku": "X1",
        "valid_from": "2026-03-01", "valid_to": "2026-02-01"}),
        422,
        "valid_from must not be after valid_to",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"product_id": "nope", "sku": "X1"}),
        422,
        "product nope does not exist",
    )
    .await;
    // An abstract product cannot take a variant's SKU either.
    refused(
        &admin,
        "/admin/catalog/products/create",
        json!({"sku": "SHIRT-BLUE-M",
        "name": "Clash", "price": 1}),
        409,
        "SKU SHIRT-BLUE-M already exists",
    )
    .await;

    // Variants show on the product, and their SKUs find the abstract product.
    let show = admin
        .get_json(&format!("/admin/catalog/products/show?id={shirt_id}"))
        .await
        .json();
    let variant_skus: Vec<&str> = show["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sku"].as_str().unwrap())
        .collect();
    assert_eq!(variant_skus, ["SHIRT-BLUE-M", "SHIRT-RED-M"]);
    let found = admin
        .get_json("/admin/catalog/products/index?q=SHIRT-BLUE-M")
        .await
        .json();
    assert_eq!(
        skus(&found),
        ["SHIRT"],
        "a concrete SKU finds its abstract product"
    );

    // Edit with the version, then discontinue with a note.
    let id = red_m["id"].as_str().unwrap();
    let stale = admin
        .submit_json(
            "/admin/catalog/variants/edit",
            &json!({"id": id, "version": 7, "active": false}),
        )
        .await;
    assert_eq!(stale.status, 409);
    let edited = ok(
        &admin,
        "/admin/catalog/variants/edit",
        json!({"id": id, "version": 1, "valid_to": "2030-12-31"}),
    )
    .await;
    assert_eq!(edited["variant"]["valid_to"], "2030-12-31");
    let gone = ok(
        &admin,
        "/admin/catalog/variants/discontinue",
        json!({"id": id, "note": "Supplier stopped it"}),
    )
    .await;
    assert_eq!(gone["variant"]["discontinued"], true);
    assert_eq!(gone["variant"]["active"], false);
    assert_eq!(gone["variant"]["discontinued_note"], "Supplier stopped it");

    // As a browser: the variant form with attribute selects.
    let form = admin
        .get(&format!(
            "/admin/catalog/variants/create?product_id={shirt_id}"
        ))
        .await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("name=\"attr.color\""), "{}", form.body);
    let created = admin
        .submit(
            create,
            &[
                ("product_id", shirt_id),
                ("sku", "SHIRT-RED-L"),
                ("active", "on"),
                ("attr.color", "red"),
                ("attr.size", "L"),
                ("valid_from", ""),
                ("valid_to", ""),
            ],
        )
        .await;
    assert!(
        created.redirects_to("/admin/catalog/products/show"),
        "{}",
        created.body
    );
    let page = admin
        .get(&format!("/admin/catalog/products/show?id={shirt_id}"))
        .await
        .text();
    assert!(page.contains("SHIRT-RED-L"), "{page}");
    assert!(page.contains("Supplier stopped it"), "{page}");
}

#[tokio::test]
async fn abstract_products_carry_tax_class_seo_slugs_stores_and_attributes() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    seed_attributes(&admin).await;
    let created = ok(
        &admin,
        "/admin/catalog/products/create",
        json!({
            "sku": "MUG-1", "names": {"en": "Big mug", "de": "Große Tasse"}, "price": 900,
            "tax_class": "reduced", "stores": ["DE"],
            "meta_title": {"en": "Mug to buy"}, "slugs": {"en": "big-mug", "de": "grosse-tasse"},
            "attributes": {"weight": "350", "material": "clay"}
        }),
    )
    .await["product"]
        .clone();
    assert_eq!(created["tax_class"], "reduced");
    assert_eq!(created["stores"], json!(["DE"]));
    assert_eq!(created["slug"], "big-mug");
    assert_eq!(
        created["attributes"],
        json!({"material": "clay", "weight": 350})
    );
    let plain = ok(
        &admin,
        "/admin/catalog/products/create",
        json!({"sku": "PLATE-2", "name": "Flat plate", "price": 500}),
    )
    .await["product"]
        .clone();
    assert_eq!(plain["tax_class"], "standard");
    assert_eq!(
        plain["stores"],
        json!(["DE", "AT"]),
        "all stores by default"
    );
    assert_eq!(
        plain["slug"], "flat-plate-plate-2",
        "derived from name and SKU"
    );

    let create = "/admin/catalog/products/create";
    refused(
        &admin,
        create,
        json!({"sku": "A1", "name": "A", "price": 1, "tax_class": "luxury"}),
        422,
        "tax_class luxury does not exist (under Settings: standard, reduced, zero)",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"sku": "A1", "name": "A", "price": 1, "stores": ["US"]}),
        422,
        "store US does not exist (under Settings: DE, AT)",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"sku": "A1", "name": "A", "price": 1, "slug": "big-mug"}),
        409,
        "slug big-mug already exists",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"sku": "A1", "name": "A", "price": 1, "slug": "Big Mug"}),
        422,
        "slug must be 1 to 100 characters: lower-case letters, digits or '-'",
    )
    .await;
    refused(
        &admin,
        create,
        json!({"sku": "A1", "name": "A", "price": 1, "attributes": {"weight": "heavy"}}),
        422,
        "attribute weight must be a number",
    )
    .await;
    let listed = admin.get_json("/admin/catalog/products/index").await.json();
    assert_eq!(listed["total"], 2, "nothing half-written by the refusals");

    // Filters: by store and by category (many-valued, through the search index).
    let shoes = ok(
        &admin,
        "/admin/catalog/categories/create",
        json!({"name": "Kitchen"}),
    )
    .await;
    let kitchen = shoes["category"]["id"].as_str().unwrap().to_owned();
    let mug_id = created["id"].as_str().unwrap();
    ok(
        &admin,
        "/admin/catalog/products/edit",
        json!({"id": mug_id, "version": 1, "category_ids": [kitchen]}),
    )
    .await;
    let in_at = admin
        .get_json("/admin/catalog/products/index?store=AT")
        .await
        .json();
    assert_eq!(skus(&in_at), ["PLATE-2"]);
    let in_kitchen = admin
        .get_json(&format!("/admin/catalog/products/index?category={kitchen}"))
        .await
        .json();
    assert_eq!(skus(&in_kitchen), ["MUG-1"]);
    let bad = admin
        .get_json("/admin/catalog/products/index?store=XX")
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"], "store must be one of DE, AT");
    // Deleting the category takes it off the product and out of the filter.
    ok(
        &admin,
        "/admin/catalog/categories/delete",
        json!({"id": kitchen}),
    )
    .await;
    let after = admin
        .get_json(&format!("/admin/catalog/products/index?category={kitchen}"))
        .await
        .json();
    assert_eq!(after["total"], 0);

    // As a browser: the form shows the new fields and saves them.
    let form = admin
        .get(&format!("/admin/catalog/products/edit?id={mug_id}"))
        .await
        .text();
    for field in [
        "name=\"tax_class\"",
        "name=\"stores\"",
        "name=\"slugs.de\"",
        "name=\"meta_title.en\"",
        "name=\"attr.weight\"",
    ] {
        assert!(form.contains(field), "{field} in {form}");
    }
    assert!(
        !form.contains("name=\"attr.color\""),
        "super attributes belong to variants"
    );
}

#[tokio::test]
async fn search_settings_make_attribute_values_searchable_and_validate_filters() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    seed_attributes(&admin).await;
    ok(
        &admin,
        "/admin/catalog/products/create",
        json!({
            "sku": "JACKET", "name": "Jacket", "price": 9900, "attributes": {"material": "linen"}
        }),
    )
    .await;
    let before = admin
        .get_json("/admin/catalog/products/index?q=linen")
        .await
        .json();
    assert_eq!(before["total"], 0, "material is not full-text yet");

    let edit = "/admin/catalog/search/edit";
    refused(
        &admin,
        edit,
        json!({"settings": [{"key": "material", "full_text": true, "filter": "range"}]}),
        422,
        "a range filter needs a number attribute; material is text",
    )
    .await;
    refused(
        &admin,
        edit,
        json!({"settings": [{"key": "nope", "filter": "single"}]}),
        422,
        "attribute nope does not exist",
    )
    .await;
    refused(
        &admin,
        edit,
        json!({"settings": [{"key": "material", "filter": "some"}]}),
        422,
        "filter of material must be one of none, single, multi, range",
    )
    .await;
    ok(
        &admin,
        edit,
        json!({"settings": [
            {"key": "material", "full_text": true, "filter": "multi", "position": 2},
            {"key": "weight", "filter": "range", "position": 1}
        ]}),
    )
    .await;
    let reindexed = ok(&admin, "/admin/catalog/search/reindex", json!({})).await;
    assert_eq!(reindexed["reindexed"], 1);
    assert!(reindexed["next"].is_null());
    let found = admin
        .get_json("/admin/catalog/products/index?q=linen")
        .await
        .json();
    assert_eq!(skus(&found), ["JACKET"]);

    // As a browser: the settings page lists every attribute with its settings.
    let page = admin.get("/admin/catalog/search/index").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("name=\"filter.color\""), "{text}");
    let saved = admin
        .submit(
            edit,
            &[
                ("filter.color", "single"),
                ("position.color", "0"),
                ("full_text.color", "on"),
            ],
        )
        .await;
    assert!(
        saved.redirects_to("/admin/catalog/search/index"),
        "{}",
        saved.body
    );
    let settings = admin.get_json("/admin/catalog/search/index").await.json();
    let color = settings["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "color")
        .unwrap()
        .clone();
    assert_eq!(color["filter"], "single");
    assert_eq!(color["full_text"], true);
}

#[tokio::test]
async fn category_products_get_positions_and_only_members_are_accepted() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let cat = ok(
        &admin,
        "/admin/catalog/categories/create",
        json!({"name": "Tea"}),
    )
    .await;
    let tea = cat["category"]["id"].as_str().unwrap().to_owned();
    assert_eq!(cat["category"]["clickable"], true);
    assert_eq!(cat["category"]["searchable"], true);
    let mut ids = Vec::new();
    for (sku, name) in [("T1", "Assam"), ("T2", "Darjeeling"), ("T3", "Sencha")] {
        let p = ok(
            &admin,
            "/admin/catalog/products/create",
            json!({"sku": sku, "name": name, "price": 400, "category_ids": [tea]}),
        )
        .await;
        ids.push(p["product"]["id"].as_str().unwrap().to_owned());
    }
    let outsider = ok(
        &admin,
        "/admin/catalog/products/create",
        json!({"sku": "C1", "name": "Coffee", "price": 400}),
    )
    .await["product"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let save = "/admin/catalog/categories/products";
    refused(
        &admin,
        save,
        json!({"id": tea, "positions": {outsider.clone(): 1}}),
        422,
        &format!("product {outsider} is not in category {tea}"),
    )
    .await;
    ok(
        &admin,
        save,
        json!({"id": tea, "positions": {ids[2].clone(): 1, ids[0].clone(): 2}}),
    )
    .await;
    let page = admin
        .get_json(&format!("/admin/catalog/categories/products?id={tea}"))
        .await
        .json();
    let order: Vec<&str> = page["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["T3", "T1", "T2"]);

    // As a browser.
    let html = admin
        .get(&format!("/admin/catalog/categories/products?id={tea}"))
        .await
        .text();
    assert!(
        html.contains(&format!("name=\"position.{}\"", ids[1])),
        "{html}"
    );
    let field = format!("position.{}", ids[1]);
    let saved = admin
        .submit(save, &[("id", tea.as_str()), (field.as_str(), "0")])
        .await;
    assert!(
        saved.redirects_to("/admin/catalog/categories/products"),
        "{}",
        saved.body
    );
    let bad = admin
        .submit(save, &[("id", tea.as_str()), (field.as_str(), "first")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text().contains("position must be an integer"),
        "{}",
        bad.body
    );
}
