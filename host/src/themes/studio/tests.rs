//! Studio themes on PostgreSQL as several hosts use them: two `Db` pools (two hosts) on one
//! fresh schema of the `test` database (URL from `BACKOFFICE_TEST_POSTGRES`, default
//! `postgres://postgres@127.0.0.1:5432/test`). The HTTP behaviour is tested end to end on
//! SQLite in `tests/integration/theme_studio.rs`; this checks the portable SQL and BYTEA files
//! through the `Any` driver, and that what one host publishes or rolls back the other reads.

use sqlx::{Connection, Executor};

use super::{Files, StudioError, store};
use crate::db::Db;

fn postgres_url() -> String {
    std::env::var("BACKOFFICE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn files(entries: &[(&str, &[u8])]) -> Files {
    entries
        .iter()
        .map(|(p, b)| ((*p).to_owned(), b.to_vec()))
        .collect()
}

async fn scenario(a: Db, b: Db) {
    let first = files(&[
        ("theme.toml", b"name = \"shop\"\nextends = \"default\"\n"),
        ("static/img/dot.png", b"\x89PNG\r\n\x1a\n\xff\x00\xfe"),
    ]);
    let start = store::revision(&b).await.unwrap();
    store::create(&a, "shop", &first, "a@example.com", "new", 1)
        .await
        .unwrap();
    assert!(matches!(
        store::create(&b, "shop", &first, "b@example.com", "again", 2).await,
        Err(StudioError::Exists(_))
    ));
    let (revision, all) = store::load_all(&b).await.unwrap();
    assert!(revision > start);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].published, Some(1));
    assert_eq!(all[0].draft, first);
    assert_eq!(all[0].live.as_ref(), Some(&first));

    let header: &[u8] = b"<header>{{ theme.vars.shop_name }}</header>\n";
    store::put_draft_file(
        &a,
        "shop",
        "templates/storefront/header.html",
        Some(header),
        3,
    )
    .await
    .unwrap();
    assert_eq!(
        store::publish(&b, "shop", "b@example.com", "header", 4)
            .await
            .unwrap(),
        2
    );
    assert!(matches!(
        store::publish(&a, "shop", "a@example.com", "", 5).await,
        Err(StudioError::NothingToPublish(_))
    ));
    let versions = store::versions(&a, "shop").await.unwrap();
    assert_eq!(versions[0].version, 2);
    assert_eq!(versions[0].author, "b@example.com");
    assert!(
        versions[0].diff.contains("+<header>"),
        "{}",
        versions[0].diff
    );

    assert_eq!(
        store::rollback(&a, "shop", 1, "a@example.com", 6)
            .await
            .unwrap(),
        3
    );
    assert_eq!(store::version_files(&b, "shop", 3).await.unwrap(), first);
    assert_eq!(store::draft_files(&b, "shop").await.unwrap(), first);
    assert_eq!(store::find(&b, "shop").await.unwrap(), Some(Some(3)));
    assert!(matches!(
        store::rollback(&b, "shop", 9, "b@example.com", 7).await,
        Err(StudioError::NoVersion { .. })
    ));
}

#[tokio::test]
async fn two_hosts_on_one_postgres_share_drafts_versions_and_rollbacks() {
    sqlx::any::install_default_drivers();
    let schema = format!(
        "studio_{}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    );
    let mut admin = sqlx::AnyConnection::connect(&postgres_url())
        .await
        .expect("connect to PostgreSQL");
    admin
        .execute(format!("CREATE SCHEMA \"{schema}\"").as_str())
        .await
        .expect("create schema");
    let url = format!("{}?options=-c%20search_path%3D{schema}", postgres_url());
    let a = Db::connect(&url).await.expect("host a");
    a.migrate().await.expect("migrate");
    let b = Db::connect(&url).await.expect("host b");
    let outcome = tokio::spawn(scenario(a, b)).await;
    admin
        .execute(format!("DROP SCHEMA \"{schema}\" CASCADE").as_str())
        .await
        .expect("drop schema");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}
