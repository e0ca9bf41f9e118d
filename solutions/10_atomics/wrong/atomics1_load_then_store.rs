// WRONG: load, then store the sum: two threads that load the same total both store their own increment, and one is lost

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
        let requests = self.requests.load(Ordering::Relaxed);
        self.requests.store(requests + 1, Ordering::Relaxed);
        let sent = self.bytes.load(Ordering::Relaxed);
        self.bytes.store(sent + bytes, Ordering::Relaxed);
    }

    /// The requests counted so far.
    pub fn requests(&self) -> u64 {
        // Relaxed: a statistic; a `join` before reading orders the final totals.
        self.requests.load(Ordering::Relaxed)
    }

    /// The bytes counted so far.
    pub fn bytes(&self) -> u64 {
        // Relaxed: as above.
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
