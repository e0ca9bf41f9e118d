// ALT: a Release decrement, and an Acquire fence only in the last worker (as Arc does), instead of an AcqRel decrement

use threadlings_testkit::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
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
        // Release: publishes the half written above to the last worker.
        if self.unfinished.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // Acquire: pairs with the other worker's Release decrement, so its half is
        // visible below; paid only by the last worker.
        fence(Ordering::Acquire);
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
