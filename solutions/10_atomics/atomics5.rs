//! # Choosing an ordering (capstone): one structure, three answers
//!
//! Each atomic gets the weakest ordering that does its job, and the job is always the
//! same question: *what must another thread see because of this operation?*
//!
//! Two workers each add up half of the data. Meanwhile a progress bar reads how many items
//! are done; the worker that finishes last adds the two halves; and a watcher waits for
//! the total.
//!
//! - **`progress`**: a statistic (`atomics1`). Nobody reads other data because of it:
//!   `Relaxed`.
//! - **`unfinished`**: each worker writes its half, then decrements. The decrement must
//!   *publish* that half (`Release`), and the last worker's decrement must *see* the other
//!   half (`Acquire`): a read-modify-write that does both is `AcqRel`. (A `Release`
//!   decrement plus `fence(Acquire)` in the last worker is the same, as in `ordering7`.)
//! - **`ready`**: the last worker publishes the total to the watcher, one way: a `Release`
//!   store and an `Acquire` load (`atomics3`).
//!
//! `SeqCst` adds one global order of all `SeqCst` operations; nothing here needs it, and
//! "`SeqCst` everywhere" hides which operation needs what.
//!
//! - std: <https://doc.rust-lang.org/std/sync/atomic/enum.Ordering.html>
//! - rust_howto, shared state (atomics):
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>
//! - *Rust Atomics and Locks*, ch. 3 "Memory Ordering":
//!   <https://marabos.nl/atomics/memory-ordering.html>

use threadlings_testkit::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use threadlings_testkit::sync::cell::UnsafeCell;

/// A sum split between two workers, combined by whichever finishes last.
pub struct SplitSum {
    progress: AtomicUsize,
    halves: [UnsafeCell<u64>; 2],
    unfinished: AtomicUsize,
    total: UnsafeCell<u64>,
    ready: AtomicBool,
}

// SAFETY: each half is written by its one worker before its `unfinished` decrement, and
// read by the last worker after its own; `total` is written by the last worker before
// `ready`, and read only after `ready` is seen set.
unsafe impl Sync for SplitSum {}

impl SplitSum {
    pub fn new() -> Self {
        SplitSum {
            progress: AtomicUsize::new(0),
            halves: [UnsafeCell::new(0), UnsafeCell::new(0)],
            unfinished: AtomicUsize::new(2),
            total: UnsafeCell::new(0),
            ready: AtomicBool::new(false),
        }
    }

    /// Worker `half` (0 or 1, each called once) adds up its `items`; the last of the two
    /// to finish publishes the total.
    pub fn add_half(&self, half: usize, items: &[u64]) {
        let mut sum = 0;
        for item in items {
            sum += item;
            // Relaxed: a statistic; nothing is read because of it.
            self.progress.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: only worker `half` writes this half, before its decrement below.
        self.halves[half].with_mut(|slot| unsafe { *slot = sum });
        // AcqRel: Release publishes the half written above to the last worker; Acquire
        // (used when this one is the last) makes the other worker's half visible below.
        if self.unfinished.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        // SAFETY: both workers have decremented: both halves are written, and the AcqRel
        // decrements ordered those writes before these reads.
        let total: u64 = self
            .halves
            .iter()
            .map(|half| half.with(|slot| unsafe { *slot }))
            .sum();
        // SAFETY: only the last worker writes the total, before `ready`.
        self.total.with_mut(|slot| unsafe { *slot = total });
        // Release: the total's write happens-before any Acquire load that sees `true`.
        self.ready.store(true, Ordering::Release);
    }

    /// How many items the workers have added so far.
    pub fn progress(&self) -> usize {
        // Relaxed: a statistic.
        self.progress.load(Ordering::Relaxed)
    }

    /// The total, once both halves are in.
    pub fn total(&self) -> Option<u64> {
        // Acquire: pairs with the last worker's Release store, so the total is complete.
        if self.ready.load(Ordering::Acquire) {
            // SAFETY: `ready` is set: the total is written and never written again.
            Some(self.total.with(|slot| unsafe { *slot }))
        } else {
            None
        }
    }
}

impl Default for SplitSum {
    fn default() -> Self {
        Self::new()
    }
}

fn main() {
    let numbers: Vec<u64> = (1..=100).collect();
    let (left, right) = numbers.split_at(50);
    let sum = SplitSum::new();
    std::thread::scope(|scope| {
        scope.spawn(|| sum.add_half(0, left));
        scope.spawn(|| sum.add_half(1, right));
        println!("progress while running: {} items", sum.progress());
    });
    println!("total: {:?} after {} items", sum.total(), sum.progress());
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_testkit::model;
    use threadlings_testkit::sync::{Arc, thread};

    #[test]
    fn the_last_worker_adds_up_both_halves() {
        model(|| {
            let sum = Arc::new(SplitSum::new());
            let other = {
                let sum = Arc::clone(&sum);
                thread::spawn(move || sum.add_half(0, &[1, 2]))
            };
            sum.add_half(1, &[4]);
            other.join().unwrap();
            assert_eq!(sum.total(), Some(7));
            assert_eq!(sum.progress(), 3, "an item was not counted");
        });
    }

    #[test]
    fn a_watcher_sees_no_total_or_the_whole_total() {
        model(|| {
            let sum = Arc::new(SplitSum::new());
            let workers: Vec<_> = [(0, 1), (1, 2)]
                .into_iter()
                .map(|(half, item)| {
                    let sum = Arc::clone(&sum);
                    thread::spawn(move || sum.add_half(half, &[item]))
                })
                .collect();
            if let Some(total) = sum.total() {
                assert_eq!(total, 3, "the watcher saw a total before it was complete");
            }
            assert!(sum.progress() <= 2);
            for worker in workers {
                worker.join().unwrap();
            }
            assert_eq!(sum.total(), Some(3));
        });
    }

    #[test]
    fn no_total_before_both_halves_are_in() {
        model(|| {
            let sum = SplitSum::new();
            sum.add_half(1, &[5, 6]);
            assert_eq!(sum.total(), None, "one half is not a total");
            assert_eq!(sum.progress(), 2);
            sum.add_half(0, &[]);
            assert_eq!(sum.total(), Some(11));
        });
    }
}
