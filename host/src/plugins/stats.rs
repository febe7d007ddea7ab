//! Per-plugin counters for the Plugins page and `/metrics`: requests, errors, traps, memory peak
//! and a latency histogram (fixed buckets, lock-free, so recording costs a few atomic adds).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;

/// Upper bounds of the latency buckets, in microseconds (the last bucket is unbounded).
pub const BUCKETS_US: [u64; 14] = [
    50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
    2_500_000,
];

#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    errors: AtomicU64,
    traps: AtomicU64,
    memory_peak: AtomicUsize,
    buckets: [AtomicU64; BUCKETS_US.len() + 1],
    total_us: AtomicU64,
    /// Calls running now, and calls refused because `in_flight` was at the plugin's limit.
    in_flight: AtomicUsize,
    refused: AtomicU64,
}

/// A running call's place among its plugin's concurrent calls; leaving it frees the place.
#[derive(Debug)]
pub struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// How a call ended, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// The plugin answered with a failure (or an event handler returned an error).
    Error,
    /// The plugin trapped, ran out of time or memory.
    Trap,
}

impl Stats {
    /// A place for one more call, unless `limit` calls are running (then the refusal is
    /// counted). Per loaded version: during a reload the old version's calls finish on their
    /// own count.
    pub fn enter(&self, limit: usize) -> Option<Slot<'_>> {
        let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
        if before >= limit {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            self.refused.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some(Slot(&self.in_flight))
    }

    pub fn record(&self, elapsed: Duration, outcome: Outcome, memory_peak: usize) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match outcome {
            Outcome::Ok => {}
            Outcome::Error => {
                self.errors.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Trap => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                self.traps.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.memory_peak.fetch_max(memory_peak, Ordering::Relaxed);
        let us = elapsed.as_micros().min(u64::MAX as u128) as u64;
        let bucket = BUCKETS_US
            .iter()
            .position(|b| us <= *b)
            .unwrap_or(BUCKETS_US.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.total_us.fetch_add(us, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        let buckets: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let requests = self.requests.load(Ordering::Relaxed);
        Snapshot {
            requests,
            errors: self.errors.load(Ordering::Relaxed),
            traps: self.traps.load(Ordering::Relaxed),
            memory_peak: self.memory_peak.load(Ordering::Relaxed),
            p50_us: quantile(&buckets, 0.50),
            p99_us: quantile(&buckets, 0.99),
            total_us: self.total_us.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            buckets,
        }
    }
}

/// The bucket bound under which `q` of the calls finished (an upper estimate).
fn quantile(buckets: &[u64], q: f64) -> Option<u64> {
    let total: u64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = (q * total as f64).ceil() as u64;
    let mut seen = 0;
    for (i, count) in buckets.iter().enumerate() {
        seen += count;
        if seen >= rank {
            return Some(BUCKETS_US.get(i).copied().unwrap_or(u64::MAX));
        }
    }
    None
}

/// A provider's numbers per extension point it answered, for the Plugins page.
#[derive(Debug, Default)]
pub struct PointStats(std::sync::Mutex<std::collections::BTreeMap<String, std::sync::Arc<Stats>>>);

impl PointStats {
    pub fn record(&self, point: &str, elapsed: Duration, outcome: Outcome, memory_peak: usize) {
        let stats = {
            let mut points = self.0.lock().unwrap_or_else(|p| p.into_inner());
            points.entry(point.to_owned()).or_default().clone()
        };
        stats.record(elapsed, outcome, memory_peak);
    }

    /// The numbers of `point` (zero when it was never asked).
    pub fn snapshot(&self, point: &str) -> Snapshot {
        let points = self.0.lock().unwrap_or_else(|p| p.into_inner());
        points
            .get(point)
            .map(|s| s.snapshot())
            .unwrap_or_else(|| Stats::default().snapshot())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub requests: u64,
    pub errors: u64,
    pub traps: u64,
    pub memory_peak: usize,
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    pub total_us: u64,
    /// Calls running now.
    pub in_flight: usize,
    /// Calls refused because the plugin's concurrent-call limit was reached.
    pub refused: u64,
    #[serde(skip)]
    pub buckets: Vec<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_beyond_the_limit_is_refused_and_a_finished_one_frees_its_place() {
        let stats = Stats::default();
        let first = stats.enter(2).unwrap();
        let _second = stats.enter(2).unwrap();
        assert!(stats.enter(2).is_none());
        drop(first);
        assert!(stats.enter(2).is_some());
        let snapshot = stats.snapshot();
        assert_eq!((snapshot.in_flight, snapshot.refused), (1, 1));
    }

    #[test]
    fn quantiles_come_from_buckets() {
        let stats = Stats::default();
        for _ in 0..98 {
            stats.record(Duration::from_micros(40), Outcome::Ok, 1);
        }
        stats.record(Duration::from_millis(3), Outcome::Error, 5);
        stats.record(Duration::from_millis(30), Outcome::Trap, 2);
        let s = stats.snapshot();
        assert_eq!(
            (s.requests, s.errors, s.traps, s.memory_peak),
            (100, 2, 1, 5)
        );
        assert_eq!(s.p50_us, Some(50));
        assert_eq!(s.p99_us, Some(5_000));
    }
}
