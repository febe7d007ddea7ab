//! Records by id: versions, expected versions, unique fields, merge patch, bad input.

use serde_json::json;
use sqlx::Connection;

use super::*;

both_engines!(
    crud_keeps_versions_and_timestamps,
    expected_version_conflicts,
    unique_violation_names_the_field_and_keeps_the_transaction_usable,
    patch_merges_and_validates,
    bad_input_is_invalid_with_a_reason,
    rollback_leaves_no_records_and_no_search_rows,
    lookup_exposes_specs_per_plugin,
);

async fn crud_keeps_versions_and_timestamps(mut env: Env) {
    let c = env.collection(products()).await;
    let conn = &mut env.conn;

    let created = c
        .put(
            conn,
            None,
            json!({"sku": "A-1", "name": "Shirt", "price": 19.9}),
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!(created.id.len(), 32, "generated id {:?}", created.id);
    assert_eq!(
        (created.version, created.created_at, created.updated_at),
        (1, 100, 100)
    );
    assert_eq!(c.get(conn, &created.id).await.unwrap(), created);

    let replaced = c
        .put(
            conn,
            Some(&created.id),
            json!({"sku": "A-1", "name": "Shirt XL"}),
            None,
            150,
        )
        .await
        .unwrap();
    assert_eq!(
        (replaced.version, replaced.created_at, replaced.updated_at),
        (2, 100, 150)
    );
    let read = c.get(conn, &created.id).await.unwrap();
    assert_eq!(
        read.data,
        json!({"sku": "A-1", "name": "Shirt XL"})
            .as_object()
            .unwrap()
            .clone()
    );
    assert_eq!(read.version, 2);

    let chosen = c
        .put(conn, Some("my id/1"), json!({}), None, 160)
        .await
        .unwrap();
    assert_eq!((chosen.id.as_str(), chosen.version), ("my id/1", 1));

    c.delete(conn, &created.id).await.unwrap();
    assert_eq!(c.get(conn, &created.id).await, Err(StorageError::NotFound));
    assert_eq!(
        c.delete(conn, &created.id).await,
        Err(StorageError::NotFound)
    );
    assert_eq!(c.get(conn, "never").await, Err(StorageError::NotFound));
    assert_eq!(c.count(conn, &Filter::all()).await.unwrap(), 1);
}

async fn expected_version_conflicts(mut env: Env) {
    let c = env.collection(products()).await;
    let conn = &mut env.conn;

    let v1 = c
        .put(conn, Some("p"), json!({"name": "a"}), Some(0), 10)
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    let again = c
        .put(conn, Some("p"), json!({"name": "b"}), Some(0), 11)
        .await;
    assert_eq!(
        again,
        Err(StorageError::Conflict(
            "record 'p' already exists (version 1)".into()
        ))
    );

    let v2 = c
        .put(conn, Some("p"), json!({"name": "b"}), Some(1), 12)
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let stale = c
        .put(conn, Some("p"), json!({"name": "c"}), Some(1), 13)
        .await;
    assert_eq!(
        stale,
        Err(StorageError::Conflict(
            "record 'p' is at version 2, not 1".into()
        ))
    );
    let missing = c.put(conn, Some("q"), json!({}), Some(3), 13).await;
    assert_eq!(
        missing,
        Err(StorageError::Conflict(
            "record 'q' does not exist (expected version 3)".into()
        ))
    );

    let stale_patch = c.patch(conn, "p", json!({"name": "d"}), Some(1), 14).await;
    assert!(
        matches!(stale_patch, Err(StorageError::Conflict(_))),
        "{stale_patch:?}"
    );
    let v3 = c
        .patch(conn, "p", json!({"name": "d"}), Some(2), 14)
        .await
        .unwrap();
    assert_eq!((v3.version, v3.updated_at, v3.created_at), (3, 14, 10));

    assert_invalid(
        c.put(conn, Some("p"), json!({}), Some(-1), 15).await,
        "negative",
    );
    assert_eq!(c.get(conn, "p").await.unwrap().data["name"], json!("d"));
}

async fn unique_violation_names_the_field_and_keeps_the_transaction_usable(mut env: Env) {
    let c = env.collection(products()).await;
    let mut tx = env.conn.begin().await.unwrap();

    c.put(&mut tx, Some("a"), json!({"sku": "S-1"}), None, 1)
        .await
        .unwrap();
    let taken = c
        .put(&mut tx, Some("b"), json!({"sku": "S-1"}), None, 2)
        .await;
    assert_eq!(taken, Err(StorageError::UniqueViolation("sku".into())));
    let taken_by_patch = {
        c.put(&mut tx, Some("b"), json!({"sku": "S-2"}), None, 3)
            .await
            .unwrap();
        c.patch(&mut tx, "b", json!({"sku": "S-1"}), None, 4).await
    };
    assert_eq!(
        taken_by_patch,
        Err(StorageError::UniqueViolation("sku".into()))
    );

    // The failed writes were undone, the transaction goes on (PostgreSQL included).
    c.put(
        &mut tx,
        Some("a"),
        json!({"sku": "S-1", "name": "same record, same sku"}),
        None,
        5,
    )
    .await
    .unwrap();
    for id in ["c", "d", "e"] {
        c.put(&mut tx, Some(id), json!({"name": "no sku"}), None, 6)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let conn = &mut env.conn;
    assert_eq!(c.get(conn, "b").await.unwrap().data["sku"], json!("S-2"));
    assert_eq!(c.get(conn, "b").await.unwrap().version, 1);
    assert_eq!(c.count(conn, &Filter::all()).await.unwrap(), 5);
}

async fn patch_merges_and_validates(mut env: Env) {
    let c = env.collection(products()).await;
    let conn = &mut env.conn;
    c.put(
        conn,
        Some("p"),
        json!({"name": "Mug", "color": "red", "dims": {"w": 1, "h": 2}, "tags": ["a"]}),
        None,
        1,
    )
    .await
    .unwrap();

    let patched = c
        .patch(
            conn,
            "p",
            json!({"color": null, "price": 4.5, "dims": {"h": 3}, "tags": ["b"]}),
            None,
            2,
        )
        .await
        .unwrap();
    let expected = json!({"name": "Mug", "price": 4.5, "dims": {"w": 1, "h": 3}, "tags": ["b"]});
    assert_eq!(Value::Object(patched.data.clone()), expected);
    assert_eq!(patched.version, 2);
    assert_eq!(
        Value::Object(c.get(conn, "p").await.unwrap().data),
        expected
    );

    assert_invalid(
        c.patch(conn, "p", json!(["x"]), None, 3).await,
        "changes must be a JSON object",
    );
    assert_invalid(
        c.patch(conn, "p", json!({"stock": "lots"}), None, 3).await,
        "field 'stock'",
    );
    assert_eq!(
        c.patch(conn, "nope", json!({}), None, 3).await,
        Err(StorageError::NotFound)
    );
    assert_eq!(c.get(conn, "p").await.unwrap().version, 2);
}

async fn bad_input_is_invalid_with_a_reason(mut env: Env) {
    let c = env.collection(products()).await;
    let plain = env
        .collection(collection_spec(
            "notes",
            vec![field("body", FieldKind::Text)],
        ))
        .await;
    // All of it inside one transaction, which must stay usable (PostgreSQL aborts a
    // transaction on any failed statement).
    let mut tx = env.conn.begin().await.unwrap();
    let conn = &mut *tx;

    assert_invalid(
        c.put(conn, None, json!("text"), None, 1).await,
        "must be a JSON object, not a text",
    );
    assert_invalid(
        c.put(conn, None, json!({"stock": "abc"}), None, 1).await,
        "field 'stock' must be an integer",
    );
    assert_invalid(
        c.put(conn, None, json!({"stock": 1.5}), None, 1).await,
        "field 'stock'",
    );
    assert_invalid(
        c.put(conn, None, json!({"active": "yes"}), None, 1).await,
        "field 'active' must be a boolean",
    );
    assert_invalid(
        c.put(conn, None, json!({"price": "9"}), None, 1).await,
        "field 'price' must be a number",
    );
    assert_invalid(
        c.put(conn, Some(""), json!({}), None, 1).await,
        "record id is empty",
    );
    assert_invalid(
        c.put(conn, None, json!({"x": "a\u{0}b"}), None, 1).await,
        "NUL",
    );
    c.put(
        conn,
        None,
        json!({"stock": null, "undeclared": "anything"}),
        None,
        1,
    )
    .await
    .unwrap();

    let filtered = |conditions| Query {
        filter: Filter::all_of(conditions),
        ..Query::default()
    };
    assert_invalid(
        c.query(conn, &filtered(vec![cond("weight", Op::Eq, json!(1))]))
            .await,
        "no field 'weight'",
    );
    assert_invalid(
        c.query(conn, &filtered(vec![cond("stock", Op::Gt, json!("abc"))]))
            .await,
        "filter 'stock gt': the value must be a number, not a text",
    );
    assert_invalid(
        c.query(conn, &filtered(vec![cond("price", Op::Prefix, json!("1"))]))
            .await,
        "only works on text fields",
    );
    assert_invalid(
        c.query(conn, &filtered(vec![cond("sku", Op::InList, json!("a"))]))
            .await,
        "must be an array",
    );
    assert_invalid(
        c.query(conn, &filtered(vec![cond("stock", Op::Lt, Value::Null)]))
            .await,
        "filter 'stock lt'",
    );
    let sorted = Query {
        sort: vec![Sort::asc("nope")],
        ..Query::default()
    };
    assert_invalid(c.query(conn, &sorted).await, "no field 'nope'");
    let cursor = Query {
        after: Some("c1not-hex".into()),
        ..Query::default()
    };
    assert_invalid(c.query(conn, &cursor).await, "cursor is not valid");
    let forged = Query {
        after: Some(format!("c1{}", hex::encode(r#"{"s":"id:a","v":[5]}"#))),
        ..Query::default()
    };
    assert_invalid(c.query(conn, &forged).await, "cursor does not fit");
    let nul = Query {
        after: Some(format!(
            "c1{}",
            hex::encode(r#"{"s":"id:a","v":["a\u0000"]}"#)
        )),
        ..Query::default()
    };
    assert_invalid(c.query(conn, &nul).await, "cursor does not fit");
    let big = Query {
        limit: 5000,
        ..Query::default()
    };
    assert_invalid(c.query(conn, &big).await, "limit 5000");
    let search = Query {
        search: Some("hello".into()),
        ..Query::default()
    };
    assert_invalid(plain.query(conn, &search).await, "no searchable fields");

    assert_invalid(
        open(conn, env.engine, &env.plugin, "missing").await,
        "has no collection 'missing'",
    );
    let bad_spec = collection_spec("Bad Name", vec![field("ok", FieldKind::Text)]);
    assert_invalid(
        ensure(conn, env.engine, &env.plugin, &[bad_spec], 1).await,
        "contains 'B'",
    );
    assert_eq!(c.count(conn, &Filter::all()).await.unwrap(), 1);
    tx.commit().await.unwrap();
}

async fn rollback_leaves_no_records_and_no_search_rows(mut env: Env) {
    let c = env.collection(products()).await;
    env.put_all(&c, &[("keep", json!({"name": "kept lamp"}))])
        .await;

    let mut tx = env.conn.begin().await.unwrap();
    for i in 0..3 {
        c.put(
            &mut tx,
            Some(&format!("r{i}")),
            json!({"name": format!("rolled lamp {i}")}),
            None,
            5,
        )
        .await
        .unwrap();
    }
    c.patch(&mut tx, "keep", json!({"name": "renamed"}), None, 6)
        .await
        .unwrap();
    let search = Query {
        search: Some("lamp".into()),
        ..Query::default()
    };
    assert_eq!(c.query(&mut tx, &search).await.unwrap().documents.len(), 3);
    // A collection created inside the transaction goes too.
    let extra = ensure(
        &mut tx,
        env.engine,
        &env.plugin,
        &[products(), collection_spec("extra", vec![])],
        7,
    )
    .await
    .unwrap();
    extra[1]
        .put(&mut tx, Some("x"), json!({}), None, 7)
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    let ids = env.ids(&c, &search).await;
    assert_eq!(ids, ["keep"]);
    assert_eq!(
        physical_rows(&mut env, &c).await,
        (1, (env.engine == Engine::Sqlite).then_some(1))
    );
    assert_eq!(c.get(&mut env.conn, "keep").await.unwrap().version, 1);
    assert!(
        lookup(&mut env.conn, env.engine, &env.plugin, "extra")
            .await
            .unwrap()
            .is_none()
    );
}

async fn lookup_exposes_specs_per_plugin(mut env: Env) {
    let mut shared = products();
    shared.shared = true;
    let mine = env.ensure(&[shared.clone()]).await.remove(0);
    let other_plugin = format!("{}-other", env.plugin);
    let theirs = ensure(&mut env.conn, env.engine, &other_plugin, &[products()], 1)
        .await
        .unwrap()
        .remove(0);
    let conn = &mut env.conn;

    assert_eq!(
        spec(conn, env.engine, &env.plugin, "products")
            .await
            .unwrap(),
        Some(shared)
    );
    assert!(!theirs.shared() && mine.shared());
    assert_eq!(
        spec(conn, env.engine, &env.plugin, "orders").await.unwrap(),
        None
    );
    assert_eq!(
        spec(conn, env.engine, "Not Valid", "products")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        collections(conn, env.engine, &other_plugin)
            .await
            .unwrap()
            .len(),
        1
    );

    // Same collection name, separate records.
    mine.put(conn, Some("1"), json!({"sku": "X"}), None, 1)
        .await
        .unwrap();
    theirs
        .put(conn, Some("1"), json!({"sku": "X"}), None, 1)
        .await
        .unwrap();
    assert_eq!(theirs.count(conn, &Filter::all()).await.unwrap(), 1);
    mine.delete(conn, "1").await.unwrap();
    assert_eq!(theirs.get(conn, "1").await.unwrap().data["sku"], json!("X"));
}
