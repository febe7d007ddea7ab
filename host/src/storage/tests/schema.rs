//! `ensure`: creating, migrating and retiring collections without losing records.

use serde_json::json;
use sqlx::Connection;

use super::*;
use crate::storage::query::Part;

both_engines!(
    ensure_adds_a_field_to_a_populated_collection,
    ensure_refuses_unique_over_duplicates_and_changes_nothing,
    ensure_retires_and_revives_collections_with_their_records,
);

async fn ensure_adds_a_field_to_a_populated_collection(mut env: Env) {
    let v1 = collection_spec("items", vec![indexed(field("title", FieldKind::Text))]);
    let c1 = env.collection(v1.clone()).await;
    for i in 0..300 {
        // `brand` is not declared yet: any JSON goes, including a value of another kind.
        let brand = match i % 3 {
            0 => json!("acme"),
            1 => json!(format!("brand {i}")),
            _ => json!(5),
        };
        c1.put(
            &mut env.conn,
            Some(&format!("i{i:03}")),
            json!({"title": format!("t{i}"), "brand": brand}),
            None,
            1,
        )
        .await
        .unwrap();
    }

    let mut v2 = v1.clone();
    v2.fields
        .push(searchable(indexed(field("brand", FieldKind::Text))));
    v2.fields.push(unique(field("code", FieldKind::Integer)));
    let c2 = env.collection(v2.clone()).await;
    assert_eq!(c2.table(), c1.table(), "same table after migration");
    assert_eq!(c2.count(&mut env.conn, &Filter::all()).await.unwrap(), 300);
    assert_eq!(
        c2.get(&mut env.conn, "i002").await.unwrap().data,
        json!({"title": "t2", "brand": 5})
            .as_object()
            .unwrap()
            .clone()
    );

    // The new index answers filters; a value of another kind counts as no value.
    let acme = Filter::all_of(vec![cond("brand", Op::Eq, json!("acme"))]);
    assert_eq!(c2.count(&mut env.conn, &acme).await.unwrap(), 100);
    let none = Filter::all_of(vec![cond("brand", Op::Eq, Value::Null)]);
    assert_eq!(c2.count(&mut env.conn, &none).await.unwrap(), 100);
    let search = Query {
        search: Some("brand 31".into()),
        ..Query::default()
    };
    assert_eq!(env.ids(&c2, &search).await, ["i031"]);
    if env.engine == Engine::Sqlite {
        // The statement a typical admin list runs: filter by one indexed field, sort by another.
        let typical = Query {
            filter: acme.clone(),
            sort: vec![Sort::asc("title")],
            ..Query::default()
        };
        let plan = sqlite_plan(&mut env, &c2, &typical).await;
        let table = c2.table();
        assert!(
            plan.contains(&format!("INDEX {table}_i_brand"))
                || plan.contains(&format!("INDEX {table}_i_title")),
            "{plan}"
        );
        // Sorts that an index serves need no sorting step, with or without a cursor.
        let newest = Query {
            sort: vec![Sort::desc("id")],
            ..typical.clone()
        };
        let plan = sqlite_plan(&mut env, &c2, &newest).await;
        assert!(plan.contains(&format!("INDEX {table}_i_brand")), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        let by_title = Query {
            filter: Filter::all(),
            limit: 10,
            ..typical
        };
        let page = c2.query(&mut env.conn, &by_title).await.unwrap();
        let next = Query {
            after: page.next_cursor,
            ..by_title.clone()
        };
        let plan = sqlite_plan(&mut env, &c2, &next).await;
        assert!(
            plan.contains(&format!(
                "SEARCH {table} USING INDEX {table}_i_title (<expr>>?)"
            )),
            "the cursor seeks into the index: {plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        // Descending, the NULLs come last: the values after the cursor are still one range
        // of the index, the NULLs a second statement (a single `e <= p OR e IS NULL` made
        // SQLite sort every record before the page).
        let newest_titles = Query {
            sort: vec![Sort::desc("title")],
            ..by_title
        };
        let page = c2.query(&mut env.conn, &newest_titles).await.unwrap();
        let next = Query {
            after: page.next_cursor,
            ..newest_titles
        };
        let plan = sqlite_plan(&mut env, &c2, &next).await;
        assert!(
            plan.contains(&format!(
                "SEARCH {table} USING INDEX {table}_i_title (<expr><?)"
            )),
            "the cursor seeks into the index: {plan}"
        );
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY"), "{plan}");
    }
    // New writes are checked against the new field kinds; unique works.
    assert_invalid(
        c2.put(&mut env.conn, None, json!({"brand": 7}), None, 2)
            .await,
        "field 'brand'",
    );
    c2.put(&mut env.conn, Some("n1"), json!({"code": 1}), None, 2)
        .await
        .unwrap();
    let taken = c2
        .put(&mut env.conn, Some("n2"), json!({"code": 1}), None, 2)
        .await;
    assert_eq!(taken, Err(StorageError::UniqueViolation("code".into())));

    // Removing the field again keeps its values; only the index and search go.
    let c3 = env.collection(v1.clone()).await;
    assert_invalid(c3.count(&mut env.conn, &acme).await, "no field 'brand'");
    assert_eq!(
        c3.get(&mut env.conn, "i000").await.unwrap().data["brand"],
        json!("acme")
    );
    c3.put(&mut env.conn, Some("n2"), json!({"code": 1}), None, 3)
        .await
        .unwrap();
    assert_eq!(c3.count(&mut env.conn, &Filter::all()).await.unwrap(), 302);
}

async fn ensure_refuses_unique_over_duplicates_and_changes_nothing(mut env: Env) {
    let v1 = collection_spec("items", vec![field("code", FieldKind::Text)]);
    let c = env.collection(v1.clone()).await;
    env.put_all(
        &c,
        &[("a", json!({"code": "x"})), ("b", json!({"code": "x"}))],
    )
    .await;
    let v2 = collection_spec("items", vec![unique(field("code", FieldKind::Text))]);
    // Refused inside the caller's transaction, which stays usable.
    let mut tx = env.conn.begin().await.unwrap();
    let refused = ensure(
        &mut tx,
        env.engine,
        &env.plugin,
        std::slice::from_ref(&v2),
        5,
    )
    .await;
    assert_invalid(refused, "field 'code' cannot be unique");
    assert_eq!(
        spec(&mut tx, env.engine, &env.plugin, "items")
            .await
            .unwrap(),
        Some(v1)
    );
    c.put(&mut tx, Some("c"), json!({"code": "x"}), None, 5)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    c.delete(&mut env.conn, "c").await.unwrap();

    c.patch(&mut env.conn, "b", json!({"code": "y"}), None, 6)
        .await
        .unwrap();
    env.ensure(&[v2]).await;
    let again = c
        .put(&mut env.conn, Some("c"), json!({"code": "y"}), None, 7)
        .await;
    assert_eq!(again, Err(StorageError::UniqueViolation("code".into())));
}

async fn ensure_retires_and_revives_collections_with_their_records(mut env: Env) {
    let notes = collection_spec("notes", vec![searchable(field("body", FieldKind::Text))]);
    let tags = collection_spec("tags", vec![]);
    let both = env.ensure(&[notes.clone(), tags.clone()]).await;
    env.put_all(&both[0], &[("n", json!({"body": "remember the milk"}))])
        .await;
    // Ensuring the same specs again changes nothing.
    let again = env.ensure(&[notes.clone(), tags.clone()]).await;
    assert_eq!(again[0].table(), both[0].table());

    env.ensure(std::slice::from_ref(&tags)).await;
    assert!(
        lookup(&mut env.conn, env.engine, &env.plugin, "notes")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        collections(&mut env.conn, env.engine, &env.plugin)
            .await
            .unwrap()
            .len(),
        1
    );

    let revived = env.ensure(&[notes, tags]).await.remove(0);
    assert_eq!(revived.table(), both[0].table());
    let search = Query {
        search: Some("milk".into()),
        ..Query::default()
    };
    assert_eq!(env.ids(&revived, &search).await, ["n"]);
}

/// SQLite's plan for the page statement of `q`, one line per step.
async fn sqlite_plan(env: &mut Env, c: &Collection, q: &Query) -> String {
    let mut sql = c.select(q, false, Part::Whole).unwrap().sql;
    sql.text.insert_str(0, "EXPLAIN QUERY PLAN ");
    let rows = sql.query().fetch_all(&mut env.conn).await.unwrap();
    rows.iter()
        .map(|r| r.try_get::<String, _>("detail").unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}
