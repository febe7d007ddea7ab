//! Full-text search: finds words in searchable fields and follows every write.

use serde_json::json;

use super::*;

both_engines!(
    search_finds_words_and_follows_writes,
    a_common_word_pages_in_sort_order_with_exact_totals,
);

async fn search_finds_words_and_follows_writes(mut env: Env) {
    let c = env.collection(products()).await;
    env.put_all(
        &c,
        &[
            (
                "1",
                json!({"name": "Linen Shirt", "description": "A light summer shirt"}),
            ),
            (
                "2",
                json!({"name": "Wool Sweater", "description": "Warm for winter"}),
            ),
            ("3", json!({"name": "Summer Hat", "color": "linen"})),
            (
                "4",
                json!({"name": "Socks", "description": "wool, pack of 3"}),
            ),
        ],
    )
    .await;
    let search = |words: &str| Query {
        search: Some(words.to_owned()),
        ..Query::default()
    };

    assert_eq!(env.ids(&c, &search("shirt")).await, ["1"]);
    assert_eq!(env.ids(&c, &search("SUMMER")).await, ["1", "3"]);
    assert_eq!(env.ids(&c, &search("wool")).await, ["2", "4"]);
    // Every word must occur; non-searchable fields (color) do not count.
    assert_eq!(env.ids(&c, &search("summer shirt")).await, ["1"]);
    assert_eq!(env.ids(&c, &search("linen")).await, ["1"]);
    // Query syntax in the input is just words.
    assert_eq!(
        env.ids(&c, &search("\"wool\" OR-(pack)*")).await,
        Vec::<String>::new()
    );
    assert_eq!(env.ids(&c, &search("wool pack*")).await, ["4"]);
    // No words: no search.
    assert_eq!(env.ids(&c, &search(" ?! ")).await.len(), 4);

    // Combined with a filter, a sort and a count.
    let q = Query {
        search: Some("summer".into()),
        filter: Filter::all_of(vec![cond("name", Op::Prefix, json!("Summer"))]),
        count_total: true,
        ..Query::default()
    };
    let page = c.query(&mut env.conn, &q).await.unwrap();
    assert_eq!((page.documents[0].id.as_str(), page.total), ("3", Some(1)));

    // Writes move records in and out of the index.
    c.put(
        &mut env.conn,
        Some("1"),
        json!({"name": "Cotton Tee"}),
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(env.ids(&c, &search("shirt")).await, Vec::<String>::new());
    assert_eq!(env.ids(&c, &search("cotton")).await, ["1"]);
    c.patch(
        &mut env.conn,
        "2",
        json!({"description": "itchy"}),
        None,
        11,
    )
    .await
    .unwrap();
    assert_eq!(env.ids(&c, &search("wool")).await, ["2", "4"]);
    assert_eq!(env.ids(&c, &search("winter")).await, Vec::<String>::new());
    assert_eq!(env.ids(&c, &search("itchy")).await, ["2"]);
    c.patch(&mut env.conn, "2", json!({"name": null}), None, 12)
        .await
        .unwrap();
    assert_eq!(env.ids(&c, &search("wool")).await, ["4"]);
    c.delete(&mut env.conn, "4").await.unwrap();
    assert_eq!(env.ids(&c, &search("wool")).await, Vec::<String>::new());
    let created = c
        .put(&mut env.conn, None, json!({"name": "Wool Scarf"}), None, 13)
        .await
        .unwrap();
    assert_eq!(env.ids(&c, &search("wool")).await, [created.id]);
    let fts_rows = (env.engine == Engine::Sqlite).then_some(4);
    assert_eq!(physical_rows(&mut env, &c).await, (4, fts_rows));
}

/// Above 2,000 matches SQLite walks the sort's index and tests each record against the
/// matches, and counts from the full-text index alone: pages and totals must be the same.
async fn a_common_word_pages_in_sort_order_with_exact_totals(mut env: Env) {
    let c = env.collection(products()).await;
    let items: Vec<PutItem> = (0..2600)
        .map(|i| PutItem {
            id: Some(format!("p{i:04}")),
            data: json!({
                "name": format!("Jacket {:04}", 2599 - i),
                "description": if i % 100 == 0 { "rare" } else { "plain" },
                "active": i % 2 == 0,
            }),
            expected_version: None,
        })
        .collect();
    for chunk in items.chunks(MAX_BATCH) {
        c.put_many(&mut env.conn, chunk.to_vec(), 1).await.unwrap();
    }
    let query = |search: &str, filter: Filter| Query {
        search: Some(search.to_owned()),
        filter,
        sort: vec![Sort::asc("name")],
        limit: 3,
        count_total: true,
        ..Query::default()
    };
    let page = c
        .query(&mut env.conn, &query("jacket", Filter::all()))
        .await
        .unwrap();
    let ids: Vec<&str> = page.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        (ids, page.total),
        (vec!["p2599", "p2598", "p2597"], Some(2600))
    );
    let next = Query {
        after: page.next_cursor.clone(),
        ..query("jacket", Filter::all())
    };
    assert_eq!(env.ids(&c, &next).await, ["p2596", "p2595", "p2594"]);

    let active = Filter::all_of(vec![cond("active", Op::Eq, json!(true))]);
    let page = c
        .query(&mut env.conn, &query("jacket", active))
        .await
        .unwrap();
    let ids: Vec<&str> = page.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        (ids, page.total),
        (vec!["p2598", "p2596", "p2594"], Some(1300))
    );

    let page = c
        .query(&mut env.conn, &query("jacket rare", Filter::all()))
        .await
        .unwrap();
    assert_eq!(
        (page.documents[0].id.as_str(), page.total),
        ("p2500", Some(26))
    );
}
