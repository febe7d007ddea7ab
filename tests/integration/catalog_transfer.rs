//! CSV import and export of products: row-level errors with line numbers, good rows imported,
//! nothing of a bad row written, re-import idempotent by SKU, export → import round trip.

use backoffice_tests::{Browser, TestApp};
use serde_json::{Value, json};

use crate::catalog_model::seed_attributes;

async fn import(admin: &Browser, csv: &str) -> Value {
    let reply = admin
        .submit_json("/admin/catalog/products/import", &json!({ "csv": csv }))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["report"].clone()
}

const GOOD_AND_BAD: &str = "\
abstract_sku,concrete_sku,name.en,name.de,status,categories,price.EUR.gross,price.EUR.net,attr.color,attr.size
SHIRT,,Shirt,Hemd,active,tops,2500,2100,,
SHIRT,SHIRT-RED-M,,,active,tops,,,red,M
SHIRT,SHIRT-BLUE-M,,,active,tops,,,blue,M
MUG,,\"Mug, big\",Tasse,inactive,,900,,,
BAD SKU,,Broken,,active,,100,,,
PLATE,,Plate,,active,nowhere,100,,,
BOWL,,Bowl,,active,,12.50,,,
SHIRT,SHIRT-RED-M2,,,active,tops,,,red,M
CUP,,Cup,,active,,100,,
SHIRT,MUG,,,active,tops,,,red,L
";

#[tokio::test]
async fn import_reports_bad_rows_by_line_imports_good_rows_and_is_idempotent() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    seed_attributes(&admin).await;
    admin
        .submit_json(
            "/admin/catalog/categories/create",
            &json!({"name": "Tops", "slug": "tops"}),
        )
        .await;

    let report = import(&admin, GOOD_AND_BAD).await;
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(
        report["updated"], 2,
        "the variant rows add to SHIRT: {report}"
    );
    assert_eq!(report["failed"], 6, "{report}");
    let errors: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (
                6,
                "sku must be 1 to 64 characters: letters, digits, '.', '_' or '-'"
            ),
            (7, "category nowhere does not exist"),
            (
                8,
                "price.EUR.gross must be a non-negative integer number of cents"
            ),
            (
                9,
                "variant SHIRT-RED-M already has the same super-attribute values (color=red, size=M)"
            ),
            (10, "9 fields where the header has 10"),
            (11, "SKU MUG already exists"),
        ]
    );
    // Nothing of the bad rows exists.
    let list = admin
        .get_json("/admin/catalog/products/index?sort=sku")
        .await
        .json();
    let skus: Vec<&str> = list["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["MUG", "SHIRT"]);
    let shirt = &list["products"][1];
    assert_eq!(shirt["names"], json!({"en": "Shirt", "de": "Hemd"}));
    assert_eq!(shirt["prices"]["EUR"], json!({"gross": 2500, "net": 2100}));
    let mug = &list["products"][0];
    assert_eq!(mug["name"], "Mug, big");
    let detail = admin
        .get_json(&format!(
            "/admin/catalog/products/show?id={}",
            shirt["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(detail["variants"].as_array().unwrap().len(), 2);

    // The same file again: every good row is unchanged, the bad ones fail the same way.
    let again = import(&admin, GOOD_AND_BAD).await;
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64(),
            again["failed"].as_u64()
        ),
        (Some(0), Some(0), Some(4), Some(6)),
        "{again}"
    );
    let versions = admin
        .get_json("/admin/catalog/products/index?sort=sku")
        .await
        .json();
    assert_eq!(
        versions["products"][0]["version"], mug["version"],
        "no write for an unchanged row"
    );

    // A change is an update by SKU.
    let changed = import(
        &admin,
        "abstract_sku,name.en,price.EUR.gross\nMUG,Mug,950\n",
    )
    .await;
    assert_eq!(changed["updated"], 1);
    let mug = admin
        .get_json("/admin/catalog/products/index?q=MUG")
        .await
        .json();
    assert_eq!(mug["products"][0]["price"], 950);
    assert_eq!(
        mug["products"][0]["names"]["de"], "Tasse",
        "columns not sent are kept"
    );
}

#[tokio::test]
async fn a_bad_file_is_refused_as_a_whole_and_export_imports_back_unchanged() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    seed_attributes(&admin).await;
    for (csv, message) in [
        ("sku,name.en\nA,B\n", "unknown column \"sku\" in the header"),
        (
            "abstract_sku,name.en,name.en\nA,B,C\n",
            "column \"name.en\" appears twice",
        ),
        ("name.en\nA\n", "the header needs an abstract_sku column"),
        ("abstract_sku,price.USD.gross\nA,100\n", ""),
    ] {
        let reply = admin
            .submit_json("/admin/catalog/products/import", &json!({ "csv": csv }))
            .await;
        if message.is_empty() {
            // Other currencies are row errors (the row is refused, the file is read).
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert_eq!(reply.json()["report"]["failed"], 1);
        } else {
            assert_eq!(reply.status, 422, "{csv}: {}", reply.body);
            assert_eq!(reply.json()["error"], message);
        }
    }
    let empty = admin
        .submit_json("/admin/catalog/products/import", &json!({ "csv": "  " }))
        .await;
    assert_eq!(empty.status, 400);
    let list = admin.get_json("/admin/catalog/products/index").await.json();
    assert_eq!(list["total"], 0);

    // Build a catalog through the forms' JSON API, export it, import the export.
    admin
        .submit_json(
            "/admin/catalog/categories/create",
            &json!({"name": "Tops", "slug": "tops"}),
        )
        .await;
    let tops = admin
        .get_json("/admin/catalog/categories/index")
        .await
        .json()["categories"][0]["id"]
        .clone();
    let shirt = admin
        .submit_json("/admin/catalog/products/create", &json!({
            "sku": "SHIRT", "names": {"en": "Shirt \"classic\"", "de": "Hemd"},
            "description": {"en": "Line one\nline two, with comma"}, "price": 2500, "price_net": 2100,
            "status": "active", "category_ids": [tops], "stores": ["AT"], "tax_class": "reduced",
            "attributes": {"material": "cotton", "weight": 180}
        }))
        .await
        .json()["product"]
        .clone();
    admin
        .submit_json("/admin/catalog/variants/create", &json!({
            "product_id": shirt["id"], "sku": "SHIRT-RED-M", "attributes": {"color": "red", "size": "M"}
        }))
        .await;
    let export = admin.get("/admin/catalog/products/export").await;
    assert_eq!(export.status, 200);
    let csv = export.body.clone();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(
        lines[0].starts_with("abstract_sku,concrete_sku,name.en,name.de"),
        "{csv}"
    );
    assert!(csv.contains("SHIRT,SHIRT-RED-M,"), "{csv}");
    assert!(csv.contains("\"Shirt \"\"classic\"\"\""), "{csv}");
    let report = import(&admin, &csv).await;
    assert_eq!(report["unchanged"], 2, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
}

#[tokio::test]
async fn the_import_page_takes_pasted_csv_and_shows_the_report() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let page = admin.get("/admin/catalog/products/import").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("enctype=\"multipart/form-data\""));
    let reply = admin
        .submit(
            "/admin/catalog/products/import",
            &[(
                "csv",
                "abstract_sku,name.en,price.EUR.gross\nA-1,Apple,100\nB 2,Pear,100\n",
            )],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let text = reply.text();
    assert!(text.contains("1 created"), "{text}");
    assert!(text.contains("<strong>1 failed</strong>"), "{text}");
    assert!(text.contains("<td>3</td>"), "{text}");
}
