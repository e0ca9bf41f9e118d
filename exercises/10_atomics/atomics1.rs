//! # A statistics counter: `fetch_add`, and why `Relaxed` is enough
//!
//! Every worker of a server counts the requests it handled and the bytes it sent into
//! two shared counters. `let n = counter.load(..); counter.store(n + 1, ..)` is two steps:
//! two threads can both load 41 and both store 42, and a request is lost (a *lost
//! update*). `fetch_add` is one atomic read-modify-write: it adds to whatever the value is
//! at that moment, so no increment is ever lost.
//!
//! Which ordering? `Relaxed`. A read-modify-write always works on the latest value of its
//! atomic, whatever the ordering, and these counters publish nothing else: nobody reads
//! other data *because* a counter reached some value. What `Relaxed` does not give you is
//! agreement between the two counters: a reader may see a request before its bytes. For
//! statistics that is fine; when the totals are read after the workers are joined, the
//! `join` orders everything anyway.
//!
//! Graded by a model checker that tries every interleaving: a load-then-store fails at
//! once, on any CPU.
//!
//! - std: <https://doc.rust-lang.org/std/sync/atomic/struct.AtomicU64.html#method.fetch_add>
//! - rust_howto, shared state (atomics):
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>
//! - *Rust Atomics and Locks*, ch. 2 "Atomics", "Fetch-and-Modify Operations":
//!   <https://marabos.nl/atomics/atomics.html#fetch-and-modify-operations>

use threadlings_testkit::sync::atomic::{AtomicU64, Ordering};

/// Request statistics, shared by every worker.
pub struct Stats {
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl Stats {
    pub fn new() -> Self {
        Stats {
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        }
    }

    /// Counts one request that sent `bytes` bytes.
    pub fn record(&self, bytes: u64) {
        // TODO: another thread can add between each load and its store, and then one of
        // the two increments is lost. Make each update one atomic step.
        let requests = self.requests.load(Ordering::Relaxed);
        self.requests.store(requests + 1, Ordering::Relaxed);
        let sent = self.bytes.load(Ordering::Relaxed);
        self.bytes.store(sent + bytes, Ordering::Relaxed);
    }

    /// The requests counted so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The bytes counted so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}

fn main() {
    let stats = Stats::new();
    std::thread::scope(|scope| {
        for worker in 1..=4 {
            let stats = &stats;
            scope.spawn(move || {
                for _ in 0..1000 {
                    stats.record(worker);
                }
            });
        }
    });
    println!("{} requests, {} bytes", stats.requests(), stats.bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_testkit::model;
    use threadlings_testkit::sync::{Arc, thread};

    #[test]
    fn two_threads_recording_at_once_lose_no_request() {
        model(|| {
            let stats = Arc::new(Stats::new());
            let other = {
                let stats = Arc::clone(&stats);
                thread::spawn(move || stats.record(10))
            };
            stats.record(5);
            other.join().unwrap();
            assert_eq!(stats.requests(), 2, "a request was lost");
            assert_eq!(stats.bytes(), 15, "bytes were lost");
        });
    }

    #[test]
    fn a_busy_worker_loses_nothing_to_another() {
        model(|| {
            let stats = Arc::new(Stats::new());
            let other = {
                let stats = Arc::clone(&stats);
                thread::spawn(move || {
                    stats.record(1);
                    stats.record(2);
                })
            };
            stats.record(4);
            other.join().unwrap();
            assert_eq!((stats.requests(), stats.bytes()), (3, 7));
        });
    }

    #[test]
    fn one_thread_counts_every_request() {
        model(|| {
            let stats = Stats::new();
            assert_eq!((stats.requests(), stats.bytes()), (0, 0));
            stats.record(3);
            stats.record(0);
            assert_eq!((stats.requests(), stats.bytes()), (2, 3));
        });
    }
}
