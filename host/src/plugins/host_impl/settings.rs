//! `settings`: the plugin's own key/value configuration, stored by the host.

use super::trap;
use crate::plugins::bindings::settings;
use crate::plugins::call::CallState;

/// Largest value a plugin may store under one key.
const MAX_VALUE: usize = 64 * 1024;

impl settings::Host for CallState {
    async fn get(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        let (plugin, label) = (self.manifest.id.clone(), self.label());
        let mut conn = self.read_conn().await.map_err(|e| trap(&label, e))?;
        sqlx::query_scalar("SELECT value FROM plugin_settings WHERE plugin = $1 AND key = $2")
            .bind(plugin)
            .bind(key)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| trap(&label, e))
    }

    async fn set(&mut self, key: String, value: String) -> wasmtime::Result<Result<(), String>> {
        if key.is_empty() || key.len() > 100 {
            return Ok(Err("setting keys must be 1 to 100 bytes".into()));
        }
        if value.len() > MAX_VALUE {
            return Ok(Err(format!(
                "setting values must be at most {MAX_VALUE} bytes"
            )));
        }
        if serde_json::from_str::<serde_json::Value>(&value).is_err() {
            return Ok(Err("setting values must be JSON".into()));
        }
        if let Some(refusal) = self.refusal() {
            return Ok(Err(refusal));
        }
        let (plugin, label, now) = (self.manifest.id.clone(), self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        sqlx::query(
            "INSERT INTO plugin_settings (plugin, key, value, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(plugin)
        .bind(key)
        .bind(value)
        .bind(now)
        .execute(conn)
        .await
        .map_err(|e| trap(&label, e))?;
        Ok(Ok(()))
    }
}
