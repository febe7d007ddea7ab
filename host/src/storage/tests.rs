//! Tests of plugin storage against a real SQLite file and a real PostgreSQL.
//!
//! Every scenario runs on both engines (the `both_engines!` macro makes a `sqlite` and a
//! `postgres` test of it). Each run gets its own database: a fresh SQLite file in the temp
//! directory, or a fresh PostgreSQL schema in the `test` database (URL from
//! `BACKOFFICE_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`), with the
//! host migrations applied. Both are removed afterwards, also when the scenario fails.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Connection, Executor, Row};

use super::*;
use crate::db::Engine;

mod batch;
mod crud;
mod filters;
mod fuzz;
mod paging;
mod schema;
mod search;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// A scenario's database connection and a plugin id of its own.
pub(super) struct Env {
    pub conn: AnyConnection,
    pub engine: Engine,
    pub plugin: String,
}

impl Env {
    pub async fn ensure(&mut self, specs: &[CollectionSpec]) -> Vec<Collection> {
        ensure(&mut self.conn, self.engine, &self.plugin, specs, 1_000)
            .await
            .expect("ensure")
    }

    /// Ensures one collection and returns it.
    pub async fn collection(&mut self, spec: CollectionSpec) -> Collection {
        self.ensure(&[spec]).await.remove(0)
    }

    /// Puts records with the given ids and data (at time 2000 + position).
    pub async fn put_all(&mut self, c: &Collection, records: &[(&str, Value)]) {
        for (i, (id, data)) in records.iter().enumerate() {
            c.put(
                &mut self.conn,
                Some(id),
                data.clone(),
                None,
                2_000 + i as i64,
            )
            .await
            .expect("put");
        }
    }

    /// The ids a query returns, in order (one page).
    pub async fn ids(&mut self, c: &Collection, q: &Query) -> Vec<String> {
        let page = c.query(&mut self.conn, q).await.expect("query");
        page.documents.into_iter().map(|d| d.id).collect()
    }

    /// The ids matching one group of conditions, sorted by id.
    pub async fn matching(&mut self, c: &Collection, conditions: Vec<Condition>) -> Vec<String> {
        let q = Query {
            filter: Filter::all_of(conditions),
            limit: 1000,
            ..Query::default()
        };
        self.ids(c, &q).await
    }
}

fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "st_{}_{}_{:08x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    )
}

fn postgres_url() -> String {
    std::env::var("BACKOFFICE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Runs `scenario` on a fresh database of `engine`, then removes that database.
pub(super) async fn run<F, Fut>(engine: Engine, scenario: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    sqlx::any::install_default_drivers();
    let name = unique_name();
    let sqlite_path = std::env::temp_dir().join(format!("{name}.db"));
    let conn = match engine {
        Engine::Sqlite => {
            let url = format!("sqlite://{}?mode=rwc", sqlite_path.display());
            let mut conn = AnyConnection::connect(&url).await.expect("open SQLite");
            conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
                .await
                .expect("pragmas");
            SQLITE_MIGRATIONS
                .run(&mut conn)
                .await
                .expect("migrate SQLite");
            conn
        }
        Engine::Postgres => {
            let mut conn = AnyConnection::connect(&postgres_url())
                .await
                .expect("connect to PostgreSQL");
            conn.execute(
                format!("CREATE SCHEMA \"{name}\"; SET search_path TO \"{name}\"").as_str(),
            )
            .await
            .expect("create schema");
            POSTGRES_MIGRATIONS
                .run(&mut conn)
                .await
                .expect("migrate PostgreSQL");
            conn
        }
    };
    let env = Env {
        conn,
        engine,
        plugin: format!("test-{}", &name[3..]).replace('_', "-"),
    };
    let outcome = tokio::spawn(scenario(env)).await;
    match engine {
        Engine::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_path.display()));
            }
        }
        Engine::Postgres => {
            let mut admin = AnyConnection::connect(&postgres_url())
                .await
                .expect("connect");
            admin
                .execute(format!("DROP SCHEMA \"{name}\" CASCADE").as_str())
                .await
                .expect("drop schema");
        }
    }
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// Makes a `sqlite` and a `postgres` test of each scenario.
macro_rules! both_engines {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test]
                async fn sqlite() {
                    crate::storage::tests::run(crate::db::Engine::Sqlite, super::$scenario).await
                }

                #[tokio::test]
                async fn postgres() {
                    crate::storage::tests::run(crate::db::Engine::Postgres, super::$scenario).await
                }
            }
        )*
    };
}
use both_engines;

// ---- spec builders ----

pub(super) fn field(name: &str, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        name: name.to_owned(),
        kind,
        indexed: false,
        unique: false,
        searchable: false,
    }
}

pub(super) fn indexed(mut f: FieldSpec) -> FieldSpec {
    f.indexed = true;
    f
}

pub(super) fn unique(mut f: FieldSpec) -> FieldSpec {
    f.unique = true;
    f
}

pub(super) fn searchable(mut f: FieldSpec) -> FieldSpec {
    f.searchable = true;
    f
}

pub(super) fn collection_spec(name: &str, fields: Vec<FieldSpec>) -> CollectionSpec {
    CollectionSpec {
        name: name.to_owned(),
        fields,
        shared: false,
    }
}

/// A catalog-like collection using every kind and flag.
pub(super) fn products() -> CollectionSpec {
    collection_spec(
        "products",
        vec![
            unique(field("sku", FieldKind::Text)),
            searchable(indexed(field("name", FieldKind::Text))),
            searchable(field("description", FieldKind::Text)),
            indexed(field("price", FieldKind::Number)),
            indexed(field("stock", FieldKind::Integer)),
            indexed(field("active", FieldKind::Boolean)),
            field("color", FieldKind::Text),
        ],
    )
}

pub(super) fn cond(field: &str, op: Op, value: Value) -> Condition {
    Condition::new(field, op, value)
}

/// Asserts `result` is `Invalid` with a message containing `needle`.
#[track_caller]
pub(super) fn assert_invalid<T: std::fmt::Debug>(result: StorageResult<T>, needle: &str) {
    match result {
        Err(StorageError::Invalid(message)) => {
            assert!(
                message.contains(needle),
                "{message:?} should mention {needle:?}"
            )
        }
        other => panic!("expected Invalid mentioning {needle:?}, got {other:?}"),
    }
}

/// How many rows the collection's table (and SQLite FTS table) hold.
pub(super) async fn physical_rows(env: &mut Env, c: &Collection) -> (i64, Option<i64>) {
    let table = c.table();
    let rows: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM \"{table}\""))
        .fetch_one(&mut env.conn)
        .await
        .expect("count rows")
        .try_get("n")
        .expect("n");
    let fts = match env.engine {
        Engine::Sqlite if !c.spec().searchable().is_empty() => Some(
            sqlx::query(&format!("SELECT COUNT(*) AS n FROM \"{table}_fts\""))
                .fetch_one(&mut env.conn)
                .await
                .expect("count FTS rows")
                .try_get("n")
                .expect("n"),
        ),
        _ => None,
    };
    (rows, fts)
}
