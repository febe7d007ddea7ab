//! The database handle: one `sqlx::AnyPool` over SQLite (embedded default) or PostgreSQL.
//!
//! All SQL in the host is written in the portable subset both engines accept (`$n` placeholders,
//! `RETURNING`, BIGINT seconds for time). Anything engine-specific — connection pragmas, the
//! migration set, error-code interpretation — lives in this module and nowhere else.

mod checkpoint;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use tokio::sync::{Notify, watch};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A handle on the checkpoint task: wakes it, and counts the checkpoints it finished.
#[derive(Debug, Clone)]
struct Checkpoints {
    wake: Arc<Notify>,
    // Read by tests only; the task counts either way.
    #[cfg_attr(not(test), allow(dead_code))]
    done: watch::Receiver<u64>,
}

#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// The SQLite checkpoint task, which runs while any handle exists (see [`checkpoint`]).
    checkpoints: Option<Checkpoints>,
}

impl Db {
    /// The default database URL: an SQLite file in the data directory.
    pub fn default_url(data_dir: &Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("backoffice.db").display()
        )
    }

    /// Connects and configures every connection (SQLite: WAL, synchronous=FULL, foreign keys,
    /// busy timeout), so durability does not depend on who opened the connection. SQLite's
    /// default page cache (2 MiB per connection) is far smaller than the indexes of a catalog
    /// of 100,000 products, so each connection gets 32 MiB of cache and reads through a memory
    /// map of up to 256 MiB (no read syscall and copy per page). Commits do not checkpoint the
    /// log; a background task does ([`checkpoint`]), and a log file reset by a checkpoint is
    /// truncated back to 64 MiB.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            anyhow::bail!("unsupported database URL {url:?}: use sqlite://… or postgres://…");
        };
        let options = AnyConnectOptions::from_str(url).context("parsing the database URL")?;
        let max = match engine {
            Engine::Sqlite => 8,
            Engine::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                             PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456; \
                             PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("connecting to the database ({})", redact(url)))?;
        let checkpoints = (engine == Engine::Sqlite).then(|| {
            let wake = Arc::new(Notify::new());
            let (count, done) = watch::channel(0);
            checkpoint::spawn(pool.clone(), Arc::downgrade(&wake), count);
            Checkpoints { wake, done }
        });
        Ok(Db {
            pool,
            engine,
            checkpoints,
        })
    }

    /// Applies the numbered migrations of this engine that are not applied yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.migrator()
            .run(&self.pool)
            .await
            .context("applying database migrations")
    }

    /// Whether the newest migration of this build is applied: `/readyz` asks on every probe,
    /// so it is one small query (which also fails when the database cannot be reached).
    pub async fn migrated(&self) -> sqlx::Result<bool> {
        let newest = self.migrator().iter().map(|m| m.version).max();
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(applied >= newest)
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing with
    /// "database is locked" when it upgrades a read lock.
    pub async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// Tells the checkpoint task that a plugin call's writes just committed (SQLite; nothing
    /// on PostgreSQL).
    pub fn committed(&self) {
        if let Some(c) = &self.checkpoints {
            c.wake.notify_one();
        }
    }

    /// The number of checkpoints the task finished, as it changes (SQLite).
    #[cfg(test)]
    fn checkpoints_done(&self) -> Option<watch::Receiver<u64>> {
        self.checkpoints.as_ref().map(|c| c.done.clone())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }
}

/// True when the error is a unique-constraint violation (SQLite 2067/1555, PostgreSQL 23505).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// A URL with any password removed, for logs and error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
