//! Crash safety of checkout: the real `backoffice serve` process is killed with SIGKILL at
//! random moments while clients place orders. After each restart every order the server
//! acknowledged is there, and no order is half-written: each has its items, totals that add
//! up, a logged history, and sales' stock holds match the orders that hold stock. Catalog is the
//! real `catalog` plugin; once its events are delivered, its reservations match the orders too.

use std::time::Duration;

use backoffice_tests::crash::{Shop, Write, acknowledged, all_pages};
use backoffice_tests::shipping;
use serde_json::{Value, json};

const CLIENTS: usize = 4;
const ROUNDS: usize = 4;
/// The pages that answer once the three plugins are loaded.
const READY: &[&str] = &[
    "/admin/sales/orders/index",
    "/admin/catalog/warehouses/index",
    "/admin/shipping/methods/index",
];

/// Places one guest order as an assisted order; the id when the server acknowledged it.
async fn place(http: reqwest::Client, base: String, w: Write) -> Option<String> {
    let body = json!({
        "email": format!("c{}-{}-{}@example.com", w.round, w.client, w.n),
        "items": [{"sku": "BOLT", "quantity": 1 + (w.n % 3)}],
        "billing": {"first_name": "A", "last_name": "B", "street": "S", "zip": "1", "city": "C", "country": "DE"},
    });
    let reply = http
        .post(format!("{base}/admin/sales/orders/create"))
        .json(&body)
        .send()
        .await
        .ok()?;
    let answer = acknowledged(reply).await?;
    Some(answer["id"].as_str()?.to_owned())
}

#[tokio::test]
async fn sigkill_during_checkouts_loses_no_acknowledged_order_and_leaves_none_half_written() {
    let (shop, served, base) = Shop::new(&["catalog", "sales", "shipping"]).await;
    shop.ready(&base, READY).await;
    let product = json!({"sku": "BOLT", "name": "Bolt", "status": "active", "price": 150});
    shop.post(&base, "/admin/catalog/products/create", product)
        .await;
    let warehouse = json!({"name": "Main"});
    shop.post(&base, "/admin/catalog/warehouses/create", warehouse)
        .await;
    let stock = json!({"sku": "BOLT", "quantities": {"Main": 1_000_000}});
    shop.post(&base, "/admin/catalog/stock/edit", stock).await;
    // A shipment method and payment methods: sales places no order without them.
    let carrier = shop
        .post(
            &base,
            "/admin/shipping/carriers/create",
            shipping::carrier(),
        )
        .await;
    let method = shipping::flat_method(carrier["carrier"]["id"].as_str().unwrap());
    shop.post(&base, "/admin/shipping/methods/create", method)
        .await;
    let payments = shipping::all_payments();
    shop.post(&base, "/admin/sales/payments/edit", payments)
        .await;
    drop(served);

    let acknowledged = shop
        .crash_rounds(READY, ROUNDS, CLIENTS, (1, 1), place)
        .await;
    assert!(
        acknowledged.len() > 10,
        "too few orders to prove anything: {}",
        acknowledged.len()
    );

    let (served, base) = shop.start();
    shop.ready(&base, READY).await;
    let orders = all_pages(&shop, &base, "/admin/sales/orders/index?", "orders").await;
    let ids: std::collections::HashSet<&str> =
        orders.iter().map(|o| o["id"].as_str().unwrap()).collect();
    for id in &acknowledged {
        assert!(
            ids.contains(id.as_str()),
            "acknowledged order {id} was lost"
        );
    }
    let mut held = 0;
    for row in &orders {
        let id = row["id"].as_str().unwrap();
        let o = shop
            .get(&base, &format!("/admin/sales/orders/show?id={id}"))
            .await;
        let order = &o["order"];
        let items = order["items"].as_array().unwrap();
        assert!(!items.is_empty(), "order {id} has no items");
        let subtotal: i64 = items.iter().map(|i| i["total"].as_i64().unwrap()).sum();
        assert_eq!(
            order["totals"]["subtotal"].as_i64(),
            Some(subtotal),
            "{order}"
        );
        assert_eq!(
            order["totals"]["grand_total"].as_i64(),
            Some(subtotal + order["totals"]["shipping"].as_i64().unwrap())
        );
        assert_eq!(
            o["history"].as_array().unwrap().len(),
            2 * items.len(),
            "{order}"
        );
        held += items
            .iter()
            .map(|i| i["quantity"].as_i64().unwrap())
            .sum::<i64>();
    }
    // Catalog's reservation follows sales' events, delivered at least once across the kills.
    backoffice_tests::poll(
        Duration::from_secs(60),
        "catalog reserves what the orders hold",
        || async {
            let stock: Value = shop
                .http
                .get(format!("{base}/admin/catalog/stock/edit?sku=BOLT"))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (stock["availability"]["reserved"].as_i64() == Some(held)).then_some(())
        },
    )
    .await;
    served.terminate();
    // Sales' hold of the SKU is exactly what the stored orders hold: no hold without its order
    // and no order without its hold.
    shop.assert_integrity().await;
    let db = backoffice_tests::open_db(shop.data()).await;
    let table: i64 = sqlx::query_scalar(
        "SELECT id FROM plugin_collections WHERE plugin_id = 'sales' AND name = 'holds'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    let hold: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(json_extract(data, '$.quantity') AS INTEGER) FROM pcol_{table} WHERE id = 'BOLT'"
    ))
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(hold, held, "holds match the orders");
}
