//! Theme settings in the database: which theme each surface uses and the variable values an
//! admin edited. Every host reads them through [`SettingsCache`], which re-reads at most every
//! [`REFRESH`] (so hosts sharing a database agree within that time) and at once after a change
//! made through this host.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;

/// How long settings read from the database are trusted.
pub const REFRESH: Duration = Duration::from_secs(2);

/// Where a theme applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Surface {
    /// `/admin`, `/account`, `/login`: the Back Office.
    Backoffice,
    /// Everything else: the shop.
    Storefront,
}

impl Surface {
    pub const ALL: [Surface; 2] = [Surface::Backoffice, Surface::Storefront];

    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Backoffice => "backoffice",
            Surface::Storefront => "storefront",
        }
    }

    pub fn parse(value: &str) -> Option<Surface> {
        match value {
            "backoffice" => Some(Surface::Backoffice),
            "storefront" => Some(Surface::Storefront),
            _ => None,
        }
    }

    /// The surface a request path belongs to.
    pub fn of_path(path: &str) -> Surface {
        let backoffice = ["/admin", "/account", "/login", "/logout"]
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")));
        if backoffice {
            Surface::Backoffice
        } else {
            Surface::Storefront
        }
    }
}

/// The theme used when none was chosen.
pub const DEFAULT_THEME: &str = "default";

/// All theme settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub active: BTreeMap<Surface, String>,
    /// Theme → variable → stored value.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// The theme studio's change counter (`studio::sync` rebuilds when it moves).
    pub studio_revision: i64,
}

impl Settings {
    /// The theme a surface uses.
    pub fn active(&self, surface: Surface) -> &str {
        self.active
            .get(&surface)
            .map(String::as_str)
            .unwrap_or(DEFAULT_THEME)
    }

    /// The stored variable values of the theme an environment renders (a studio theme's draft
    /// uses its theme's values).
    pub fn values_of(&self, env_name: &str) -> Option<&BTreeMap<String, String>> {
        self.values.get(super::studio::published_name(env_name))
    }
}

pub async fn load(db: &Db) -> sqlx::Result<Settings> {
    let mut settings = Settings::default();
    for row in sqlx::query("SELECT surface, theme FROM theme_active")
        .fetch_all(db.pool())
        .await?
    {
        let surface: String = row.try_get("surface")?;
        if let Some(surface) = Surface::parse(&surface) {
            settings.active.insert(surface, row.try_get("theme")?);
        }
    }
    for row in sqlx::query("SELECT theme, name, value FROM theme_variables")
        .fetch_all(db.pool())
        .await?
    {
        settings
            .values
            .entry(row.try_get("theme")?)
            .or_default()
            .insert(row.try_get("name")?, row.try_get("value")?);
    }
    settings.studio_revision = super::studio::store::revision(db).await?;
    Ok(settings)
}

pub async fn activate(db: &Db, surface: Surface, theme: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO theme_active (surface, theme, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (surface) DO UPDATE SET theme = excluded.theme, updated_at = excluded.updated_at",
    )
    .bind(surface.as_str())
    .bind(theme)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Replaces the stored values of `theme` with `values` (already validated), in one transaction.
pub async fn set_values(
    db: &Db,
    theme: &str,
    values: &BTreeMap<String, String>,
    now: i64,
) -> sqlx::Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM theme_variables WHERE theme = $1")
        .bind(theme)
        .execute(&mut *tx)
        .await?;
    for (name, value) in values {
        sqlx::query(
            "INSERT INTO theme_variables (theme, name, value, updated_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(theme)
        .bind(name)
        .bind(value)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Settings read from the database, shared by every request of this host.
#[derive(Default)]
pub struct SettingsCache {
    current: Mutex<Option<(Instant, Arc<Settings>)>>,
}

impl SettingsCache {
    /// The settings, re-read when older than [`REFRESH`].
    pub async fn get(&self, db: &Db) -> sqlx::Result<Arc<Settings>> {
        if let Some((at, settings)) = self
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            && at.elapsed() < REFRESH
        {
            return Ok(settings.clone());
        }
        self.reload(db).await
    }

    /// Re-reads the settings now (after a change).
    pub async fn reload(&self, db: &Db) -> sqlx::Result<Arc<Settings>> {
        let settings = Arc::new(load(db).await?);
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), settings.clone()));
        Ok(settings)
    }
}
