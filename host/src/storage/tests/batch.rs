//! Batch writes (`put_many`): the same rules as one put per record, all or nothing.

use serde_json::json;

use super::*;

both_engines!(
    put_many_creates_replaces_and_indexes_for_search,
    put_many_is_all_or_nothing,
    put_many_refuses_bad_batches_naming_the_item,
);

fn item(id: &str, data: Value, expected_version: Option<i64>) -> PutItem {
    PutItem {
        id: Some(id.to_owned()),
        data,
        expected_version,
    }
}

async fn put_many_creates_replaces_and_indexes_for_search(mut env: Env) {
    let c = env.collection(products()).await;
    env.put_all(&c, &[("old", json!({"sku": "O", "name": "Old Shirt"}))])
        .await;
    let conn = &mut env.conn;
    // More records than one statement carries, so the chunking is exercised too.
    let mut items: Vec<PutItem> = (0..600)
        .map(|i| {
            item(
                &format!("n{i:03}"),
                json!({"sku": format!("S{i}"), "name": format!("Linen {i}")}),
                Some(0),
            )
        })
        .collect();
    items.push(item("old", json!({"sku": "O", "name": "Wool Shirt"}), None));
    items.push(PutItem {
        id: None,
        data: json!({"sku": "G", "name": "Generated Linen"}),
        expected_version: None,
    });
    let docs = c.put_many(conn, items, 500).await.unwrap();
    assert_eq!(docs.len(), 602);
    assert_eq!((docs[0].id.as_str(), docs[0].version), ("n000", 1));
    assert_eq!((docs[600].id.as_str(), docs[600].version), ("old", 2));
    assert_eq!(docs[601].id.len(), 32, "generated id");
    assert_eq!(docs[601].updated_at, 500);
    assert_eq!(c.get(conn, "n599").await.unwrap().data["name"], "Linen 599");

    // A replace with the stored version goes through; the full-text index follows every write.
    let docs = c
        .put_many(
            conn,
            vec![item(
                "n001",
                json!({"sku": "S1", "name": "Hemp 1"}),
                Some(1),
            )],
            600,
        )
        .await
        .unwrap();
    assert_eq!(docs[0].version, 2);
    let search = |words: &str| Query {
        search: Some(words.to_owned()),
        limit: 1000,
        count_total: true,
        ..Query::default()
    };
    let linen = c.query(&mut env.conn, &search("linen")).await.unwrap();
    assert_eq!(linen.total, Some(600), "599 created + the generated one");
    assert_eq!(env.ids(&c, &search("hemp")).await, ["n001"]);
    assert_eq!(env.ids(&c, &search("wool")).await, ["old"]);
    assert!(env.ids(&c, &search("old")).await.is_empty());
    assert_eq!(physical_rows(&mut env, &c).await.0, 602);
}

async fn put_many_is_all_or_nothing(mut env: Env) {
    let c = env.collection(products()).await;
    env.put_all(&c, &[("a", json!({"sku": "A", "name": "Shirt"}))])
        .await;
    let before = physical_rows(&mut env, &c).await;
    let conn = &mut env.conn;

    // A unique value taken by a stored record.
    let taken = c
        .put_many(
            conn,
            vec![
                item("b", json!({"sku": "B", "name": "Hat"}), None),
                item("c", json!({"sku": "A", "name": "Copy"}), None),
            ],
            10,
        )
        .await;
    assert_eq!(
        taken.unwrap_err(),
        StorageError::UniqueViolation("sku".into())
    );
    // Creating a record that exists, and replacing a version that is not stored.
    for expected in [Some(0), Some(7)] {
        let result = c
            .put_many(
                conn,
                vec![
                    item("b", json!({"sku": "B"}), None),
                    item("a", json!({"sku": "A2"}), expected),
                ],
                10,
            )
            .await;
        assert!(
            matches!(&result, Err(StorageError::Conflict(m)) if m.contains("'a'")),
            "{result:?}"
        );
    }
    // Creates in one statement, the second one's id taken: it is named, neither is written.
    let result = c
        .put_many(
            conn,
            vec![
                item("x", json!({"sku": "X"}), Some(0)),
                item("a", json!({"sku": "A3"}), Some(0)),
            ],
            10,
        )
        .await;
    assert!(
        matches!(&result, Err(StorageError::Conflict(m)) if m.contains("'a' already exists")),
        "{result:?}"
    );
    for id in ["b", "x"] {
        assert!(matches!(c.get(conn, id).await, Err(StorageError::NotFound)));
    }
    assert_eq!(c.get(conn, "a").await.unwrap().version, 1);
    assert_eq!(physical_rows(&mut env, &c).await, before, "search rows too");
}

async fn put_many_refuses_bad_batches_naming_the_item(mut env: Env) {
    let c = env.collection(products()).await;
    let conn = &mut env.conn;
    let twice = c
        .put_many(
            conn,
            vec![
                item("x", json!({"sku": "X"}), None),
                item("x", json!({"sku": "Y"}), None),
            ],
            1,
        )
        .await;
    assert_invalid(twice, "item 1: record id 'x' appears twice");
    let bad = c
        .put_many(
            conn,
            vec![
                item("x", json!({"sku": "X"}), None),
                item("y", json!({"price": "cheap"}), None),
            ],
            1,
        )
        .await;
    assert_invalid(bad, "item 1: field 'price' must be a number");
    let too_many = (0..=MAX_BATCH)
        .map(|i| item(&i.to_string(), json!({}), None))
        .collect();
    assert_invalid(c.put_many(conn, too_many, 1).await, "at most 1000");
    assert!(c.put_many(conn, Vec::new(), 1).await.unwrap().is_empty());
    assert_eq!(physical_rows(&mut env, &c).await.0, 0);
}
