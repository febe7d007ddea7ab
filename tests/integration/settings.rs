//! Shop settings (host `shop` service): stores, locales, currencies, countries, tax rates and
//! tax sets under `/admin/settings/…`. Bad input is answered 422 naming the field; what is still
//! used cannot be deleted; every change is audited; the pages are ACL-checked.

use backoffice_tests::{Browser, TestApp};
use serde_json::{Value, json};

/// POSTs `body` as JSON to `path` and expects `status`; the answer.
async fn post(admin: &Browser, path: &str, body: Value, status: u16) -> Value {
    let reply = admin.submit_json(path, &body).await;
    assert_eq!(reply.status, status, "{path}: {}", reply.body);
    reply.json()
}

fn store(code: &str, currencies: &[&str]) -> Value {
    json!({
        "code": code, "name": format!("Store {code}"),
        "default_locale": "en_US", "locales": ["en_US"],
        "default_currency": currencies[0], "currencies": currencies,
        "countries": ["DE"], "timezone": "Europe/London",
    })
}

/// The codes of the records listed on a settings page.
async fn codes(admin: &Browser, controller: &str) -> Vec<String> {
    let page = admin
        .get_json(&format!("/admin/settings/{controller}/index"))
        .await
        .json();
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_seed_is_what_the_sections_used_before_settings() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    assert_eq!(codes(&admin, "stores").await, ["DE", "AT"]);
    assert_eq!(codes(&admin, "currencies").await, ["EUR", "CHF", "USD"]);
    assert_eq!(
        codes(&admin, "tax-sets").await,
        ["standard", "reduced", "zero"]
    );
    let html = admin.get("/admin/settings/tax-rates/index").await;
    assert_eq!(html.status, 200);
    assert!(html.body.contains("Germany standard"), "{}", html.body);
    assert!(html.body.contains("Every country"), "{}", html.body);
    // The Settings entry is in the menu.
    let home = admin.get("/admin").await;
    assert!(
        backoffice_tests::browser::unescape(&home.body)
            .contains("href=\"/admin/settings/stores/index\""),
        "{}",
        home.body
    );
}

#[tokio::test]
async fn bad_settings_are_refused_with_the_field_named() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let cases = [
        ("stores", store("DE", &["EUR"]), "Code"),
        ("stores", store("UK", &["GBP"]), "GBP is not defined"),
        ("stores", store("uk", &["EUR"]), "Code must be"),
        (
            "stores",
            json!({"code": "UK", "name": "UK", "default_locale": "en_GB", "default_currency": "EUR", "timezone": "Europe/London"}),
            "Default locale: en_GB",
        ),
        (
            "stores",
            json!({"code": "UK", "name": "UK", "default_locale": "en_US", "default_currency": "EUR", "timezone": "London"}),
            "Time zone",
        ),
        (
            "currencies",
            json!({"code": "EURO", "name": "Euro", "symbol": "€", "minor_units": "2"}),
            "Code must be three upper-case letters",
        ),
        (
            "currencies",
            json!({"code": "GBP", "name": "Pound", "symbol": "£", "minor_units": "7"}),
            "Minor units",
        ),
        (
            "tax-rates",
            json!({"code": "uk-standard", "name": "UK", "country": "DE", "percent": "100.5"}),
            "Percent",
        ),
        (
            "tax-rates",
            json!({"code": "uk-standard", "name": "UK", "country": "DE", "percent": "-3"}),
            "Percent",
        ),
        (
            "tax-rates",
            json!({"code": "uk-standard", "name": "UK", "country": "GB", "percent": "20"}),
            "Country: GB",
        ),
        (
            "tax-sets",
            json!({"code": "double", "name": "Two German rates", "rates": ["de-standard", "de-reduced"]}),
            "two rates for DE",
        ),
        (
            "locales",
            json!({"code": "english", "name": "English"}),
            "Code",
        ),
        (
            "countries",
            json!({"code": "DE", "name": "Again"}),
            "already exists",
        ),
    ];
    for (controller, body, message) in cases {
        let path = format!("/admin/settings/{controller}/create");
        let answer = post(&admin, &path, body.clone(), 422).await;
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(message), "{body}: {error}");
    }
    // Nothing of it was stored.
    assert_eq!(codes(&admin, "stores").await, ["DE", "AT"]);
    assert_eq!(codes(&admin, "currencies").await, ["EUR", "CHF", "USD"]);
}

