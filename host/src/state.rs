//! The state every request handler shares.

use std::sync::Arc;

use crate::auth::session::Lifetimes;
use crate::clock::Clock;
use crate::db::Db;
use crate::mail::{MailSettings, Mailer};
use crate::observe::Metrics;
use crate::plugins::{PluginSettings, Runtime};
use crate::shop::Shop;
use crate::templates::Templates;
use crate::themes::ThemeSettings;

/// Settings that change how the web layer behaves.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Served over HTTPS or behind a TLS-terminating proxy: cookies get `Secure` and the
    /// `__Host-` prefix.
    pub behind_tls: bool,
    /// How long clients may take to send headers and bodies.
    pub timeouts: crate::server::Timeouts,
    /// The reverse proxies whose `X-Forwarded-For` hops name the client (none: the socket
    /// peer is the client).
    pub trusted_proxies: crate::web::proxy::TrustedProxies,
    pub lifetimes: Lifetimes,
    /// Where plugins come from.
    pub plugins: PluginSettings,
    /// Where themes come from.
    pub themes: ThemeSettings,
    /// How mail leaves the host.
    pub mail: MailSettings,
    /// The media library's upload cap.
    pub media: crate::media::MediaSettings,
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    templates: Arc<Templates>,
    settings: WebSettings,
    plugins: Arc<Runtime>,
    shop: Arc<Shop>,
    mail: Arc<Mailer>,
    /// The storefront's layout slots as the plugins last answered them.
    slot_cache: crate::web::slots::Cache,
    metrics: Arc<Metrics>,
    /// Hot reload of themes; dropping it stops watching.
    _theme_watcher: Option<notify::RecommendedWatcher>,
}

impl AppState {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: WebSettings) -> anyhow::Result<AppState> {
        let templates = Arc::new(Templates::with_themes(settings.themes.dir.clone()));
        let theme_watcher = match &settings.themes.dir {
            Some(dir) if settings.themes.watch && dir.is_dir() => {
                match crate::themes::watcher::spawn(dir, &templates) {
                    Ok(watcher) => Some(watcher),
                    Err(err) => {
                        tracing::error!(error = %err, "hot reload of themes is off");
                        None
                    }
                }
            }
            Some(dir) if !dir.is_dir() => {
                tracing::warn!(dir = %dir.display(), "the themes directory does not exist: serving the built-in templates");
                None
            }
            _ => None,
        };
        let shop = Arc::new(Shop::new(db.clone()));
        let mail = Arc::new(Mailer::new(
            db.clone(),
            templates.clone(),
            settings.mail.clone(),
        ));
        let metrics = Arc::new(Metrics::new());
        let plugins = Arc::new(Runtime::new(
            db.clone(),
            templates.clone(),
            clock.clone(),
            shop.clone(),
            settings.plugins.clone(),
            mail.clone(),
            metrics.clone(),
        )?);
        Ok(AppState {
            inner: Arc::new(Inner {
                db,
                clock,
                templates,
                settings,
                plugins,
                shop,
                mail,
                slot_cache: Default::default(),
                metrics,
                _theme_watcher: theme_watcher,
            }),
        })
    }

    /// The shop's context (stores, currencies, tax sets…).
    pub fn shop(&self) -> &Shop {
        &self.inner.shop
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

    pub fn plugins(&self) -> &Arc<Runtime> {
        &self.inner.plugins
    }

    /// Outgoing mail: queue in a transaction, then [`Mailer::queued`] after commit.
    pub fn mail(&self) -> &Arc<Mailer> {
        &self.inner.mail
    }

    /// What `/metrics` exposes.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    /// Cached answers of the storefront's slot providers (`web::slots`).
    pub fn slot_cache(&self) -> &crate::web::slots::Cache {
        &self.inner.slot_cache
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    pub fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }
}
