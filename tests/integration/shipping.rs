//! The shipping section (first-party plugin `plugins/shipping`) with the real catalog and sales
//! components: carriers and shipment methods in the Back Office, the methods sales offers at
//! checkout through its extension point `sales.shipment-methods`, what an order keeps of the
//! chosen method, and the payment methods sales activates per store with a process each.

use backoffice_tests::shipping::{FLAT, FLAT_RATE, create_carrier};
use backoffice_tests::{Browser, Reply, TestApp};
use serde_json::{Value, json};

use super::sales::{
    address, app_with, guest_cart, guest_checkout_with, item_states, order, simple_product, trigger,
};

/// Catalog, sales and shipping, set up to sell at the flat rate; a product `MUG` at 10.00.
async fn app() -> (TestApp, Browser) {
    let (app, admin) = app_with(&["catalog", "sales"]).await;
    simple_product(&admin, "MUG", "Mug", 1000, 100).await;
    (app, admin)
}

/// POSTs a shipment method; the reply.
async fn post_method(admin: &Browser, action: &str, body: Value) -> Reply {
    admin
        .submit_json(&format!("/admin/shipping/methods/{action}"), &body)
        .await
}

/// Creates a method (must succeed); its record as answered.
async fn method(admin: &Browser, body: Value) -> Value {
    let reply = post_method(admin, "create", body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["method"].clone()
}

/// A method body of carrier `carrier` sold in store DE at `gross` EUR, with `extra` fields.
fn de_method(key: &str, carrier: &str, gross: i64, extra: Value) -> Value {
    let mut body = json!({
        "key": key, "name": format!("Method {key}"), "carrier": carrier, "stores": ["DE"],
        "delivery_text": "1–2 days", "min_days": 1, "max_days": 2,
        "prices": [{"store": "DE", "currency": "EUR", "gross": gross, "net": gross * 100 / 119}],
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

/// The flat method of `shipping::ready_to_sell` as listed.
async fn flat(admin: &Browser) -> Value {
    let listed = admin
        .get_json(&format!("/admin/shipping/methods/index?q={FLAT}"))
        .await
        .json();
    listed["methods"][0].clone()
}

/// The codes of the methods the checkout page offers for `cart`.
async fn offered(guest: &Browser, cart: &str) -> Vec<String> {
    let page = guest.get_json(&format!("/checkout?cart={cart}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["priced"]["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect()
}

fn error(reply: &Reply) -> String {
    reply.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn order_count(admin: &Browser) -> usize {
    let list = admin.get_json("/admin/sales/orders/index").await.json();
    list["orders"].as_array().unwrap().len()
}

fn placed_id(reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["order_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_method_holds_one_price_per_store_and_currency() {
    let (_app, admin) = app().await;
    let dhl = create_carrier(&admin, "DHL").await;
    let twice = json!([
        {"store": "DE", "currency": "EUR", "gross": 500, "net": 420},
        {"store": "DE", "currency": "EUR", "gross": 600, "net": 504},
    ]);
    let refused = post_method(
        &admin,
        "create",
        de_method("twice", &dhl, 0, json!({"prices": twice})),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        error(&refused),
        "prices[1]: a price for store DE in EUR is given twice (one price per store and currency)"
    );
    let created = method(&admin, de_method("once", &dhl, 500, json!({}))).await;
    let edit = json!({"id": created["id"], "version": created["version"], "prices": twice});
    let refused = post_method(&admin, "edit", edit).await;
    assert_eq!(
        refused.status, 422,
        "an edit cannot add a second one either"
    );
    // Setting the price again replaces it: still one price for DE in EUR.
    let price = json!([{"store": "DE", "currency": "EUR", "gross": 650, "net": 546}]);
    let edit = json!({"id": created["id"], "version": created["version"], "prices": price});
    let edited = post_method(&admin, "edit", edit).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.json()["method"]["prices"], price);
    // The Back Office form has one cell per store and currency.
    let form = admin
        .get(&format!(
            "/admin/shipping/methods/edit?id={}",
            created["id"].as_str().unwrap()
        ))
        .await
        .text();
    assert_eq!(
        form.matches("name=\"price.DE.EUR.gross\"").count(),
        1,
        "{form}"
    );
    assert!(form.contains("value=\"6.50\""), "shown in euros: {form}");
}

#[tokio::test]
async fn an_unavailable_method_is_never_offered_and_is_refused_when_posted_anyway() {
    let (app, admin) = app().await;
    let dhl = create_carrier(&admin, "DHL").await;
    method(
        &admin,
        de_method("austria", &dhl, 300, json!({"countries": ["AT"]})),
    )
    .await;
    method(
        &admin,
        de_method("bulky", &dhl, 200, json!({"min_subtotal": {"EUR": 10_000}})),
    )
    .await;
    method(
        &admin,
        de_method("resting", &dhl, 100, json!({"active": false})),
    )
    .await;
    let off = create_carrier(&admin, "Gone Ltd").await;
    let edit = json!({"id": off, "active": false});
    let reply = admin
        .submit_json("/admin/shipping/carriers/edit", &edit)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    method(&admin, de_method("gone", &off, 50, json!({}))).await;

    let (guest, cart) = guest_cart(&app, &[("MUG", 2)]).await;
    assert_eq!(offered(&guest, &cart).await, [FLAT], "German cart of 20.00");
    let html = guest.get(&format!("/checkout?cart={cart}")).await.text();
    assert!(
        html.contains("Standard delivery (flat rate) (Standard Post): 4.95 · 2–3 working days"),
        "price and delivery time are shown: {html}"
    );
    for forged in ["austria", "bulky", "resting", "gone", "free"] {
        let placed = guest
            .submit_json(
                "/checkout",
                &json!({"cart": cart, "email": "forger@example.com", "billing": address("Forger"),
                        "shipment": forged}),
            )
            .await;
        assert_eq!(placed.status, 422, "{forged}: {}", placed.body);
        assert_eq!(
            error(&placed),
            format!("shipment method {forged} is not available for this order (available: flat)")
        );
    }
    assert_eq!(order_count(&admin).await, 0, "no forged order was placed");
    // Shipped to Austria, the Austrian method is available (and the cheaper one).
    let mut austrian = address("Vienna");
    austrian["country"] = json!("AT");
    let placed = guest
        .submit_json(
            "/checkout",
            &json!({"cart": cart, "email": "at@example.com", "billing": austrian,
                    "shipment": "austria"}),
        )
        .await;
    let o = order(&admin, &placed_id(&placed)).await;
    assert_eq!(o["order"]["shipment"]["method"], "austria");
    assert_eq!(o["order"]["totals"]["shipping"], 300);
    // A large cart meets the bulky method's minimum.
    let (big, big_cart) = guest_cart(&app, &[("MUG", 10)]).await;
    assert_eq!(
        offered(&big, &big_cart).await,
        ["bulky", FLAT],
        "cheapest first"
    );
}

#[tokio::test]
async fn shipping_is_free_from_the_methods_threshold_in_the_carts_currency() {
    let (app, admin) = app().await;
    let flat = flat(&admin).await;
    let edit = json!({"id": flat["id"], "free_from": {"EUR": 5000}});
    let edited = post_method(&admin, "edit", edit).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let below = guest_checkout_with(&app, &[("MUG", 4)], json!({})).await;
    let o = order(&admin, &placed_id(&below)).await;
    assert_eq!(o["order"]["totals"]["shipping"], FLAT_RATE, "40.00 < 50.00");
    let (guest, cart) = guest_cart(&app, &[("MUG", 5)]).await;
    let page = guest
        .get_json(&format!("/checkout?cart={cart}"))
        .await
        .json();
    assert_eq!(page["priced"]["shipping"], 0, "{page}");
    assert_eq!(page["priced"]["methods"][0]["free_from"], 5000);
    let at = guest_checkout_with(&app, &[("MUG", 5)], json!({})).await;
    let o = order(&admin, &placed_id(&at)).await;
    assert_eq!(o["order"]["totals"]["shipping"], 0, "50.00 reaches it");
    assert_eq!(o["order"]["totals"]["grand_total"], 5000);
    assert_eq!(o["order"]["shipment"]["tax"], 0);
}

/// The tax included in `gross` at `rate` hundredths of a percent, rounded half up.
fn included(gross: i64, rate: i64) -> i64 {
    (gross * rate * 2 + 10_000 + rate) / ((10_000 + rate) * 2)
}

#[tokio::test]
async fn shipping_is_taxed_at_the_methods_tax_set_for_the_shipping_country() {
    let (app, admin) = app().await;
    let flat = flat(&admin).await;
    let edit = json!({"id": flat["id"], "tax_set": "reduced"});
    assert_eq!(post_method(&admin, "edit", edit).await.status, 200);
    // The mug is taxed at the standard rate, shipping at the reduced one: 7 % in Germany, 10 %
    // in Austria.
    for (country, mug_rate, shipping_rate) in [("DE", 1900, 700), ("AT", 2000, 1000)] {
        let mut billing = address("Tax");
        billing["country"] = json!(country);
        let placed = guest_checkout_with(&app, &[("MUG", 1)], json!({"billing": billing})).await;
        let o = order(&admin, &placed_id(&placed)).await;
        let shipment = &o["order"]["shipment"];
        assert_eq!(shipment["tax_set"], "reduced");
        assert_eq!(shipment["tax_rate"], shipping_rate, "{country}");
        assert_eq!(shipment["tax"], included(FLAT_RATE, shipping_rate));
        assert_eq!(
            o["order"]["totals"]["tax"],
            included(1000, mug_rate) + included(FLAT_RATE, shipping_rate),
            "{country}"
        );
    }
}

#[tokio::test]
async fn changing_or_deleting_a_method_leaves_placed_orders_unchanged() {
    let (app, admin) = app().await;
    let placed = guest_checkout_with(&app, &[("MUG", 1)], json!({})).await;
    let id = placed_id(&placed);
    let before = order(&admin, &id).await["order"].clone();
    let shipment = &before["shipment"];
    assert_eq!(shipment["method"], FLAT);
    assert_eq!(shipment["carrier"], "Standard Post");
    assert_eq!(shipment["price"], FLAT_RATE);
    assert_eq!(shipment["delivery"]["text"], "2–3 working days");
    assert_eq!(
        (shipment["earliest"].as_str(), shipment["latest"].as_str()),
        (Some("2025-01-03"), Some("2025-01-04")),
        "placed on 2025-01-01, 2 to 3 days"
    );

    let flat = flat(&admin).await;
    let dearer = json!([
        {"store": "DE", "currency": "EUR", "gross": 999, "net": 839},
        {"store": "AT", "currency": "EUR", "gross": 999, "net": 833},
    ]);
    let edit = json!({"id": flat["id"], "name": "Renamed", "prices": dearer, "max_days": 9});
    assert_eq!(post_method(&admin, "edit", edit).await.status, 200);
    let later = guest_checkout_with(&app, &[("MUG", 1)], json!({})).await;
    let later = order(&admin, &placed_id(&later)).await;
    assert_eq!(
        later["order"]["totals"]["shipping"], 999,
        "new orders pay the new price"
    );
    assert_eq!(order(&admin, &id).await["order"], before);

    let deleted = admin
        .submit_json("/admin/shipping/methods/delete", &json!({"id": flat["id"]}))
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(order(&admin, &id).await["order"], before);
    let shown = app
        .browser()
        .get_json(&format!("/checkout/done?order={id}"))
        .await
        .json();
    assert_eq!(
        shown["order"]["shipment"]["name"],
        "Standard delivery (flat rate)"
    );
}

#[tokio::test]
async fn with_the_shipping_section_disabled_checkout_says_so_and_places_no_order() {
    let (app, admin) = app().await;
    let disabled = admin
        .submit("/admin/plugins/plugins/disable", &[("id", "shipping")])
        .await;
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    let (guest, cart) = guest_cart(&app, &[("MUG", 1)]).await;
    let page = guest.get(&format!("/checkout?cart={cart}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let html = page.text();
    assert!(
        html.contains("No shipment method is available for your order."),
        "{html}"
    );
    assert!(
        !html.contains("Place order"),
        "no button to place it: {html}"
    );
    let placed = guest
        .submit_json(
            "/checkout",
            &json!({"cart": cart, "email": "nobody@example.com", "billing": address("None")}),
        )
        .await;
    assert_eq!(placed.status, 422, "{}", placed.body);
    assert_eq!(
        error(&placed),
        "no shipment method is available for this order"
    );
    assert_eq!(order_count(&admin).await, 0);
    let cart_html = guest.get(&format!("/cart?cart={cart}")).await.text();
    assert!(
        cart_html.contains("No shipment method is available"),
        "{cart_html}"
    );
    let cart_page = guest.get_json(&format!("/cart?cart={cart}")).await.json();
    assert_eq!(cart_page["priced"]["shipment_available"], false);
    assert_eq!(
        cart_page["priced"]["lines"][0]["sku"], "MUG",
        "the cart is kept"
    );
}

#[tokio::test]
async fn bad_method_input_is_refused_with_422_naming_the_field() {
    let (_app, admin) = app().await;
    let dhl = create_carrier(&admin, "DHL").await;
    let price = |store: &str, currency: &str, gross: i64| json!({"store": store, "currency": currency, "gross": gross, "net": 0});
    let cases = [
        (
            json!({"prices": [price("DE", "EUR", -1)]}),
            "prices[0].gross must not be negative",
        ),
        (
            json!({"prices": [price("DE", "XYZ", 100)]}),
            "prices[0].currency: currency XYZ does not exist (under Settings: EUR, CHF, USD)",
        ),
        (
            json!({"prices": [price("DE", "CHF", 100)]}),
            "prices[0].currency: store DE does not sell in CHF (it sells in EUR)",
        ),
        (
            json!({"stores": ["DE", "AT"]}),
            "prices: store AT has no price (add one, or remove the store)",
        ),
        (
            json!({"free_from": {"EUR": -5}}),
            "free_from.EUR must not be negative",
        ),
        (
            json!({"tax_set": "luxury"}),
            "tax_set: tax set luxury does not exist (under Settings: standard, reduced, zero)",
        ),
        (
            json!({"min_days": 5, "max_days": 2}),
            "max_days must not be below min_days",
        ),
        (json!({"carrier": "nope"}), "carrier nope does not exist"),
        (
            json!({"key": "Not A Key"}),
            "key may hold lower-case letters, digits, - and _ only",
        ),
    ];
    for (extra, message) in cases {
        let reply = post_method(&admin, "create", de_method("bad", &dhl, 100, extra.clone())).await;
        assert_eq!(reply.status, 422, "{extra}: {}", reply.body);
        assert_eq!(error(&reply), message, "{extra}");
    }
    // The HTML form says the same, naming the form's own field.
    let form = admin.get("/admin/shipping/methods/create").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let reply = admin
        .submit(
            "/admin/shipping/methods/create",
            &[
                ("key", "form"),
                ("name", "Form"),
                ("carrier", &dhl),
                ("stores", "DE"),
                ("price.DE.EUR.gross", "-3"),
                ("price.DE.EUR.net", "0"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply
            .text()
            .contains("price.DE.EUR.gross must not be negative"),
        "{}",
        reply.body
    );
    let listed = admin.get_json("/admin/shipping/methods/index").await.json();
    assert_eq!(listed["total"], 1, "only the flat rate exists: {listed}");
}

#[tokio::test]
async fn methods_and_carriers_are_listed_with_filters_sort_and_paging() {
    let (_app, admin) = app().await;
    let dhl = create_carrier(&admin, "DHL").await;
    let ups = create_carrier(&admin, "UPS").await;
    method(&admin, de_method("b-dhl", &dhl, 100, json!({}))).await;
    method(
        &admin,
        de_method("c-dhl", &dhl, 100, json!({"active": false})),
    )
    .await;
    let at_only = json!({"stores": ["AT"], "prices": [
        {"store": "AT", "currency": "EUR", "gross": 100, "net": 83}]});
    method(&admin, de_method("a-ups", &ups, 100, at_only)).await;
    let keys = |page: &Value| -> Vec<String> {
        page["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["key"].as_str().unwrap().to_owned())
            .collect()
    };
    let browser = &admin;
    let list = move |query: String| async move {
        let reply = browser
            .get_json(&format!("/admin/shipping/methods/index?{query}"))
            .await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        reply.json()
    };
    assert_eq!(
        keys(&list(format!("carrier={dhl}")).await),
        ["b-dhl", "c-dhl"]
    );
    assert_eq!(keys(&list("store=AT".into()).await), ["a-ups", FLAT]);
    assert_eq!(keys(&list("active=false".into()).await), ["c-dhl"]);
    assert_eq!(
        keys(&list("sort=key&dir=desc".into()).await),
        [FLAT, "c-dhl", "b-dhl", "a-ups"]
    );
    let first = list("limit=2".into()).await;
    assert_eq!(keys(&first), ["a-ups", "b-dhl"]);
    assert_eq!(first["total"], 4);
    assert_eq!(first["methods"][0]["carrier"], "UPS");
    let next = first["next"].as_str().unwrap();
    let second = list(format!("limit=2&after={}", super::catalog::encode(next))).await;
    assert_eq!(keys(&second), ["c-dhl", FLAT]);
    let bad = admin
        .get_json("/admin/shipping/methods/index?store=XX")
        .await;
    assert_eq!(bad.status, 400);
    let carriers = admin
        .get_json("/admin/shipping/carriers/index?active=true&dir=desc")
        .await
        .json();
    let names: Vec<&str> = carriers["carriers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["UPS", "Standard Post", "DHL"]);
    let taken = admin
        .submit_json("/admin/shipping/carriers/create", &json!({"name": "DHL"}))
        .await;
    assert_eq!(taken.status, 409);
    assert_eq!(error(&taken), "carrier DHL already exists");
    let page = admin.get("/admin/shipping/methods/index").await;
    assert!(page.text().contains("Method b-dhl"), "{}", page.body);
    for path in [
        "/admin/shipping/carriers/index?active=true",
        "/admin/shipping/carriers/create",
        &format!("/admin/shipping/carriers/edit?id={dhl}"),
        "/admin/sales/payments/index",
    ] {
        let page = admin.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
    }
}

#[tokio::test]
async fn an_invoice_order_and_a_prepayment_order_follow_their_own_processes() {
    let (app, admin) = app().await;
    let invoice = guest_checkout_with(&app, &[("MUG", 1)], json!({"payment": "invoice"})).await;
    let invoice = placed_id(&invoice);
    let prepaid = guest_checkout_with(&app, &[("MUG", 1)], json!({"payment": "prepayment"})).await;
    let prepaid = placed_id(&prepaid);

    // Invoice: confirmed at once, shipped before it is paid.
    let o = order(&admin, &invoice).await;
    assert_eq!(o["order"]["process"], "invoice");
    assert_eq!(item_states(&o), ["confirmed"]);
    assert_eq!(trigger(&admin, &invoice, "pay", &[]).await.status, 422);
    for event in ["ship", "deliver"] {
        assert_eq!(
            trigger(&admin, &invoice, event, &[]).await.status,
            200,
            "{event}"
        );
    }
    let o = order(&admin, &invoice).await;
    assert_eq!(o["order"]["totals"]["paid"], 0, "delivered, invoice open");
    assert_eq!(trigger(&admin, &invoice, "pay", &[]).await.status, 200);
    assert_eq!(trigger(&admin, &invoice, "close", &[]).await.status, 200);
    let o = order(&admin, &invoice).await;
    assert_eq!(item_states(&o), ["closed"]);
    assert_eq!(o["order"]["totals"]["paid"], 1000 + FLAT_RATE);

    // Prepayment: waits in payment_pending; nothing ships before it is paid.
    let o = order(&admin, &prepaid).await;
    assert_eq!(o["order"]["process"], "prepayment");
    assert_eq!(item_states(&o), ["payment_pending"]);
    let early = trigger(&admin, &prepaid, "ship", &[]).await;
    assert_eq!(early.status, 422, "{}", early.body);
    for event in ["pay", "confirm", "ship", "deliver", "close"] {
        assert_eq!(
            trigger(&admin, &prepaid, event, &[]).await.status,
            200,
            "{event}"
        );
    }
    let o = order(&admin, &prepaid).await;
    assert_eq!(item_states(&o), ["closed"]);
    let path: Vec<&str> = o["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        path,
        [
            "new",
            "payment_pending",
            "paid",
            "confirmed",
            "shipped",
            "delivered",
            "closed"
        ]
    );

    // Cash on delivery: paid when delivered.
    let cod =
        guest_checkout_with(&app, &[("MUG", 1)], json!({"payment": "cash_on_delivery"})).await;
    let cod = placed_id(&cod);
    for event in ["ship", "deliver"] {
        assert_eq!(
            trigger(&admin, &cod, event, &[]).await.status,
            200,
            "{event}"
        );
    }
    assert_eq!(
        order(&admin, &cod).await["order"]["totals"]["paid"],
        1000 + FLAT_RATE
    );
    let matrix = admin.get_json("/admin/sales/orders/matrix").await.json();
    let processes: Vec<&str> = matrix["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["process"].as_str().unwrap())
        .collect();
    assert_eq!(processes, ["prepayment", "invoice", "cash_on_delivery"]);
}

#[tokio::test]
async fn a_store_offers_only_the_payment_methods_an_admin_activated_there() {
    let (app, admin) = app().await;
    let saved = admin
        .submit(
            "/admin/sales/payments/edit",
            &[("invoice", "DE"), ("prepayment", "AT")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = admin.get_json("/admin/sales/payments/index").await.json();
    assert_eq!(page["methods"][2]["stores"], json!([]), "{page}");
    let (guest, cart) = guest_cart(&app, &[("MUG", 1)]).await;
    let checkout = guest
        .get_json(&format!("/checkout?cart={cart}"))
        .await
        .json();
    assert_eq!(
        checkout["payments"],
        json!([{"code": "invoice", "name": "Invoice"}])
    );
    let refused = guest_checkout_with(&app, &[("MUG", 1)], json!({"payment": "prepayment"})).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        error(&refused),
        "payment method prepayment is not offered in store DE (offered: invoice)"
    );
    let unknown_store = admin
        .submit_json("/admin/sales/payments/edit", &json!({"invoice": ["XX"]}))
        .await;
    assert_eq!(unknown_store.status, 422);
    assert_eq!(
        error(&unknown_store),
        "invoice: store XX does not exist (under Settings: DE, AT)"
    );
    let placed = guest_checkout_with(&app, &[("MUG", 1)], json!({})).await;
    let o = order(&admin, &placed_id(&placed)).await;
    assert_eq!(o["order"]["payment"], "invoice", "the one active method");
}