#[tokio::test]
async fn settings_are_created_edited_and_deleted_and_every_change_is_audited() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    post(
        &admin,
        "/admin/settings/currencies/create",
        json!({"code": "GBP", "name": "Pound sterling", "symbol": "£", "minor_units": "2"}),
        200,
    )
    .await;
    post(
        &admin,
        "/admin/settings/countries/create",
        json!({"code": "GB", "name": "United Kingdom"}),
        200,
    )
    .await;
    let mut uk = store("UK", &["GBP"]);
    uk["countries"] = json!(["GB"]);
    let answer = post(&admin, "/admin/settings/stores/create", uk, 200).await;
    // The default locale and currency are always among the offered ones.
    assert_eq!(answer["item"]["currencies"], json!(["GBP"]));
    assert_eq!(codes(&admin, "stores").await, ["DE", "AT", "UK"]);

    // An edit keeps the code, whatever the form says.
    let mut edited = store("XX", &["GBP", "EUR"]);
    edited["name"] = json!("United Kingdom");
    edited["countries"] = json!(["GB"]);
    let answer = post(&admin, "/admin/settings/stores/edit?code=UK", edited, 200).await;
    assert_eq!(answer["item"]["code"], "UK");
    assert_eq!(answer["item"]["currencies"], json!(["GBP", "EUR"]));
    let form = admin.get("/admin/settings/stores/edit?code=UK").await;
    assert!(form.body.contains("United Kingdom"), "{}", form.body);
    assert_eq!(
        admin
            .get_json("/admin/settings/stores/edit?code=NOPE")
            .await
            .status,
        404
    );

    // GBP and GB are used by the store: refused, naming it.
    let refused = post(
        &admin,
        "/admin/settings/currencies/delete",
        json!({"code": "GBP"}),
        409,
    )
    .await;
    assert!(
        refused["error"].as_str().unwrap().contains("store UK"),
        "{refused}"
    );
    post(
        &admin,
        "/admin/settings/countries/delete",
        json!({"code": "GB"}),
        409,
    )
    .await;
    // A rate in a set, likewise.
    post(
        &admin,
        "/admin/settings/tax-rates/delete",
        json!({"code": "de-standard"}),
        409,
    )
    .await;

    post(
        &admin,
        "/admin/settings/stores/delete",
        json!({"code": "UK"}),
        200,
    )
    .await;
    post(
        &admin,
        "/admin/settings/currencies/delete",
        json!({"code": "GBP"}),
        200,
    )
    .await;
    assert_eq!(codes(&admin, "currencies").await, ["EUR", "CHF", "USD"]);

    let actions: Vec<String> = app.audit().await.into_iter().map(|r| r.action).collect();
    for action in [
        "currency.created",
        "country.created",
        "store.created",
        "store.updated",
        "store.deleted",
        "currency.deleted",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn settings_need_their_rights() {
    let app = TestApp::start().await;
    app.user_with_rules(
        "reader@example.com",
        "reader-password-1",
        &[("settings", "stores", "index", "allow")],
    )
    .await;
    let reader = app
        .signed_in("reader@example.com", "reader-password-1")
        .await;
    assert_eq!(reader.get("/admin/settings/stores/index").await.status, 200);
    assert_eq!(
        reader.get("/admin/settings/tax-sets/index").await.status,
        403
    );
    let reply = reader
        .submit_json("/admin/settings/stores/create", &store("UK", &["EUR"]))
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
}

/// The product form's choices, as catalog's JSON API answers them.
async fn product_form(admin: &Browser) -> Value {
    let form = admin.get_json("/admin/catalog/products/create").await;
    assert_eq!(form.status, 200, "{}", form.body);
    form.json()
}

#[tokio::test]
async fn a_store_and_a_currency_added_in_settings_reach_catalog_without_a_restart() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    assert_eq!(product_form(&admin).await["stores"], json!(["DE", "AT"]));
    post(
        &admin,
        "/admin/settings/currencies/create",
        json!({"code": "GBP", "name": "Pound sterling", "symbol": "£", "minor_units": "2"}),
        200,
    )
    .await;
    post(
        &admin,
        "/admin/settings/stores/create",
        store("UK", &["GBP"]),
        200,
    )
    .await;

    let form = product_form(&admin).await;
    assert_eq!(form["stores"], json!(["DE", "AT", "UK"]));
    let html = admin.get("/admin/catalog/products/create").await.text();
    assert!(html.contains("UK"), "{html}");
    let created = post(
        &admin,
        "/admin/catalog/products/create",
        json!({"sku": "TEA", "name": "Tea", "price": 500, "stores": ["UK"]}),
        200,
    )
    .await;
    assert_eq!(created["product"]["stores"], json!(["UK"]));
    let prices = admin
        .get_json("/admin/catalog/prices/index?sku=TEA")
        .await
        .json();
    assert!(
        prices["missing"]
            .as_array()
            .unwrap()
            .contains(&json!("GBP")),
        "{prices}"
    );
    post(
        &admin,
        "/admin/catalog/prices/edit",
        json!({"sku": "TEA", "currency": "GBP", "gross": 450}),
        200,
    )
    .await;
    let unknown = post(
        &admin,
        "/admin/catalog/products/create",
        json!({"sku": "MILK", "name": "Milk", "price": 100, "stores": ["FR"]}),
        422,
    )
    .await;
    assert!(
        unknown["error"].as_str().unwrap().contains("store FR"),
        "{unknown}"
    );
}

