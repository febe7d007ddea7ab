//! The sales section (first-party plugin `plugins/sales`): storefront cart and checkout, the
//! per-item order process in the Back Office, timeouts fired by the host clock, the sell-once
//! rule under concurrency, and the events exchanged with catalog (the order list, matrix,
//! assisted orders and the customers section: `sales_backoffice.rs`). Catalog is the real `catalog` plugin: products, prices, variants and
//! stock are made through its JSON API, and its availability shows the reservations that sales'
//! events cause.

use std::time::Duration;

use backoffice_tests::shipping::{FLAT_RATE, ready_to_sell};
use backoffice_tests::{Browser, Reply, TestApp};
use serde_json::{Value, json};

use super::catalog::product;
use super::catalog_stock::{availability, set_stock, warehouse};

const CUSTOMER_PASSWORD: &str = "customer-password-01";
pub(crate) const WAIT: Duration = Duration::from_secs(10);
/// The one warehouse every test's stock is in.
const WAREHOUSE: &str = "Main";

pub(crate) async fn app() -> (TestApp, Browser) {
    app_with(&["catalog", "sales"]).await
}

/// An app with `plugins` loaded and catalog's warehouse in place; the admin's browser. With
/// sales, also the shipping section and what a checkout needs (`shipping::ready_to_sell`: the
/// flat rate of 4.95 and every payment method).
pub(crate) async fn app_with(plugins: &[&str]) -> (TestApp, Browser) {
    let mut all = plugins.to_vec();
    let sells = plugins.contains(&"sales");
    if sells {
        all.push("shipping");
    }
    let app = TestApp::with_plugins(&all).await;
    let admin = app.admin().await;
    warehouse(&admin, WAREHOUSE).await;
    if sells {
        ready_to_sell(&admin).await;
    }
    (app, admin)
}

/// POSTs `body` as JSON and returns the answer, which must be 200.
pub(crate) async fn ok(admin: &Browser, path: &str, body: Value) -> Value {
    let reply = admin.submit_json(path, &body).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.json()
}

