// WRONG: never checks the stop flag: a stopped worker still processes every item

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
