//! The shop's context in the database: one `shop_settings` row per record (its fields as
//! JSON) and the `shop_settings_version` row every change moves.

use serde::de::DeserializeOwned;
use sqlx::AnyConnection;

use super::records::Kind;
use super::{ShopError, Snapshot};

/// The version of the context in the database.
pub async fn version(conn: &mut AnyConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT version FROM shop_settings_version WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// Moves the version: the first write of every change, so concurrent changes queue on it.
pub async fn bump(conn: &mut AnyConnection) -> sqlx::Result<()> {
    sqlx::query("UPDATE shop_settings_version SET version = version + 1 WHERE id = 1")
        .execute(conn)
        .await
        .map(drop)
}

/// Every record, decoded, with the version they belong to.
pub async fn load(conn: &mut AnyConnection) -> Result<Snapshot, ShopError> {
    let version = version(&mut *conn).await?;
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT kind, code, body FROM shop_settings ORDER BY kind, position")
            .fetch_all(&mut *conn)
            .await?;
    let mut ctx = Snapshot {
        version,
        ..Snapshot::default()
    };
    for (kind, code, body) in rows {
        let row = (kind.as_str(), code.as_str(), body.as_str());
        match row.0 {
            "store" => ctx.stores.push(decode(row)?),
            "locale" => ctx.locales.push(decode(row)?),
            "currency" => ctx.currencies.push(decode(row)?),
            "country" => ctx.countries.push(decode(row)?),
            "tax-rate" => ctx.tax_rates.push(decode(row)?),
            "tax-set" => ctx.tax_sets.push(decode(row)?),
            // A kind a newer host added: not this host's to read.
            _ => {}
        }
    }
    Ok(ctx)
}

/// The record of a `(kind, code, body)` row.
fn decode<T: DeserializeOwned>((kind, code, body): (&str, &str, &str)) -> Result<T, ShopError> {
    serde_json::from_str(body).map_err(|source| ShopError::Corrupt {
        kind: kind.to_owned(),
        code: code.to_owned(),
        source,
    })
}

/// Writes a new record `code` of `kind`, last in the kind's order.
pub async fn insert(
    conn: &mut AnyConnection,
    kind: Kind,
    code: &str,
    body: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO shop_settings (kind, code, body, position, updated_at) \
         SELECT $1, $2, $3, COALESCE(MAX(position), 0) + 1, $4 FROM shop_settings WHERE kind = $1",
    )
    .bind(kind.key())
    .bind(code)
    .bind(body)
    .bind(now)
    .execute(conn)
    .await
    .map(drop)
}

/// Replaces the fields of the record `code` of `kind`.
pub async fn update(
    conn: &mut AnyConnection,
    kind: Kind,
    code: &str,
    body: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE shop_settings SET body = $3, updated_at = $4 WHERE kind = $1 AND code = $2")
        .bind(kind.key())
        .bind(code)
        .bind(body)
        .bind(now)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn delete(conn: &mut AnyConnection, kind: Kind, code: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM shop_settings WHERE kind = $1 AND code = $2")
        .bind(kind.key())
        .bind(code)
        .execute(conn)
        .await
        .map(drop)
}
