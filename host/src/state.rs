//! The state every request handler shares.

use std::sync::Arc;

use crate::auth::session::Lifetimes;
use crate::clock::Clock;
use crate::db::Db;
use crate::templates::Templates;

/// Settings that change how the web layer behaves.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Served over HTTPS or behind a TLS-terminating proxy: cookies get `Secure` and the
    /// `__Host-` prefix, and `X-Forwarded-For` names the client.
    pub behind_tls: bool,
    pub lifetimes: Lifetimes,
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    templates: Templates,
    settings: WebSettings,
}

impl AppState {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: WebSettings) -> anyhow::Result<AppState> {
        Ok(AppState {
            inner: Arc::new(Inner {
                db,
                clock,
                templates: Templates::new()?,
                settings,
            }),
        })
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    pub fn templates(&self) -> &Templates {
        &self.inner.templates
    }

    pub fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }
}
