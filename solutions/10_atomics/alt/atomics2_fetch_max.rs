// ALT: fetch_max, std's ready-made maximum (one instruction on some CPUs)

use threadlings_testkit::sync::atomic::{AtomicU64, Ordering};

/// The highest value observed so far, by any thread.
pub struct PeakGauge {
    peak: AtomicU64,
}

impl PeakGauge {
    pub fn new() -> Self {
        PeakGauge {
            peak: AtomicU64::new(0),
        }
    }

    /// Raises the peak to `value` if `value` is higher.
    pub fn observe(&self, value: u64) {
        // Relaxed: the gauge publishes no other data.
        self.peak.fetch_max(value, Ordering::Relaxed);
    }

    /// The highest value observed so far.
    pub fn peak(&self) -> u64 {
        // Relaxed: a number on its own.
        self.peak.load(Ordering::Relaxed)
    }
}

impl Default for PeakGauge {
    fn default() -> Self {
        Self::new()
    }
}

fn main() {
    let gauge = PeakGauge::new();
    std::thread::scope(|scope| {
        for worker in 0..4_u64 {
            let gauge = &gauge;
            scope.spawn(move || {
                for latency in [3, 40, 7] {
                    gauge.observe(latency * (worker + 1));
                }
            });
        }
    });
    println!("peak latency: {} ms", gauge.peak());
}
