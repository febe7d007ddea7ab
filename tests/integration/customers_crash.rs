//! Crash safety of customer writes: the real `backoffice serve` is killed with SIGKILL while
//! clients create customers (each a host account and the customers section's record, written
//! in one call's transaction) and their addresses. After the restarts every acknowledged
//! customer and address is there, no account exists without its customer record or the other
//! way round, and SQLite's integrity check passes.

use std::collections::HashSet;

use backoffice_tests::crash::{Shop, Write, acknowledged, all_pages};
use serde_json::{Value, json};

const CLIENTS: usize = 3;
const ROUNDS: usize = 3;
const READY: &[&str] = &["/admin/customers/customers/index"];

/// Creates a customer and one address; the email when both were acknowledged.
async fn create(http: reqwest::Client, base: String, w: Write) -> Option<String> {
    let email = format!("k{}-{}-{}@example.com", w.round, w.client, w.n);
    let customer =
        json!({"email": email, "first_name": "Kay", "last_name": format!("C{}N{}", w.client, w.n)});
    let reply = http
        .post(format!("{base}/admin/customers/customers/create"))
        .json(&customer)
        .send()
        .await
        .ok()?;
    let answer: Value = acknowledged(reply).await?;
    let id = answer["customer"]["id"].as_str()?.to_owned();
    let address = json!({"customer": id, "first_name": "Kay", "last_name": "C", "street": "Main", "house_number": "1", "zip": "10115", "city": "Berlin", "country": "DE"});
    let reply = http
        .post(format!("{base}/admin/customers/addresses/create"))
        .json(&address)
        .send()
        .await
        .ok()?;
    acknowledged(reply).await.map(|_| email)
}

#[tokio::test]
async fn sigkill_during_customer_writes_loses_no_acknowledged_customer_or_address() {
    let (shop, served, _base) = Shop::new(&["customers"]).await;
    drop(served);
    let acknowledged = shop
        .crash_rounds(READY, ROUNDS, CLIENTS, (1, 1), create)
        .await;
    assert!(acknowledged.len() >= 9, "{acknowledged:?}");

    let (served, base) = shop.start();
    shop.ready(&base, READY).await;
    let customers = all_pages(
        &shop,
        &base,
        "/admin/customers/customers/index?limit=200&",
        "customers",
    )
    .await;
    let emails: HashSet<&str> = customers
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    for email in &acknowledged {
        assert!(
            emails.contains(email.as_str()),
            "acknowledged customer {email} was lost"
        );
    }
    for email in &acknowledged {
        let customer = customers
            .iter()
            .find(|c| c["email"] == email.as_str())
            .unwrap();
        let id = customer["id"].as_str().unwrap();
        let addresses = shop
            .get(
                &base,
                &format!("/admin/customers/addresses/index?customer={id}"),
            )
            .await;
        assert_eq!(
            addresses["addresses"].as_array().map(Vec::len),
            Some(1),
            "{email}: {addresses}"
        );
    }
    served.terminate();
    shop.assert_integrity().await;
    let db = backoffice_tests::open_db(shop.data()).await;
    let accounts: Vec<String> = sqlx::query_scalar("SELECT email FROM customers_auth")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let accounts: HashSet<&str> = accounts.iter().map(String::as_str).collect();
    assert_eq!(
        accounts, emails,
        "host accounts and customer records match one to one"
    );
}
