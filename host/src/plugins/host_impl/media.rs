//! `media`: the media library, read-only. Reads committed files through the pool (a file is
//! never written by a plugin call), so answers do not depend on the call's transaction.

use super::trap;
use crate::media::{self, Described, MANY_MAX};
use crate::plugins::bindings::media as wit;
use crate::plugins::call::CallState;

/// Most files one `list` answers.
const LIST_MAX: u32 = 100;

fn file(described: Described) -> wit::File {
    let f = described.file;
    wit::File {
        id: f.id as u64,
        name: f.name,
        content_type: f.content_type,
        width: f.width,
        height: f.height,
        bytes: f.bytes as u64,
        hash: f.hash,
        alt: f
            .alt
            .into_iter()
            .map(|(locale, text)| wit::AltText { locale, text })
            .collect(),
        url: described.url,
        variants: described
            .variants
            .into_iter()
            .map(|v| wit::Rendition {
                name: v.name.to_owned(),
                width: v.width,
                height: v.height,
                url: v.url,
                webp_url: v.webp_url,
            })
            .collect(),
    }
}

impl wit::Host for CallState {
    async fn get(&mut self, id: u64) -> wasmtime::Result<Option<wit::File>> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(None);
        };
        let found = media::many(&self.db, &[id])
            .await
            .map_err(|e| trap(&self.label(), e))?;
        Ok(found.into_iter().next().map(|f| file(f.describe())))
    }

    async fn get_many(&mut self, ids: Vec<u64>) -> wasmtime::Result<Vec<wit::File>> {
        let ids: Vec<i64> = ids
            .into_iter()
            .take(MANY_MAX)
            .filter_map(|id| i64::try_from(id).ok())
            .collect();
        let found = media::many(&self.db, &ids)
            .await
            .map_err(|e| trap(&self.label(), e))?;
        Ok(found.into_iter().map(|f| file(f.describe())).collect())
    }

    async fn search(&mut self, text: String, limit: u32) -> wasmtime::Result<Vec<wit::File>> {
        let limit = i64::from(limit.min(LIST_MAX));
        let (found, _) = media::list(&self.db, text.trim(), limit, 0)
            .await
            .map_err(|e| trap(&self.label(), e))?;
        Ok(found.into_iter().map(|f| file(f.describe())).collect())
    }
}
