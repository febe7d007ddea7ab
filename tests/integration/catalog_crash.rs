//! Crash safety of the catalog import: the real `backoffice serve` is killed with SIGKILL while
//! clients import CSV files. After the restarts every acknowledged file's products are there,
//! no file is half imported (one file is one transaction: all its rows or none), and SQLite's
//! integrity check passes.

use std::collections::HashMap;

use backoffice_tests::crash::{Shop, Write, acknowledged, all_pages};
use serde_json::json;

const CLIENTS: usize = 2;
const ROUNDS: usize = 3;
/// Rows per imported file.
const ROWS: usize = 40;
const READY: &[&str] = &["/admin/catalog/products/index"];

/// Imports one file of [`ROWS`] new products; its SKU prefix when the server acknowledged it.
async fn import(http: reqwest::Client, base: String, w: Write) -> Option<String> {
    let prefix = format!("K{}Y{}Y{}X", w.round, w.client, w.n);
    let mut csv = String::from("abstract_sku,name.en,status,price.EUR.gross\n");
    for i in 0..ROWS {
        csv.push_str(&format!("{prefix}{i},Bolt {i},active,{}\n", 100 + i));
    }
    let reply = http
        .post(format!("{base}/admin/catalog/products/import"))
        .json(&json!({ "csv": csv }))
        .send()
        .await
        .ok()?;
    let answer = acknowledged(reply).await?;
    assert_eq!(answer["report"]["created"], ROWS, "{answer}");
    Some(prefix)
}

#[tokio::test]
async fn sigkill_during_csv_imports_keeps_every_acknowledged_file_whole() {
    let (shop, served, _base) = Shop::new(&["catalog"]).await;
    drop(served);
    let acknowledged = shop
        .crash_rounds(READY, ROUNDS, CLIENTS, (1, 2), import)
        .await;
    assert!(acknowledged.len() >= 6, "{acknowledged:?}");

    let (served, base) = shop.start();
    shop.ready(&base, READY).await;
    let products = all_pages(
        &shop,
        &base,
        "/admin/catalog/products/index?limit=200&",
        "products",
    )
    .await;
    let mut per_file: HashMap<String, usize> = HashMap::new();
    for product in &products {
        let sku = product["sku"].as_str().unwrap();
        let file = &sku[..=sku.rfind('X').unwrap()];
        *per_file.entry(file.to_owned()).or_default() += 1;
    }
    for prefix in &acknowledged {
        assert_eq!(
            per_file.get(prefix),
            Some(&ROWS),
            "acknowledged file {prefix}"
        );
    }
    for (prefix, rows) in &per_file {
        assert_eq!(*rows, ROWS, "file {prefix} is half imported");
    }
    served.terminate();
    shop.assert_integrity().await;
}