#[tokio::test]
async fn a_setting_a_section_still_uses_cannot_be_deleted() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    post(
        &admin,
        "/admin/settings/tax-sets/create",
        json!({"code": "books", "name": "Books", "rates": ["de-reduced", "at-reduced"]}),
        200,
    )
    .await;
    post(
        &admin,
        "/admin/catalog/products/create",
        json!({"sku": "NOVEL", "name": "Novel", "price": 1200, "tax_class": "books", "stores": ["AT"]}),
        200,
    )
    .await;
    post(
        &admin,
        "/admin/catalog/prices/edit",
        json!({"sku": "NOVEL", "currency": "CHF", "gross": 1500}),
        200,
    )
    .await;
    let refusals = [
        ("tax-sets", "books", "catalog: product NOVEL"),
        ("stores", "AT", "catalog: product NOVEL"),
        ("currencies", "CHF", "catalog: price of NOVEL"),
    ];
    for (controller, code, named) in refusals {
        let path = format!("/admin/settings/{controller}/delete");
        let refused = post(&admin, &path, json!({"code": code}), 409).await;
        let error = refused["error"].as_str().unwrap();
        assert!(error.contains(named), "{code}: {error}");
    }
    // An unknown tax set is refused by catalog, naming the ones that exist.
    let unknown = post(
        &admin,
        "/admin/catalog/products/create",
        json!({"sku": "ZINE", "name": "Zine", "price": 300, "tax_class": "luxury"}),
        422,
    )
    .await;
    assert!(
        unknown["error"]
            .as_str()
            .unwrap()
            .contains("standard, reduced, zero, books"),
        "{unknown}"
    );
    // Unused, it goes.
    post(
        &admin,
        "/admin/settings/tax-sets/create",
        json!({"code": "unused", "name": "Unused", "rates": []}),
        200,
    )
    .await;
    post(
        &admin,
        "/admin/settings/tax-sets/delete",
        json!({"code": "unused"}),
        200,
    )
    .await;
}

/// The tax included in `gross` at `rate` hundredths of a percent, rounded half up.
fn included(gross: i64, rate: i64) -> i64 {
    (gross * rate * 2 + 10_000 + rate) / ((10_000 + rate) * 2)
}

#[tokio::test]
async fn an_orders_tax_follows_the_products_tax_set_and_the_shipping_country() {
    use super::sales::{app_with, order, shopper, stock_of};
    let (app, admin) = app_with(&["catalog", "sales"]).await;
    for (sku, gross, tax_class) in [("BOOK", 10_700, "reduced"), ("LAMP", 11_900, "standard")] {
        post(
            &admin,
            "/admin/catalog/products/create",
            json!({"sku": sku, "name": sku, "price": gross, "tax_class": tax_class, "status": "active"}),
            200,
        )
        .await;
        stock_of(&admin, sku, 10).await;
    }
    // (country, BOOK's rate, LAMP's rate): Germany 7 % and 19 %, Austria 10 % and 20 %.
    for (country, book_rate, lamp_rate) in [("DE", 700, 1900), ("AT", 1000, 2000)] {
        let guest = shopper(&app).await;
        let mut cart = String::new();
        for sku in ["BOOK", "LAMP"] {
            let added = guest
                .submit_json(
                    "/cart/add",
                    &json!({"sku": sku, "quantity": 1, "cart": cart}),
                )
                .await;
            assert_eq!(added.status, 200, "{}", added.body);
            cart = added.json()["cart"].as_str().unwrap().to_owned();
        }
        let billing = json!({"first_name": "Ann", "last_name": "Tax", "street": "Ring",
            "house_number": "1", "zip": "1010", "city": "Somewhere", "country": country});
        let placed = guest
            .submit_json(
                "/checkout",
                &json!({"cart": cart, "email": "tax@example.com", "billing": billing}),
            )
            .await;
        assert_eq!(placed.status, 200, "{}", placed.body);
        let id = placed.json()["order_id"].as_str().unwrap().to_owned();
        let placed = order(&admin, &id).await;
        let o = &placed["order"];
        let items = o["items"].as_array().unwrap();
        assert_eq!(items[0]["tax_rate"], book_rate, "{o}");
        assert_eq!(items[0]["tax"], included(10_700, book_rate), "{o}");
        assert_eq!(items[1]["tax_rate"], lamp_rate);
        assert_eq!(items[1]["tax"], included(11_900, lamp_rate));
        let shipping = o["totals"]["shipping"].as_i64().unwrap();
        assert_eq!(
            o["totals"]["tax"],
            included(10_700, book_rate)
                + included(11_900, lamp_rate)
                + included(shipping, lamp_rate),
            "{o}"
        );
    }
}
