//! Fuzz target: the query builder takes filters, sorts, cursors and search words from plugins.
//! Arbitrary queries against a real database either run or are refused as invalid; the SQL
//! they become is never malformed (a database error would be an `Internal`), and nothing
//! panics. Cases are generated up front (the scenario is async), so a failure names its case
//! and seed instead of shrinking it; `PROPTEST_CASES` sets how many, `PROPTEST_RNG_SEED` replays.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{Value, json};

use super::*;

both_engines!(fuzz_queries_run_or_are_refused_as_invalid);

/// Declared fields, meta fields, unknown and malformed names.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "sku",
            "name",
            "price",
            "stock",
            "active",
            "color",
            "id",
            "created_at",
            "updated_at",
        ])
        .prop_map(str::to_owned),
        "[a-z_.'\"; ()*-]{0,12}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "[a-zA-Z0-9 %_'\"\\\\;\u{0}é-]{0,10}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| vec(inner, 0..4).prop_map(Value::from))
}

fn op() -> impl Strategy<Value = Op> {
    prop::sample::select(vec![
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Lte,
        Op::Gt,
        Op::Gte,
        Op::InList,
        Op::Prefix,
        Op::Contains,
    ])
}

fn query() -> impl Strategy<Value = Query> {
    let condition = (field_name(), op(), value()).prop_map(|(f, o, v)| Condition::new(&f, o, v));
    let sort =
        (field_name(), any::<bool>()).prop_map(|(field, descending)| Sort { field, descending });
    (
        vec(vec(condition, 0..4), 0..3),
        vec(sort, 0..3),
        0..1100u32,
        0..5u32,
        proptest::option::of("[A-Za-z0-9_=+/-]{0,24}"),
        proptest::option::of("[a-z \"*%'-]{0,12}"),
        any::<bool>(),
    )
        .prop_map(
            |(any_of, sort, limit, offset, after, search, count_total)| Query {
                filter: Filter { any_of },
                sort,
                limit,
                offset,
                after,
                search,
                count_total,
            },
        )
}

async fn fuzz_queries_run_or_are_refused_as_invalid(mut env: Env) {
    let c = env.collection(products()).await;
    env.put_all(
        &c,
        &[
            ("p1", json!({"sku": "A-1", "name": "Red shirt", "price": 9.5, "stock": 3, "active": true})),
            ("p2", json!({"sku": "b'2", "name": "Blue \"mug\"", "price": 10, "stock": 0, "color": "blue"})),
        ],
    )
    .await;
    // A seed of our own, so that a failure names the seed that reproduces it.
    let seed = match Config::default().rng_seed {
        RngSeed::Fixed(seed) => seed,
        RngSeed::Random => rand::random(),
    };
    // The runner is not `Send`: draw every case before the first await.
    let cases: Vec<Query> = {
        let config = Config {
            rng_seed: RngSeed::Fixed(seed),
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let strategy = query();
        (0..runner.config().cases)
            .map(|_| strategy.new_tree(&mut runner).expect("a case").current())
            .collect()
    };
    let mut ran = 0;
    for (case, q) in cases.iter().enumerate() {
        match c.query(&mut env.conn, q).await {
            Ok(_) => ran += 1,
            Err(StorageError::Invalid(_)) => {}
            Err(other) => {
                panic!("case {case} of PROPTEST_RNG_SEED={seed}: {q:?} failed with {other:?}")
            }
        }
    }
    // Not only refusals: a good share of the cases reach the database.
    assert!(
        ran * 10 >= cases.len(),
        "only {ran} of {} cases ran",
        cases.len()
    );
}
