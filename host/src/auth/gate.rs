//! The bound on password work. One argon2id hash takes 19 MiB and tens of milliseconds of a
//! core; without a bound, a flood of sign-ins or registrations (each hash on the blocking pool,
//! which grows to hundreds of threads) turns into gigabytes of memory and minutes of queueing
//! for everyone. The gate lets one hash run per core and a bounded number wait; beyond that a
//! request is refused at once ([`Busy`]), so memory stays flat and the honest requests that do
//! get in are answered in time. Per-address throttles (`throttle`) come first; this is the
//! bound for what passes them, whoever sends it.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Semaphore, SemaphorePermit};

/// Requests that may wait for a hashing slot, per slot. Each waiting request holds only its
/// (capped) form, not argon2's memory, and a slot frees every ~50 ms.
const WAITING_PER_SLOT: usize = 16;

/// The gate all password hashing and verification of this process goes through.
pub static PASSWORDS: LazyLock<Gate> = LazyLock::new(|| {
    let slots = std::thread::available_parallelism().map_or(1, |n| n.get());
    Gate::new(slots, slots * WAITING_PER_SLOT)
});

/// Every slot is taken and the queue is full: the caller answers "busy, retry".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("The server is busy checking passwords. Try again in a few seconds.")]
pub struct Busy;

/// A counting gate with a bounded queue in front of it.
#[derive(Debug)]
pub struct Gate {
    slots: Semaphore,
    waiting: AtomicUsize,
    waiting_max: usize,
}

impl Gate {
    /// A gate of `slots` concurrent holders with at most `waiting_max` callers queued.
    pub fn new(slots: usize, waiting_max: usize) -> Gate {
        Gate {
            slots: Semaphore::new(slots.max(1)),
            waiting: AtomicUsize::new(0),
            waiting_max,
        }
    }

    /// A slot, at once when one is free, after a wait when the queue has room, else [`Busy`].
    pub async fn enter(&self) -> Result<SemaphorePermit<'_>, Busy> {
        if let Ok(permit) = self.slots.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.waiting_max {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let permit = self.slots.acquire().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        // The semaphore is never closed.
        permit.map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_gate_with_a_full_queue_refuses_at_once_and_reopens() {
        let gate = Gate::new(1, 0);
        let held = gate.enter().await.expect("the first caller gets the slot");
        assert_eq!(gate.enter().await.unwrap_err(), Busy, "no slot, no queue");
        drop(held);
        assert!(gate.enter().await.is_ok(), "a freed slot is taken again");
    }

    #[tokio::test]
    async fn a_waiting_caller_gets_the_slot_when_it_frees() {
        let gate = std::sync::Arc::new(Gate::new(1, 1));
        let held = gate.enter().await.unwrap();
        let waiter = tokio::spawn({
            let gate = gate.clone();
            async move { gate.enter().await.map(drop) }
        });
        drop(held);
        assert_eq!(waiter.await.unwrap(), Ok(()));
    }
}
