//! # A lock-free maximum: a `compare_exchange_weak` loop
//!
//! A gauge records the highest latency any worker has seen. "If mine is bigger, store it"
//! is a check-then-act: between the check and the store another thread may store an even
//! bigger value, and the smaller store then wipes it out. `fetch_add` cannot help, because
//! the new value depends on the old one. The general tool is a compare-exchange loop:
//! read the current value, work out the new one, and `compare_exchange_weak(current, new)`
//! stores it only if the value is still `current`; otherwise it returns what the value is
//! now, and you decide again. Here, "decide again" may well mean "nothing to do".
//!
//! `_weak` may fail even when the value matched (on some CPUs), which is why it lives in a
//! loop, where it is cheaper than `compare_exchange`. std also has the loop ready-made:
//! `fetch_update`, and for this very job `fetch_max`. A failed attempt writes nothing, so
//! the loop is lock-free: a thread retries only because another one made progress.
//! `Relaxed` is enough: the gauge is a number on its own, it publishes no other data.
//!
//! - std: <https://doc.rust-lang.org/std/sync/atomic/struct.AtomicU64.html#method.compare_exchange_weak>,
//!   <https://doc.rust-lang.org/std/sync/atomic/struct.AtomicU64.html#method.fetch_max>
//! - rust_howto, shared state (atomics):
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>
//! - *Rust Atomics and Locks*, ch. 2 "Atomics", "Compare-and-Exchange Operations":
//!   <https://marabos.nl/atomics/atomics.html#compare-and-exchange-operations>

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
        // Relaxed: only the gauge itself is shared; a compare-exchange works on its latest
        // value at any ordering.
        let mut current = self.peak.load(Ordering::Relaxed);
        // Nothing to do once the peak is at least `value`: no write, so readers never see
        // the peak go down.
        while value > current {
            // Relaxed (success and failure): as above; a failure hands back the value it
            // found, to decide again.
            match self.peak.compare_exchange_weak(
                current,
                value,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(now) => current = now,
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_testkit::model;
    use threadlings_testkit::sync::{Arc, thread};

    #[test]
    fn the_higher_of_two_racing_values_wins() {
        model(|| {
            let gauge = Arc::new(PeakGauge::new());
            let other = {
                let gauge = Arc::clone(&gauge);
                thread::spawn(move || gauge.observe(7))
            };
            gauge.observe(5);
            other.join().unwrap();
            assert_eq!(gauge.peak(), 7, "a lower value overwrote the higher one");
        });
    }

    #[test]
    fn the_peak_never_goes_down_while_lower_values_come_in() {
        model(|| {
            let gauge = Arc::new(PeakGauge::new());
            gauge.observe(10);
            let other = {
                let gauge = Arc::clone(&gauge);
                thread::spawn(move || gauge.observe(3))
            };
            assert_eq!(
                gauge.peak(),
                10,
                "the peak went down while a lower value came in"
            );
            other.join().unwrap();
            assert_eq!(gauge.peak(), 10);
        });
    }

    #[test]
    fn one_thread_keeps_the_maximum() {
        model(|| {
            let gauge = PeakGauge::new();
            assert_eq!(gauge.peak(), 0);
            for value in [4, 9, 2, 9, 6] {
                gauge.observe(value);
            }
            assert_eq!(gauge.peak(), 9);
        });
    }
}