pub(crate) async fn stock_of(admin: &Browser, sku: &str, quantity: i64) {
    let reply = set_stock(
        admin,
        json!({"sku": sku, "quantities": {WAREHOUSE: quantity}}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// An active product sold by its own SKU, with a price and stock.
pub(super) async fn simple_product(admin: &Browser, sku: &str, name: &str, gross: i64, stock: i64) {
    product(admin, sku, name, gross, "active").await;
    stock_of(admin, sku, stock).await;
}

/// A T-shirt sold as its variant `TSHIRT-M` (super attribute `size`), priced through the
/// abstract SKU with a volume tier from 3 units; its variant `TSHIRT-L` is no longer valid.
async fn variant_product(admin: &Browser, stock: i64) {
    ok(
        admin,
        "/admin/catalog/attributes/create",
        json!({"key": "size", "input_type": "select", "values": ["S", "M", "L"], "is_super": true}),
    )
    .await;
    let shirt = product(admin, "TSHIRT", "T-shirt", 1500, "active").await;
    ok(
        admin,
        "/admin/catalog/variants/create",
        json!({"product_id": shirt["id"], "sku": "TSHIRT-M", "attributes": {"size": "M"}}),
    )
    .await;
    // Valid until the day before the test clock starts (2025-01-01): not for sale.
    ok(
        admin,
        "/admin/catalog/variants/create",
        json!({"product_id": shirt["id"], "sku": "TSHIRT-L", "attributes": {"size": "L"},
               "valid_to": "2024-12-31"}),
    )
    .await;
    ok(
        admin,
        "/admin/catalog/prices/edit",
        json!({"sku": "TSHIRT", "currency": "EUR", "gross": 1500, "volume": [{"quantity": 3, "gross": 1200}]}),
    )
    .await;
    stock_of(admin, "TSHIRT-M", stock).await;
}

/// A storefront visitor with the anonymous CSRF token of the cart page.
pub(crate) async fn shopper(app: &TestApp) -> Browser {
    let browser = app.browser();
    let page = browser.get("/cart").await;
    assert_eq!(page.status, 200, "{}", page.body);
    browser.set_csrf(&page.csrf_field().expect("the cart page has forms"));
    browser
}

async fn signed_in_customer(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    let form = browser.get("/customer/register").await;
    let token = form.csrf_field().unwrap();
    let reply = browser
        .post_form(
            "/customer/register",
            &[
                ("_csrf", &token),
                ("email", email),
                ("password", CUSTOMER_PASSWORD),
                ("confirm_password", CUSTOMER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let page = browser.get("/cart").await;
    browser.set_csrf(&page.csrf_field().unwrap());
    browser
}

pub(crate) fn address(last_name: &str) -> Value {
    json!({"first_name": "Ann", "last_name": last_name, "street": "Main St", "house_number": "1",
           "zip": "10115", "city": "Berlin", "country": "de"})
}

/// A guest buys `items` over JSON, paying in advance (the prepayment process); returns the
/// checkout reply.
pub(super) async fn guest_checkout(app: &TestApp, items: &[(&str, i64)], email: &str) -> Reply {
    guest_checkout_with(app, items, json!({"email": email, "payment": "prepayment"})).await
}

/// A guest puts `items` into a new cart; the shopper and the cart id.
pub(crate) async fn guest_cart(app: &TestApp, items: &[(&str, i64)]) -> (Browser, String) {
    let guest = shopper(app).await;
    let mut cart = String::new();
    for (sku, quantity) in items {
        let added = guest
            .submit_json(
                "/cart/add",
                &json!({"sku": sku, "quantity": quantity, "cart": cart}),
            )
            .await;
        assert_eq!(added.status, 200, "{}", added.body);
        cart = added.json()["cart"].as_str().unwrap().to_owned();
    }
    (guest, cart)
}

/// A guest buys `items` over JSON with the checkout fields of `extra` (email, payment,
/// shipment, billing: a German address unless given); returns the checkout reply.
pub(crate) async fn guest_checkout_with(
    app: &TestApp,
    items: &[(&str, i64)],
    extra: Value,
) -> Reply {
    let (guest, cart) = guest_cart(app, items).await;
    let mut body = json!({"cart": cart, "email": "guest@example.com", "billing": address("Guest")});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    guest.submit_json("/checkout", &body).await
}

pub(crate) async fn order(admin: &Browser, id: &str) -> Value {
    let reply = admin
        .get_json(&format!("/admin/sales/orders/show?id={id}"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

pub(super) async fn trigger(admin: &Browser, id: &str, event: &str, items: &[&str]) -> Reply {
    admin
        .submit_json(
            "/admin/sales/orders/trigger",
            &json!({"id": id, "event": event, "items": items}),
        )
        .await
}

pub(super) fn item_states(order: &Value) -> Vec<String> {
    order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until catalog's availability of `sku` shows `expected` reserved: catalog follows
/// sales' `sales.order-placed` and `sales.items-released` events, delivered in the background.
pub(crate) async fn catalog_reserved(app: &TestApp, admin: &Browser, sku: &str, expected: i64) {
    app.eventually(
        WAIT,
        &format!("catalog reserves {expected} of {sku}"),
        || async { availability(admin, sku).await["reserved"] == expected },
    )
    .await;
}

#[tokio::test]
async fn a_customer_buys_two_products_and_the_admin_moves_the_order_through_the_process() {
    let (app, admin) = app().await;
    simple_product(&admin, "MUG", "Mug", 1000, 5).await;
    variant_product(&admin, 10).await;
    let customer = signed_in_customer(&app, "ann@example.com").await;

    // Cart through the HTML forms: a variant by its sellable SKU, volume price from 3 units.
    let added = customer
        .submit("/cart/add", &[("sku", "TSHIRT-M"), ("quantity", "3")])
        .await;
    assert_eq!(added.location(), Some("/cart"), "{}", added.body);
    customer
        .submit("/cart/add", &[("sku", "MUG"), ("quantity", "1")])
        .await;
    let expired = customer.submit("/cart/add", &[("sku", "TSHIRT-L")]).await;
    assert_eq!(expired.status, 422, "its validity ended the day before");
    assert!(expired.body.contains("TSHIRT-L is not for sale"));
    let abstract_with_variants = customer.submit("/cart/add", &[("sku", "TSHIRT")]).await;
    assert_eq!(abstract_with_variants.status, 422);
    assert!(
        abstract_with_variants
            .body
            .contains("TSHIRT is not for sale")
    );
    let too_many = customer
        .submit("/cart/add", &[("sku", "MUG"), ("quantity", "5")])
        .await;
    assert_eq!(too_many.status, 409, "6 mugs are more than the 5 in stock");
    let cart = customer.get("/cart").await.text();
    assert!(
        cart.contains("T-shirt (size=M)") && cart.contains("Mug"),
        "{cart}"
    );
    let checkout_page = customer.get("/checkout").await;
    assert_eq!(checkout_page.status, 200);
    assert!(checkout_page.text().contains("Ordering as ann@example.com"));

    let placed = customer
        .submit(
            "/checkout",
            &[
                ("billing_first_name", "Ann"),
                ("billing_last_name", "Smith"),
                ("billing_street", "Main St"),
                ("billing_zip", "10115"),
                ("billing_city", "Berlin"),
                ("billing_country", "DE"),
                ("shipping_same", "on"),
                ("shipment", "flat"),
                ("payment", "prepayment"),
            ],
        )
        .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let confirmation_path = placed.location().unwrap().to_owned();
    assert!(confirmation_path.starts_with("/checkout/done?order="));
    let id = confirmation_path.rsplit('=').next().unwrap().to_owned();
    let confirmation = customer.get(&confirmation_path).await.text();
    assert!(confirmation.contains("SO-000001"), "{confirmation}");
    let mine = customer.get_json("/my-orders").await.json();
    assert_eq!(mine["orders"][0]["reference"], "SO-000001");
    assert_eq!(
        customer.get_json("/cart").await.json()["priced"]["lines"],
        json!([]),
        "the cart is emptied"
    );
    // Another shopper cannot open a customer's order.
    let stranger = app.browser();
    assert_eq!(stranger.get(&confirmation_path).await.status, 404);

    let o = order(&admin, &id).await;
    let totals = &o["order"]["totals"];
    assert_eq!(totals["subtotal"], 3 * 1200 + 1000);
    assert_eq!(totals["shipping"], FLAT_RATE);
    assert_eq!(totals["discount"], 0);
    assert_eq!(totals["grand_total"], 3 * 1200 + 1000 + FLAT_RATE);
    assert_eq!(totals["tax"], 575 + 160 + 79);
    assert_eq!(o["order"]["email"], "ann@example.com");
    assert_eq!(item_states(&o), ["payment_pending", "payment_pending"]);
    assert_eq!(o["items"][0]["events"], json!(["pay", "cancel"]));
    catalog_reserved(&app, &admin, "TSHIRT-M", 3).await;
    catalog_reserved(&app, &admin, "MUG", 1).await;

    // Per item, then per order.
    assert_eq!(trigger(&admin, &id, "pay", &["1"]).await.status, 200);
    let o = order(&admin, &id).await;
    assert_eq!(item_states(&o), ["paid", "payment_pending"]);
    assert_eq!(
        o["order"]["state"], "payment_pending",
        "the least advanced item"
    );
    assert_eq!(o["items"][0]["events"], json!(["confirm", "cancel"]));
    let invalid = trigger(&admin, &id, "ship", &["1"]).await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.json()["error"],
        "item 1: event \"ship\" is not possible in state \"paid\" (possible: confirm, cancel)"
    );
    for event in ["pay", "confirm", "ship", "deliver", "close"] {
        let reply = trigger(&admin, &id, event, &[]).await;
        assert_eq!(reply.status, 200, "{event}: {}", reply.body);
    }
    let o = order(&admin, &id).await;
    assert_eq!(item_states(&o), ["closed", "closed"]);
    assert_eq!(o["order"]["totals"]["paid"], totals["grand_total"]);
    let history = o["history"].as_array().unwrap();
    let first = &history[0];
    assert_eq!(
        (
            first["from"].as_str(),
            first["to"].as_str(),
            first["by"].as_str()
        ),
        (Some(""), Some("new"), Some("customer"))
    );
    let shipped = history
        .iter()
        .find(|h| h["to"] == "shipped" && h["item_id"] == "2")
        .unwrap();
    assert_eq!(shipped["from"], "confirmed");
    assert_eq!(shipped["by"], "admin@example.com");
    assert_eq!(
        history.len(),
        2 * 7,
        "every transition of both items is logged"
    );
    // Closed items are released: sales' own hold and catalog's reservation.
    catalog_reserved(&app, &admin, "TSHIRT-M", 0).await;
    // The HTML detail page offers no event for closed items.
    let page = admin
        .get(&format!("/admin/sales/orders/show?id={id}"))
        .await
        .text();
    assert!(!page.contains("name=\"event\""), "{page}");
}

#[tokio::test]
async fn a_cancel_releases_stock_and_a_refund_is_capped_at_what_was_paid() {
    let (app, admin) = app().await;
    simple_product(&admin, "LAMP", "Lamp", 2000, 2).await;
    let placed = guest_checkout(&app, &[("LAMP", 2)], "guest@example.com").await;
    assert_eq!(placed.status, 200, "{}", placed.body);
    let id = placed.json()["order_id"].as_str().unwrap().to_owned();
    catalog_reserved(&app, &admin, "LAMP", 2).await;
    // Sold out for the next shopper, by sales' own hold.
    let late = shopper(&app).await;
    let refused = late.submit_json("/cart/add", &json!({"sku": "LAMP"})).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.json()["error"], "only 0 of LAMP available");

    let refund_unpaid = admin
        .submit_json(
            "/admin/sales/orders/refund",
            &json!({"id": id, "amount": "1"}),
        )
        .await;
    assert_eq!(refund_unpaid.status, 422);
    assert!(
        refund_unpaid.body.contains("more than the 0.00 EUR paid"),
        "{}",
        refund_unpaid.body
    );

    assert_eq!(trigger(&admin, &id, "pay", &[]).await.status, 200);
    let over = admin
        .submit_json(
            "/admin/sales/orders/refund",
            &json!({"id": id, "amount": "4496"}),
        )
        .await;
    assert_eq!(over.status, 422, "4000 + 495 were paid");
    let refund = admin
        .submit(
            "/admin/sales/orders/refund",
            &[("id", &id), ("amount", "44.95"), ("reason", "goodwill")],
        )
        .await;
    assert_eq!(refund.status, 303, "{}", refund.body);
    let again = admin
        .submit_json(
            "/admin/sales/orders/refund",
            &json!({"id": id, "amount": "1"}),
        )
        .await;
    assert_eq!(again.status, 422);

    assert_eq!(trigger(&admin, &id, "cancel", &[]).await.status, 200);
    let o = order(&admin, &id).await;
    assert_eq!(item_states(&o), ["cancelled"]);
    assert_eq!(o["order_events"], json!([]));
    catalog_reserved(&app, &admin, "LAMP", 0).await;
    let after = guest_checkout(&app, &[("LAMP", 2)], "late@example.com").await;
    assert_eq!(after.status, 200, "the cancelled units are for sale again");
    let events: Vec<String> = sqlx::query_scalar("SELECT topic FROM events ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    for topic in [
        "sales.order-placed",
        "sales.items-released",
        "sales.order-cancelled",
    ] {
        assert!(events.iter().any(|t| t == topic), "{topic} in {events:?}");
    }
}

#[tokio::test]
async fn an_unpaid_order_is_cancelled_by_its_timeout_without_a_request() {
    let (app, admin) = app().await;
    simple_product(&admin, "PEN", "Pen", 300, 10).await;
    let placed = guest_checkout(&app, &[("PEN", 4)], "slow@example.com").await;
    let id = placed.json()["order_id"].as_str().unwrap().to_owned();
    let paid = guest_checkout(&app, &[("PEN", 1)], "quick@example.com").await;
    let paid_id = paid.json()["order_id"].as_str().unwrap().to_owned();
    assert_eq!(trigger(&admin, &paid_id, "pay", &[]).await.status, 200);

    app.advance(7 * 86_400);
    let admin = app.admin().await; // the first session timed out meanwhile
    app.eventually(WAIT, "the payment timeout", || async {
        let states: Vec<String> = sqlx::query_scalar(
            "SELECT status FROM event_deliveries d JOIN events e ON e.id = d.event_id WHERE e.topic = 'sales.timeout'",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        states.len() == 2 && states.iter().all(|s| s == "delivered")
    })
    .await;
    let o = order(&admin, &id).await;
    assert_eq!(item_states(&o), ["cancelled"]);
    let last = o["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], "payment-timeout");
    assert_eq!(last["by"], "system");
    let o = order(&admin, &paid_id).await;
    assert_eq!(
        item_states(&o),
        ["paid"],
        "a paid order's timer does nothing"
    );
    catalog_reserved(&app, &admin, "PEN", 1).await;
}

/// Guests with `sku` in their carts check out at the same moment; their replies.
async fn racing_checkouts(app: &TestApp, sku: &str, shoppers: usize) -> Vec<Reply> {
    // Every shopper has the unit in the cart (nothing is held before checkout).
    let mut carts = Vec::new();
    for n in 0..shoppers {
        let guest = shopper(app).await;
        let added = guest.submit_json("/cart/add", &json!({"sku": sku})).await;
        assert_eq!(added.status, 200, "{}", added.body);
        let cart = added.json()["cart"].as_str().unwrap().to_owned();
        carts.push((guest, cart, format!("buyer{n}@example.com")));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (guest, cart, email) in carts {
        tasks.spawn(async move {
            guest
                .submit_json(
                    "/checkout",
                    &json!({"cart": cart, "email": email, "billing": address("Racer")}),
                )
                .await
        });
    }
    tasks.join_all().await
}

#[tokio::test]
async fn concurrent_checkouts_of_the_last_item_sell_it_once() {
    let (app, admin) = app().await;
    simple_product(&admin, "LAST", "The last one", 5000, 1).await;
    let replies = racing_checkouts(&app, "LAST", 6).await;
    let outcome: Vec<(u16, &str)> = replies
        .iter()
        .map(|r| (r.status, r.body.as_str()))
        .collect();
    assert_eq!(
        replies.iter().filter(|r| r.status == 200).count(),
        1,
        "{outcome:?}"
    );
    for refused in replies.iter().filter(|r| r.status != 200) {
        assert_eq!(refused.status, 409, "{outcome:?}");
        assert_eq!(refused.json()["error"], "only 0 of LAST left, 1 wanted");
    }
    let list = admin.get_json("/admin/sales/orders/index").await.json();
    assert_eq!(list["orders"].as_array().unwrap().len(), 1);

    // With enough stock, simultaneous checkouts of one SKU wait for each other: all succeed.
    simple_product(&admin, "PLENTY", "Plenty", 100, 100).await;
    let replies = racing_checkouts(&app, "PLENTY", 6).await;
    assert!(
        replies.iter().all(|r| r.status == 200),
        "{:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    catalog_reserved(&app, &admin, "PLENTY", 6).await;
}

/// The storefront's answers carry the shopper's side of an order only: no staff comments, no
/// history of who moved it, no refund notes, no process (issue #17).
#[tokio::test]
async fn a_shopper_never_sees_the_staffs_side_of_an_order() {
    let (app, admin) = app().await;
    simple_product(&admin, "MUG", "Mug", 1000, 5).await;
    let placed = guest_checkout(&app, &[("MUG", 1)], "guest@example.com").await;
    assert_eq!(placed.status, 200, "{}", placed.body);
    let id = placed.json()["order_id"].as_str().unwrap().to_owned();
    let commented = admin
        .submit(
            "/admin/sales/orders/comment",
            &[
                ("id", &id),
                ("text", "internal: refund only with a manager"),
            ],
        )
        .await;
    assert_eq!(commented.status, 303);
    let shopper = app.browser();
    let shown = shopper
        .get_json(&format!("/checkout/done?order={id}"))
        .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    for answer in [
        placed.json()["order"].clone(),
        shown.json()["order"].clone(),
    ] {
        assert_eq!(answer["email"], "guest@example.com", "{answer}");
        for staff in [
            "comments",
            "history",
            "refunds",
            "placed_by",
            "process",
            "customer_id",
        ] {
            assert!(answer.get(staff).is_none(), "{staff} in {answer}");
        }
    }
    assert!(!shown.body.contains("manager"), "{}", shown.body);
}
