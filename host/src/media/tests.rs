//! The media library on PostgreSQL as several hosts use it: two `Db` pools (two hosts) on one
//! fresh schema of the `test` database (URL from `BACKOFFICE_TEST_POSTGRES`, default
//! `postgres://postgres@127.0.0.1:5432/test`). The HTTP behaviour is tested end to end on
//! SQLite in `tests/integration/media.rs`; this checks what only PostgreSQL can show: BYTEA
//! blobs through the `Any` driver, the portable SQL, and that a file uploaded through one
//! host is found, deduplicated, resized and deleted through the other.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbaImage};
use sqlx::{Connection, Executor};

use super::*;

fn postgres_url() -> String {
    std::env::var("BACKOFFICE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([x as u8, y as u8, 9, 255])
    }));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn scenario(a: Db, b: Db) {
    let settings = MediaSettings::default();
    let bytes = png(700, 350);
    let first = upload(&a, "100%_sale.png", bytes.clone(), &settings, 1)
        .await
        .unwrap();
    assert!(!first.existing);
    let again = upload(&b, "other.png", bytes, &settings, 2).await.unwrap();
    assert!(again.existing, "the other host finds the same bytes");
    assert_eq!(again.file.id, first.file.id);
    let id = first.file.id;
    let prefix = &first.file.hash[..file::URL_HASH_LEN];

    let served = original(&b, id, prefix).await.unwrap();
    assert_eq!(served.content_type, "image/png");
    let thumb = variant(&b, id, prefix, "thumb", "webp").await.unwrap();
    assert_eq!(thumb.content_type, "image/webp");
    let decoded = image::load_from_memory_with_format(&thumb.data, ImageFormat::WebP).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (200, 100));
    let stored = variant(&a, id, prefix, "thumb", "webp").await.unwrap();
    assert_eq!(
        stored.data, thumb.data,
        "made once, read back on the other host"
    );

    // LIKE wildcards in a search are literal.
    assert_eq!(list(&a, "100%", 10, 0).await.unwrap().1, 1);
    assert_eq!(list(&a, "1_0", 10, 0).await.unwrap().1, 0);
    let alt = [("de_DE".to_owned(), "Sonderangebot".to_owned())].into();
    let changed = set_alt(&b, id, alt, &["de_DE".to_owned()], 3)
        .await
        .unwrap();
    assert_eq!(many(&a, &[id, id]).await.unwrap().len(), 2);
    assert_eq!(changed.alt["de_DE"], "Sonderangebot");

    assert!(matches!(
        delete(&a, id, vec!["catalog: product X".into()]).await,
        Err(MediaError::InUse { .. })
    ));
    delete(&a, id, Vec::new()).await.unwrap();
    assert!(matches!(
        original(&b, id, prefix).await,
        Err(MediaError::NotFound(_))
    ));
}

#[tokio::test]
async fn two_hosts_on_one_postgres_share_files_and_variants() {
    sqlx::any::install_default_drivers();
    let schema = format!("media_{}_{:08x}", std::process::id(), rand::random::<u32>());
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
