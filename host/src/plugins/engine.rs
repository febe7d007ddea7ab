//! The one wasmtime `Engine` of the process and the limits every plugin call runs under.
//!
//! Choices and why:
//! - **Pooling allocator**: instantiation reuses pre-reserved slots, so a fresh sandbox per
//!   request costs microseconds and nothing leaks between users.
//! - **Epoch interruption**: a background thread ticks the epoch every [`TICK`]; each call yields
//!   to tokio on every tick (a runaway plugin cannot starve other requests) and traps once its
//!   deadline has passed. Cheaper than fuel and works for every guest language.
//! - **Memory cap** per call through [`Limiter`], which also records the peak for the Plugins
//!   page.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ResourceLimiter,
};

/// How often the epoch advances.
pub const TICK: Duration = Duration::from_millis(10);
/// Default wall-clock budget of one plugin call.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(2);
/// Default linear-memory cap of one plugin call.
pub const DEFAULT_MEMORY: usize = 64 << 20;
/// Range an admin may set a plugin's deadline to, in milliseconds.
pub const MIN_DEADLINE_MS: i64 = 50;
pub const MAX_DEADLINE_MS: i64 = 30_000;
/// Smallest memory cap an admin may set, in MiB.
pub const MIN_MEMORY_MIB: i64 = 8;
/// Default number of calls of one plugin that may run at once: enough for a busy section,
/// few enough that one plugin cannot take every sandbox and worker from the others.
pub const DEFAULT_CALLS: usize = 32;
/// Range an admin may set a plugin's concurrent calls to.
pub const MIN_CALLS: i64 = 1;
pub const MAX_CALLS: i64 = 1024;
/// Default number of scheduled events (`publish-after`) one plugin may have pending: room for
/// a big shop's open orders, far below what would bloat the database.
pub const DEFAULT_TIMERS: u64 = 200_000;
/// Range an admin may set a plugin's pending timers to.
pub const MIN_TIMERS: i64 = 1;
pub const MAX_TIMERS: i64 = 10_000_000;

/// Bytes of each pooled memory, table and stack slot reset in place between instances.
const KEEP_RESIDENT: usize = 16 << 20;
/// The largest memory cap a plugin may be given (the pool reserves slots of this size).
pub const MAX_MEMORY: usize = 512 << 20;

/// The process-wide engine: one pool of sandboxes and one epoch ticker for every runtime in the
/// process (tests build many runtimes; each engine reserves address space for its pool).
pub fn shared() -> anyhow::Result<Engine> {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    if let Some(engine) = ENGINE.get() {
        return Ok(engine.clone());
    }
    let engine = new_engine()?;
    Ok(ENGINE.get_or_init(|| engine).clone())
}

/// Builds an engine and starts its epoch ticker (a plain thread: it must keep ticking even when
/// every tokio worker is busy running guest code).
fn new_engine() -> anyhow::Result<Engine> {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(256)
        .total_core_instances(2048)
        .total_memories(512)
        .total_tables(1024)
        .total_stacks(256)
        .max_memory_size(MAX_MEMORY)
        .max_core_instances_per_component(64)
        .max_memories_per_component(8)
        .max_tables_per_component(32)
        .max_component_instance_size(1 << 20)
        .max_core_instance_size(1 << 20)
        .table_elements(200_000)
        // Reset used slots in place instead of with madvise: an madvise per instance means a
        // TLB shootdown across cores per request, which dominated the cost of a small plugin
        // call under concurrent load. With PAGEMAP_SCAN (Linux ≥ 6.7) only the pages a call
        // dirtied are reset; elsewhere the low `KEEP_RESIDENT` bytes are memset.
        .pagemap_scan(Enabled::Auto)
        .linear_memory_keep_resident(KEEP_RESIDENT)
        .table_keep_resident(1 << 20);
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .max_wasm_stack(1 << 20)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    let engine = Engine::new(&config).map_err(|e| anyhow::anyhow!("configuring wasmtime: {e}"))?;
    let ticker = engine.weak();
    std::thread::Builder::new()
        .name("wasm-epoch".into())
        .spawn(move || {
            while let Some(engine) = ticker.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(TICK);
            }
        })?;
    Ok(engine)
}

/// Limits of one plugin (defaults, or the plugin's overrides).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub deadline: Duration,
    pub memory: usize,
    /// Calls of the plugin that may run at once.
    pub calls: usize,
    /// Scheduled events (`publish-after`) the plugin may have pending.
    pub timers: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline: DEFAULT_DEADLINE,
            memory: DEFAULT_MEMORY,
            calls: DEFAULT_CALLS,
            timers: DEFAULT_TIMERS,
        }
    }
}

/// An admin's overrides of a plugin's limits, as stored (`None` keeps the default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    pub deadline_ms: Option<i64>,
    pub memory_mib: Option<i64>,
    pub max_calls: Option<i64>,
    pub max_timers: Option<i64>,
}

impl Overrides {
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

impl Limits {
    /// Limits with an admin's overrides applied.
    pub fn with_overrides(overrides: Overrides) -> Limits {
        let default = Limits::default();
        Limits {
            deadline: overrides
                .deadline_ms
                .and_then(|ms| u64::try_from(ms).ok())
                .map(Duration::from_millis)
                .unwrap_or(default.deadline),
            memory: overrides
                .memory_mib
                .and_then(|mib| usize::try_from(mib).ok())
                .map(|mib| (mib << 20).min(MAX_MEMORY))
                .unwrap_or(default.memory),
            calls: overrides
                .max_calls
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(default.calls),
            timers: overrides
                .max_timers
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(default.timers),
        }
    }
}

/// The trap raised when a call wants more memory than its cap.
#[derive(Debug, thiserror::Error)]
#[error("the plugin tried to use more than {cap} bytes of memory")]
pub struct MemoryCapExceeded {
    pub cap: usize,
}

/// Per-call memory accounting: enforces the cap (as a trap, the clearest error) and remembers the
/// largest memory seen.
#[derive(Debug)]
pub struct Limiter {
    cap: usize,
    peak: Arc<std::sync::atomic::AtomicUsize>,
}

impl Limiter {
    pub fn new(cap: usize) -> Limiter {
        Limiter {
            cap,
            peak: Arc::default(),
        }
    }

    /// A handle that still reads the peak after the store is gone.
    pub fn peak_handle(&self) -> Arc<std::sync::atomic::AtomicUsize> {
        self.peak.clone()
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.cap {
            return Err(wasmtime::Error::new(MemoryCapExceeded { cap: self.cap }));
        }
        self.peak
            .fetch_max(desired, std::sync::atomic::Ordering::Relaxed);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 200_000)
    }
}
