//! Sorting and both pagings: offset pages and keyset pages concatenate to the full order.

use std::collections::HashSet;

use serde_json::json;

use super::*;

both_engines!(
    sort_orders_nulls_first_and_breaks_ties_by_id,
    keyset_pages_concatenate_to_the_full_order
);

/// 57 records with repeated values, missing values and mixed number kinds.
async fn many(env: &mut Env) -> Collection {
    let c = env.collection(products()).await;
    for i in 0..57_i64 {
        let mut data = json!({
            "name": format!("item {:02}", (i * 7) % 13),
            "stock": i % 5,
            "active": i % 3 == 0,
        });
        if i % 4 != 0 {
            data["price"] = if i % 2 == 0 {
                json!(i % 6)
            } else {
                json!((i % 6) as f64 + 0.5)
            };
        }
        if i % 10 == 0 {
            data["active"] = Value::Null;
        }
        c.put(
            &mut env.conn,
            Some(&format!("r{i:02}")),
            data,
            None,
            500 + i % 7,
        )
        .await
        .unwrap();
    }
    c
}

async fn sort_orders_nulls_first_and_breaks_ties_by_id(mut env: Env) {
    let c = env.collection(products()).await;
    env.put_all(
        &c,
        &[
            ("b", json!({"price": 2})),
            ("a", json!({"price": 10})),
            ("d", json!({})),
            ("c", json!({"price": 2})),
            ("e", json!({"price": 1.5})),
        ],
    )
    .await;
    let sorted = |sort| Query {
        sort,
        ..Query::default()
    };
    assert_eq!(
        env.ids(&c, &sorted(vec![Sort::asc("price")])).await,
        ["d", "e", "b", "c", "a"]
    );
    assert_eq!(
        env.ids(&c, &sorted(vec![Sort::desc("price")])).await,
        ["a", "c", "b", "e", "d"]
    );
    assert_eq!(
        env.ids(&c, &sorted(vec![])).await,
        ["a", "b", "c", "d", "e"]
    );
    assert_eq!(
        env.ids(&c, &sorted(vec![Sort::desc("id")])).await,
        ["e", "d", "c", "b", "a"]
    );
    assert_eq!(
        env.ids(&c, &sorted(vec![Sort::desc("created_at")])).await,
        ["e", "c", "d", "a", "b"]
    );

    // Offset pages.
    let page = |offset| Query {
        sort: vec![Sort::asc("price")],
        limit: 2,
        offset,
        ..Query::default()
    };
    assert_eq!(env.ids(&c, &page(0)).await, ["d", "e"]);
    assert_eq!(env.ids(&c, &page(2)).await, ["b", "c"]);
    assert_eq!(env.ids(&c, &page(4)).await, ["a"]);
    assert!(env.ids(&c, &page(6)).await.is_empty());
}

async fn keyset_pages_concatenate_to_the_full_order(mut env: Env) {
    let c = many(&mut env).await;
    let sorts = [
        vec![],
        vec![Sort::asc("price")],
        vec![Sort::desc("price")],
        vec![Sort::desc("active"), Sort::asc("name")],
        vec![Sort::asc("stock"), Sort::desc("price"), Sort::asc("name")],
        vec![Sort::desc("created_at"), Sort::asc("id")],
        vec![Sort::asc("name"), Sort::desc("id")],
    ];
    let filters = [
        Filter::all(),
        Filter::all_of(vec![cond("stock", Op::Gte, json!(2))]),
    ];
    for sort in sorts {
        for filter in &filters {
            let full = Query {
                filter: filter.clone(),
                sort: sort.clone(),
                limit: 1000,
                ..Query::default()
            };
            let expected = env.ids(&c, &full).await;
            let mut seen = Vec::new();
            let mut after = None;
            let mut pages = 0;
            loop {
                let q = Query {
                    limit: 7,
                    after: after.clone(),
                    offset: 3, // ignored with a cursor
                    ..full.clone()
                };
                let q = if after.is_none() {
                    Query { offset: 0, ..q }
                } else {
                    q
                };
                let page = c.query(&mut env.conn, &q).await.unwrap();
                assert!(page.documents.len() <= 7);
                seen.extend(page.documents.into_iter().map(|d| d.id));
                pages += 1;
                match page.next_cursor {
                    Some(cursor) => after = Some(cursor),
                    None => break,
                }
                assert!(pages < 20, "paging does not end for {sort:?}");
            }
            assert_eq!(seen, expected, "keyset pages for {sort:?} {filter:?}");
            assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
            assert_eq!(pages, expected.len().div_ceil(7).max(1), "{sort:?}");
        }
    }

    // A cursor only works with the sort it came from.
    let first = Query {
        sort: vec![Sort::asc("price")],
        limit: 5,
        ..Query::default()
    };
    let cursor = c.query(&mut env.conn, &first).await.unwrap().next_cursor;
    let other = Query {
        sort: vec![Sort::desc("price")],
        after: cursor,
        ..Query::default()
    };
    assert_invalid(c.query(&mut env.conn, &other).await, "another sort");
}
