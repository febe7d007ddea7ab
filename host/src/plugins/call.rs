//! The state of one plugin call: what lives in the wasmtime `Store` while a plugin runs.
//!
//! A call starts without a database transaction. Reads before the first write use the pool;
//! the first write (storage put/patch/delete, event publish, settings set) begins the call's
//! transaction, and everything after it runs inside it. `calls` commits it only when the call
//! ended well (see there); otherwise it is dropped, which rolls it back, taking the events
//! published in it along. A read-only call ([`Access::ReadOnly`]: widgets, manifests,
//! extension providers) never gets a transaction: its first write is refused.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Instant;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Transaction};
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::calls::Calls;
use super::engine::{Limiter, Limits};
use super::manifest::Manifest;
use super::registry::Registry;
use crate::acl::Permissions;
use crate::clock::Clock;
use crate::db::Db;
use crate::shop::{Shop, Snapshot};
use crate::storage::Collection;
use crate::users::User;

/// Who a call is for, as the identity and acl interfaces report it.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub user: Option<User>,
    pub permissions: Option<Arc<Permissions>>,
    pub customer: Option<(i64, String)>,
    pub agent: Option<User>,
    pub locale: String,
    pub ip: String,
}

/// Events one call may publish: far above what a section publishes for one request (an order
/// publishes one), low enough that a runaway loop cannot fill the outbox.
pub const MAX_EVENTS_PER_CALL: u32 = 1000;
/// Audit rows one call may write. Beyond, the call is stopped (and rolled back) rather than
/// left acting unaudited.
pub const MAX_AUDIT_ROWS_PER_CALL: u32 = 5000;
/// Mails one call may queue: a section mails one or two messages for a request (an order: its
/// confirmation), so a loop cannot flood the outbox or the customers' mailboxes.
pub const MAX_MAILS_PER_CALL: u32 = 100;

/// Whether a call may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    /// Reads only, from committed data; names the kind of call for the refusal message.
    ReadOnly(&'static str),
}

/// Why a call could not get a connection to write on.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The call is read-only.
    #[error("{0} is read-only: it cannot write")]
    ReadOnly(&'static str),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Host-side state of a call.
pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: Limiter,
    /// The calling plugin's manifest: its id, collections and read grants.
    pub manifest: Arc<Manifest>,
    pub db: Db,
    /// For looking up event subscribers.
    pub registry: Arc<Registry>,
    /// The shop's context service, and the snapshot this call reads: taken at the call's
    /// first `context` read, so one call sees one consistent context.
    pub shop: Arc<Shop>,
    pub context: Option<Arc<Snapshot>>,
    pub caller: Caller,
    pub now: i64,
    pub access: Access,
    /// When the call's deadline passes; extension providers it invokes get part of what is left.
    pub deadline_at: Instant,
    /// How many scheduled events the plugin may have pending.
    pub max_timers: u64,
    /// For extension points invoked from inside the call.
    pub calls: Weak<Calls>,
    /// The extension point this call answers, when it is a provider's (providers cannot invoke).
    pub providing: Option<String>,
    tx: Option<Transaction<'static, Any>>,
    /// Set when an event was published, so the runtime wakes the dispatcher after commit.
    pub published: bool,
    /// Events published and audit rows written by this call, against [`MAX_EVENTS_PER_CALL`]
    /// and [`MAX_AUDIT_ROWS_PER_CALL`].
    pub events: u32,
    pub audit_rows: u32,
    /// Mails queued by this call, against [`MAX_MAILS_PER_CALL`]; any wakes the mail sender
    /// after commit.
    pub mails: u32,
    /// Collections opened by this call, by name and use: a plugin's collections cannot change
    /// during one call, so each is looked up (and its grant checked) once, not per operation.
    pub opened: HashMap<(String, bool), Collection>,
    /// Records written per collection name (with the collection), for the planner statistics
    /// the runtime refreshes after a bulk write commits.
    pub written: HashMap<String, (Collection, u32)>,
}

impl CallState {
    /// The state of a call of `manifest`'s plugin for `caller`, run by `calls`.
    pub fn new(
        calls: &Calls,
        manifest: Arc<Manifest>,
        limits: Limits,
        caller: Caller,
        access: Access,
    ) -> CallState {
        let clock = calls.clock.clone();
        let now = clock.now();
        let limiter = Limiter::new(limits.memory);
        CallState {
            // No preopened directories, no environment, no network, no inherited stdio:
            // a plugin reaches the world only through the host interfaces.
            // The guest's wall clock is the host's clock, so plugin timestamps agree with the
            // host's (and follow the test clock in tests).
            wasi: WasiCtx::builder().wall_clock(WallClock(clock)).build(),
            table: ResourceTable::new(),
            limiter,
            manifest,
            db: calls.db.clone(),
            registry: calls.registry.clone(),
            shop: calls.shop.clone(),
            context: None,
            caller,
            now,
            access,
            deadline_at: Instant::now() + limits.deadline,
            max_timers: limits.timers,
            calls: calls.me.clone(),
            providing: None,
            tx: None,
            published: false,
            events: 0,
            audit_rows: 0,
            mails: 0,
            opened: HashMap::new(),
            written: HashMap::new(),
        }
    }

    /// `id version` of the calling plugin, for logs and traps.
    pub fn label(&self) -> String {
        format!("{} {}", self.manifest.id, self.manifest.version)
    }

    /// Why this call may not write, if it may not: the message a refused write gets.
    pub fn refusal(&self) -> Option<String> {
        match self.access {
            Access::ReadWrite => None,
            Access::ReadOnly(what) => Some(WriteError::ReadOnly(what).to_string()),
        }
    }

    /// The call's transaction, begun on first use; refused for a read-only call.
    pub async fn write_conn(&mut self) -> Result<&mut AnyConnection, WriteError> {
        if let Access::ReadOnly(what) = self.access {
            return Err(WriteError::ReadOnly(what));
        }
        if self.tx.is_none() {
            self.tx = Some(self.db.begin_write().await?);
        }
        Ok(self.tx.as_mut().expect("just set"))
    }

    /// A connection for reading: the transaction when one is open (so the plugin sees its own
    /// writes), else a pooled connection.
    pub async fn read_conn(&mut self) -> sqlx::Result<ReadConn<'_>> {
        match self.tx.as_mut() {
            Some(tx) => Ok(ReadConn::Tx(tx)),
            None => Ok(ReadConn::Pooled(self.db.pool().acquire().await?)),
        }
    }

    /// Hands the transaction (if any) to the runtime to commit or drop.
    pub fn take_transaction(&mut self) -> Option<Transaction<'static, Any>> {
        self.tx.take()
    }
}

/// A connection to read through; derefs to `AnyConnection`.
pub enum ReadConn<'a> {
    Tx(&'a mut Transaction<'static, Any>),
    Pooled(PoolConnection<Any>),
}

impl std::ops::Deref for ReadConn<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            ReadConn::Tx(tx) => tx,
            ReadConn::Pooled(c) => c,
        }
    }
}

impl std::ops::DerefMut for ReadConn<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            ReadConn::Tx(tx) => tx,
            ReadConn::Pooled(c) => c,
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// The host clock as WASI's wall clock (second resolution, like the host's clock).
struct WallClock(Arc<dyn Clock>);

impl wasmtime_wasi::HostWallClock for WallClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }

    fn now(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::try_from(self.0.now()).unwrap_or(0))
    }
}
