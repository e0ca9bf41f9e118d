//! # A stop flag, and results published with `Release` and `Acquire`
//!
//! A controller runs a job on a worker thread and may stop it early: it raises a *stop*
//! flag, the worker checks it between items, stops, and hands back what it did so far.
//! Two flags, two directions, two orderings:
//!
//! - **stop** (controller to worker) carries no data: the worker only needs to notice it
//!   sooner or later. `Relaxed` on both sides.
//! - **done** (worker to controller) publishes the worker's summary, a plain value written
//!   just before it. The worker's `store(true, Release)` publishes every write made before
//!   it; the controller's `load(Acquire)` that sees `true` sees all of them. With
//!   `Relaxed` on either side the controller may read a half-written summary.
//!
//! And stopping is not waiting: after `stop()`, the worker may still be in the middle of an
//! item or writing its summary; only `done` says it has finished.
//!
//! x86 would pass a `Relaxed` `done` every time; the model checker reports the
//! controller's read of the summary as a *causality violation*.
//!
//! - std: <https://doc.rust-lang.org/std/sync/atomic/enum.Ordering.html>
//! - rust_howto, shared state (atomics):
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>
//! - *Rust Atomics and Locks*, ch. 2 "Atomics", "Stop Flag", and ch. 3 "Release and
//!   Acquire Ordering": <https://marabos.nl/atomics/atomics.html#example-stop-flag>

use threadlings_testkit::sync::atomic::{AtomicBool, Ordering};
use threadlings_testkit::sync::cell::UnsafeCell;

/// What the worker did before it finished or was stopped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub processed: usize,
    pub sum: u64,
}

/// A job shared by its controller and its worker.
pub struct Job {
    stop: AtomicBool,
    done: AtomicBool,
    summary: UnsafeCell<Summary>,
}

// SAFETY: `summary` is written only by `work`, before `done` is set (a job has one
// worker), and read only after `done` is seen set.
unsafe impl Sync for Job {}

impl Job {
    pub fn new() -> Self {
        Job {
            stop: AtomicBool::new(false),
            done: AtomicBool::new(false),
            summary: UnsafeCell::new(Summary::default()),
        }
    }

    /// Asks the worker to stop before its next item.
    pub fn stop(&self) {
        // Relaxed: the request publishes nothing; the worker only has to see it.
        self.stop.store(true, Ordering::Relaxed);
    }

    /// The worker (one per job): adds up `items` until they run out or it is told to stop,
    /// then publishes its summary.
    pub fn work(&self, items: impl IntoIterator<Item = u64>) {
        let mut summary = Summary::default();
        for item in items {
            // Relaxed: seeing the request a little late only means one more item.
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            summary.processed += 1;
            summary.sum += item;
        }
        // SAFETY: the only writer; nobody reads before `done`.
        self.summary.with_mut(|slot| unsafe { *slot = summary });
        // Release: the summary's write above happens-before any Acquire load that sees
        // `true`.
        self.done.store(true, Ordering::Release);
    }

    /// The worker's summary, once it has finished.
    pub fn summary(&self) -> Option<Summary> {
        // Acquire: pairs with the worker's Release store, so its summary is complete.
        if self.done.load(Ordering::Acquire) {
            // SAFETY: `done` is set: the summary is written and never written again.
            Some(self.summary.with(|slot| unsafe { *slot }))
        } else {
            None
        }
    }
}

impl Default for Job {
    fn default() -> Self {
        Self::new()
    }
}

fn main() {
    let job = std::sync::Arc::new(Job::new());
    let worker = {
        let job = std::sync::Arc::clone(&job);
        std::thread::spawn(move || job.work(1..))
    };
    std::thread::sleep(std::time::Duration::from_millis(10));
    job.stop();
    while job.summary().is_none() {
        std::thread::yield_now();
    }
    println!("stopped after {:?}", job.summary());
    worker.join().expect("the worker panicked");
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_testkit::model;
    use threadlings_testkit::sync::{Arc, thread};

    /// Whether `summary` adds up the first `processed` of `items`.
    fn adds_up(summary: Summary, items: &[u64]) -> bool {
        summary.processed <= items.len()
            && summary.sum == items[..summary.processed].iter().sum::<u64>()
    }

    #[test]
    fn a_summary_seen_while_stopping_is_complete() {
        model(|| {
            let job = Arc::new(Job::new());
            let worker = {
                let job = Arc::clone(&job);
                thread::spawn(move || job.work([1, 2]))
            };
            job.stop();
            if let Some(summary) = job.summary() {
                assert!(
                    adds_up(summary, &[1, 2]),
                    "a half-written summary: {summary:?}"
                );
            }
            worker.join().unwrap();
            let summary = job.summary().expect("the worker has finished");
            assert!(adds_up(summary, &[1, 2]), "{summary:?}");
        });
    }

    #[test]
    fn a_worker_that_was_told_to_stop_does_no_work() {
        model(|| {
            let job = Arc::new(Job::new());
            job.stop();
            let worker = {
                let job = Arc::clone(&job);
                thread::spawn(move || job.work([5, 6, 7]))
            };
            worker.join().unwrap();
            assert_eq!(job.summary(), Some(Summary::default()));
        });
    }

    #[test]
    fn an_unstopped_worker_does_everything_and_says_so() {
        model(|| {
            let job = Job::new();
            assert_eq!(job.summary(), None, "no summary before the worker finishes");
            job.work([5, 6, 7]);
            assert_eq!(
                job.summary(),
                Some(Summary {
                    processed: 3,
                    sum: 18
                })
            );
        });
    }
}
