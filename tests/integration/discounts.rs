//! The discounts section (first-party plugin `plugins/discounts`) with the real catalog, sales
//! and shipping components: discounts in the Back Office, the live rule check, and what sales
//! takes off a cart and keeps in an order through its extension point `sales.cart-discounts`.

use backoffice_tests::discounts::{cart_rule, create};
use backoffice_tests::{Browser, TestApp};
use serde_json::{Value, json};

use super::sales::{address, app_with, guest_cart, order, simple_product, stock_of};

/// Catalog, sales, shipping and discounts, set up to sell; `MUG` at 10.00, `CAP` at 3.33,
/// `PEN` at 3.33 and `INK` at 3.33.
async fn app() -> (TestApp, Browser) {
    let (app, admin) = app_with(&["catalog", "sales", "discounts"]).await;
    simple_product(&admin, "MUG", "Mug", 1000, 100).await;
    for sku in ["CAP", "PEN", "INK"] {
        simple_product(&admin, sku, sku, 333, 100).await;
    }
    (app, admin)
}

/// The checkout page's prices for a new guest cart of `items`.
async fn priced(app: &TestApp, items: &[(&str, i64)]) -> Value {
    let (guest, cart) = guest_cart(app, items).await;
    let page = guest.get_json(&format!("/checkout?cart={cart}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["priced"].clone()
}

/// (name, amount) of each discount applied to `priced`.
fn applied(priced: &Value) -> Vec<(String, i64)> {
    priced["discounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["amount"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn named(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(n, a)| ((*n).to_owned(), *a)).collect()
}

/// A guest buys `items`; the placed order's id and data as the Back Office shows it.
async fn buy(app: &TestApp, admin: &Browser, items: &[(&str, i64)]) -> (String, Value) {
    let (guest, cart) = guest_cart(app, items).await;
    let body = json!({"cart": cart, "email": "guest@example.com", "billing": address("Guest"),
                      "payment": "prepayment"});
    let placed = guest.submit_json("/checkout", &body).await;
    assert_eq!(placed.status, 200, "{}", placed.body);
    let id = placed.json()["order_id"].as_str().unwrap().to_owned();
    let shown = order(admin, &id).await["order"].clone();
    (id, shown)
}

#[tokio::test]
async fn rules_validate_answers_valid_or_the_position_of_the_error() {
    let (_app, admin) = app().await;
    let ask = |query: &str, kind: &str| {
        let body = json!({"query": query, "kind": kind});
        let admin = &admin;
        async move {
            let reply = admin
                .submit_json("/admin/discounts/rules/validate", &body)
                .await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.json()
        }
    };
    assert_eq!(
        ask("sub-total >= '50.00'", "decision").await,
        json!({"valid": true})
    );
    let wrong = ask("sku = 'A' and colour = 'red'", "decision").await;
    assert_eq!(wrong["valid"], false);
    assert_eq!(wrong["error"]["position"], 14);
    let not_here = ask("sub-total >= '50.00'", "collector").await;
    assert_eq!(not_here["error"]["position"], 0);
}

#[tokio::test]
async fn discounts_are_listed_filtered_switched_and_deleted_and_a_wrong_field_is_named() {
    let (_app, admin) = app().await;
    let summer = create(&admin, cart_rule("Summer", 10.0, "sku = '*'", json!({}))).await;
    create(
        &admin,
        cart_rule(
            "Winter",
            5.0,
            "sku = '*'",
            json!({"active": false, "priority": 10}),
        ),
    )
    .await;
    let list = |q: &'static str| {
        let admin = &admin;
        async move {
            let page = admin
                .get_json(&format!("/admin/discounts/discounts/index?{q}"))
                .await;
            assert_eq!(page.status, 200, "{}", page.body);
            let names: Vec<String> = page.json()["discounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["display_name"].as_str().unwrap().to_owned())
                .collect();
            names
        }
    };
    assert_eq!(list("sort=priority").await, ["Winter", "Summer"]);
    for page in ["index", "create"] {
        let html = admin
            .get(&format!("/admin/discounts/discounts/{page}"))
            .await;
        assert_eq!(html.status, 200, "{}", html.body);
        assert!(html.text().contains("Winter") || page == "create");
    }
    let form = admin
        .get(&format!(
            "/admin/discounts/discounts/edit?id={}",
            summer["id"].as_str().unwrap()
        ))
        .await
        .text();
    assert!(
        form.contains("data-rule-kind=\"collector\"") && form.contains("nonce="),
        "{form}"
    );
    assert_eq!(list("active=true").await, ["Summer"]);
    assert_eq!(list("q=winter").await, ["Winter"]);
    assert_eq!(
        list("valid=true&type=cart-rule&sort=name").await,
        ["Summer", "Winter"]
    );
    let id = summer["id"].as_str().unwrap();
    let off = admin
        .submit_json("/admin/discounts/discounts/deactivate", &json!({"id": id}))
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(list("active=true").await, Vec::<String>::new());
    let gone = admin
        .submit_json("/admin/discounts/discounts/delete", &json!({"id": id}))
        .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert_eq!(list("").await, ["Winter"]);
    let wrong = admin
        .submit_json(
            "/admin/discounts/discounts/create",
            &cart_rule("Bad", 150.0, "sku < 'A'", json!({"priority": 0})),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    for field in ["amount", "collector", "priority"] {
        assert!(wrong.body.contains(field), "{field}: {}", wrong.body);
    }
    let twice = admin
        .submit_json(
            "/admin/discounts/discounts/create",
            &cart_rule("Winter", 5.0, "sku = '*'", json!({})),
        )
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
}

#[tokio::test]
async fn percentage_and_fixed_discounts_are_taken_off_and_the_order_keeps_them() {
    let (app, admin) = app().await;
    let ten = create(
        &admin,
        cart_rule("Ten percent", 10.0, "sku = 'MUG'", json!({})),
    )
    .await;
    create(
        &admin,
        cart_rule(
            "Two euros",
            0.0,
            "sku = '*'",
            json!({"calculator": "fixed", "amount": {"EUR": {"gross": 200, "net": 168}},
                   "priority": 20}),
        ),
    )
    .await;
    let p = priced(&app, &[("MUG", 2), ("CAP", 1)]).await;
    // 10 % of 20.00 first (priority 9999 runs after 20), so: two euros, then 10 % of what is
    // left of the mugs (2000 - 200 * 2000/2333 = 2000 - 171 = 1829 → 183).
    assert_eq!(
        applied(&p),
        named(&[("Two euros", 200), ("Ten percent", 183)])
    );
    assert_eq!(p["discount"], 383);
    assert_eq!(p["grand_total"], 2333 - 383 + 495);
    let (order_id, placed) = buy(&app, &admin, &[("MUG", 2), ("CAP", 1)]).await;
    assert_eq!(placed["totals"]["discount"], 383);
    assert_eq!(placed["totals"]["grand_total"], 2333 - 383 + 495);
    // A later change of the discount never changes the placed order.
    let id = ten["id"].as_str().unwrap();
    let edited = admin
        .submit_json(
            "/admin/discounts/discounts/edit",
            &json!({"id": id, "amount": 50, "display_name": "Half"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let again = order(&admin, &order_id).await["order"].clone();
    assert_eq!(again["totals"]["discount"], 383);
    assert_eq!(again["discounts"][1]["name"], "Ten percent");
    assert_eq!(again["discounts"][1]["amount"], 183);
}

#[tokio::test]
async fn collectors_limit_a_discount_and_exclusive_wins_its_priority_group_only() {
    let (app, admin) = app().await;
    create(
        &admin,
        cart_rule("Caps", 50.0, "sku = 'CAP'", json!({"priority": 1})),
    )
    .await;
    create(
        &admin,
        cart_rule(
            "All exclusive",
            10.0,
            "sku = '*'",
            json!({"priority": 1, "exclusive": true}),
        ),
    )
    .await;
    create(
        &admin,
        cart_rule("Later", 10.0, "sku is in 'MUG'", json!({"priority": 2})),
    )
    .await;
    let p = priced(&app, &[("MUG", 1), ("CAP", 1)]).await;
    // Group 1: the exclusive one wins (10 % of 13.33 = 133) and drops `Caps`; group 2 runs on
    // what is left of the mug (1000 - 100 = 900 → 90).
    assert_eq!(applied(&p), named(&[("All exclusive", 133), ("Later", 90)]));
}

#[tokio::test]
async fn validity_windows_and_stores_decide_whether_a_discount_applies() {
    let (app, admin) = app().await;
    create(
        &admin,
        cart_rule("Past", 10.0, "sku = '*'", json!({"valid_to": "2000-01-31"})),
    )
    .await;
    create(
        &admin,
        cart_rule(
            "Future",
            10.0,
            "sku = '*'",
            json!({"valid_from": "2999-01-01"}),
        ),
    )
    .await;
    create(
        &admin,
        cart_rule("Austria", 10.0, "sku = '*'", json!({"stores": ["AT"]})),
    )
    .await;
    create(
        &admin,
        cart_rule(
            "Now",
            5.0,
            "sku = '*'",
            json!({"valid_from": "2000-01-01", "valid_to": "2999-12-31"}),
        ),
    )
    .await;
    let p = priced(&app, &[("MUG", 1)]).await;
    assert_eq!(applied(&p), named(&[("Now", 50)]));
}

#[tokio::test]
async fn ten_percent_of_three_odd_cent_items_sums_exactly() {
    let (app, admin) = app().await;
    create(
        &admin,
        cart_rule("Ten", 10.0, "sku is in 'CAP;PEN;INK'", json!({})),
    )
    .await;
    let (_, placed) = buy(&app, &admin, &[("CAP", 1), ("PEN", 1), ("INK", 1)]).await;
    assert_eq!(placed["totals"]["discount"], 100, "10 % of 9.99, rounded");
    let shares: i64 = placed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["discount"].as_i64().unwrap())
        .sum();
    assert_eq!(shares, 100);
    assert_eq!(placed["totals"]["grand_total"], 999 - 100 + 495);
}

#[tokio::test]
async fn with_the_discounts_section_disabled_checkout_works_at_full_price() {
    let (app, admin) = app().await;
    create(&admin, cart_rule("Ten", 10.0, "sku = '*'", json!({}))).await;
    assert_eq!(priced(&app, &[("MUG", 1)]).await["discount"], 100);
    let disabled = admin
        .submit("/admin/plugins/plugins/disable", &[("id", "discounts")])
        .await;
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    let (_, placed) = buy(&app, &admin, &[("MUG", 1)]).await;
    assert_eq!(placed["totals"]["discount"], 0);
    assert_eq!(placed["totals"]["grand_total"], 1000 + 495);
}

#[tokio::test]
async fn a_fixed_amount_applies_in_its_currencies_only_at_the_gross_amount_and_minimum_quantity() {
    let (app, admin) = app().await;
    let fixed = |name: &str, amount: Value, extra: Value| {
        let mut body = cart_rule(name, 0.0, "sku = '*'", extra);
        body["calculator"] = json!("fixed");
        body["amount"] = amount;
        body
    };
    create(&admin, fixed("Francs", json!({"CHF": 300}), json!({}))).await;
    create(
        &admin,
        fixed(
            "Euros",
            json!({"EUR": {"gross": 250, "net": 210}, "CHF": 300}),
            json!({}),
        ),
    )
    .await;
    create(
        &admin,
        fixed(
            "Three mugs",
            json!({"EUR": 100}),
            json!({"min_quantity": 3}),
        ),
    )
    .await;
    let p = priced(&app, &[("MUG", 2)]).await;
    assert_eq!(
        applied(&p),
        named(&[("Euros", 250)]),
        "EUR cart, gross mode"
    );
    let p = priced(&app, &[("MUG", 3)]).await;
    assert_eq!(applied(&p), named(&[("Euros", 250), ("Three mugs", 100)]));
}

#[tokio::test]
async fn a_voucher_code_with_one_use_left_wins_exactly_one_of_two_concurrent_checkouts() {
    let (app, admin) = app().await;
    let voucher = create(
        &admin,
        cart_rule("Voucher", 20.0, "sku = '*'", json!({"type": "voucher"})),
    )
    .await;
    let id = voucher["id"].as_str().unwrap();
    let generated = admin
        .submit_json(
            "/admin/discounts/codes/generate",
            &json!({"id": id, "count": 3, "pattern": "SPRING-[code]", "length": 6, "max_uses": 1}),
        )
        .await;
    assert_eq!(generated.status, 200, "{}", generated.body);
    let codes: Vec<String> = generated.json()["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 3);
    assert!(
        codes
            .iter()
            .all(|c| c.starts_with("SPRING-") && c.len() == 13)
    );
    let csv = admin
        .get(&format!("/admin/discounts/codes/export?id={id}"))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(
        csv.text().starts_with("code,max_uses,uses"),
        "{}",
        csv.text()
    );
    assert!(csv.text().contains(&codes[0]));
    // Two carts with the same code, one use allowed: both see the discount…
    let mut carts = Vec::new();
    for name in ["One", "Two"] {
        let (guest, cart) = guest_cart(&app, &[("MUG", 1)]).await;
        let entered = guest
            .submit_json(
                "/cart/voucher",
                &json!({"cart": cart, "code": codes[0].to_lowercase()}),
            )
            .await;
        assert_eq!(entered.status, 200, "{}", entered.body);
        assert_eq!(
            applied(&entered.json()["priced"]),
            named(&[("Voucher", 200)])
        );
        carts.push((guest, cart, name));
    }
    // A second code of the same pool is refused.
    let (guest, cart, _) = &carts[0];
    let second = guest
        .submit_json("/cart/voucher", &json!({"cart": cart, "code": codes[1]}))
        .await;
    let refused = &second.json()["priced"]["refused_codes"];
    assert!(
        refused[0]["message"]
            .as_str()
            .unwrap()
            .contains("only one code of Voucher"),
        "{refused}"
    );
    let taken_out = guest
        .submit_json(
            "/cart/voucher",
            &json!({"cart": cart, "code": codes[1], "remove": "1"}),
        )
        .await;
    assert_eq!(taken_out.status, 200, "{}", taken_out.body);
    // …and check out at the same moment: exactly one wins.
    let checkout = |i: usize| {
        let (guest, cart, name) = &carts[i];
        let body = json!({"cart": cart, "email": "guest@example.com", "billing": address(name),
                          "payment": "prepayment"});
        async move { guest.submit_json("/checkout", &body).await }
    };
    let (a, b) = tokio::join!(checkout(0), checkout(1));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 422], "{} / {}", a.body, b.body);
    let loser = if a.status == 422 { &a } else { &b };
    assert!(loser.body.contains("has been used up"), "{}", loser.body);
    let winner = if a.status == 200 { &a } else { &b };
    assert_eq!(winner.json()["order"]["totals"]["discount"], 200);
}

#[tokio::test]
async fn a_collector_by_category_takes_off_only_the_products_of_that_category() {
    let (app, admin) = app().await;
    let created = admin
        .submit_json("/admin/catalog/categories/create", &json!({"name": "Cups"}))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let cups = created.json()["category"]["id"].clone();
    let cup = admin
        .submit_json(
            "/admin/catalog/products/create",
            &json!({"sku": "CUP", "name": "Cup", "price": 800, "status": "active",
                    "category_ids": [cups]}),
        )
        .await;
    assert_eq!(cup.status, 200, "{}", cup.body);
    stock_of(&admin, "CUP", 10).await;
    let id = cups
        .as_str()
        .map_or_else(|| cups.to_string(), str::to_owned);
    create(
        &admin,
        cart_rule("Cups", 25.0, &format!("category = '{id}'"), json!({})),
    )
    .await;
    let p = priced(&app, &[("MUG", 1), ("CUP", 1)]).await;
    assert_eq!(applied(&p), named(&[("Cups", 200)]));
    assert_eq!(
        p["discounts"][0]["lines"],
        json!([{"sku": "CUP", "amount": 200}])
    );
}

#[tokio::test]
async fn a_promotional_product_is_added_at_its_price_and_the_order_keeps_it() {
    let (app, admin) = app().await;
    let wrong = admin
        .submit_json(
            "/admin/discounts/discounts/create",
            &cart_rule(
                "Broken deal",
                10.0,
                "sku = '*'",
                json!({"promotion_sku": "PEN", "promotion_quantity": 0, "promotion_price": -1}),
            ),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        wrong.body.contains("promotion_quantity") && wrong.body.contains("promotion_price"),
        "{}",
        wrong.body
    );
    let deal = create(
        &admin,
        cart_rule(
            "Mug deal",
            10.0,
            "sku = 'MUG'",
            json!({"promotion_sku": "PEN", "promotion_quantity": 2, "promotion_price": 50}),
        ),
    )
    .await;
    assert_eq!(deal["promotion_sku"], "PEN", "{deal}");
    // A promotional product that is not for sale is skipped; its discount still applies.
    create(
        &admin,
        cart_rule(
            "Ghost gift",
            5.0,
            "sku = 'CAP'",
            json!({"promotion_sku": "NOPE", "promotion_quantity": 1, "promotion_price": 0}),
        ),
    )
    .await;
    let deal_id = deal["id"].as_str().unwrap().to_owned();
    let p = priced(&app, &[("MUG", 1), ("CAP", 1)]).await;
    assert_eq!(applied(&p), named(&[("Mug deal", 100), ("Ghost gift", 17)]));
    let lines = p["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3, "{p}");
    assert_eq!(lines[2]["sku"], "PEN");
    assert_eq!(lines[2]["quantity"], 2);
    assert_eq!(lines[2]["unit_price"], 50);
    assert_eq!(lines[2]["total"], 100);
    assert_eq!(lines[2]["promotion"], deal_id.as_str());
    assert!(p["discounts"][1]["promotion"].is_null(), "{p}");
    assert_eq!(p["subtotal"], 1000 + 333 + 100);
    assert_eq!(p["grand_total"], 1433 - 117 + 495);
    let (order_id, placed) = buy(&app, &admin, &[("MUG", 1), ("CAP", 1)]).await;
    let pen = json!({"sku": "PEN", "quantity": 2, "unit_price": 50, "total": 100,
                     "promotion": deal_id});
    let items = placed["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{placed}");
    for (k, v) in pen.as_object().unwrap() {
        assert_eq!(&items[2][k], v, "{k}: {placed}");
    }
    assert_eq!(items[2]["discount"], 0);
    assert_eq!(placed["totals"]["subtotal"], 1433);
    assert_eq!(placed["totals"]["grand_total"], 1433 - 117 + 495);
    assert_eq!(
        placed["discounts"][0]["promotion"],
        json!({"sku": "PEN", "quantity": 2, "unit_price": 50})
    );
    // A later change of the discount changes new carts, never the placed order.
    let edited = admin
        .submit_json(
            "/admin/discounts/discounts/edit",
            &json!({"id": deal_id, "promotion_quantity": 5, "promotion_price": 999}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let now = priced(&app, &[("MUG", 1)]).await;
    assert_eq!(now["lines"][1]["quantity"], 5, "{now}");
    assert_eq!(now["lines"][1]["unit_price"], 999);
    let again = order(&admin, &order_id).await["order"].clone();
    assert_eq!(again["items"], placed["items"]);
    assert_eq!(again["discounts"], placed["discounts"]);
    assert_eq!(again["totals"], placed["totals"]);
}
