// WRONG: parks once if not ready and returns after any wake-up, without checking again
//! # Parking a thread until it is woken: `Parker` and `Unparker`
//!
//! An idle worker should sleep, not spin. `crossbeam::sync::Parker` puts its thread to
//! sleep with `park()`; another thread wakes it with the matching `Unparker` (cloneable,
//! shareable). The parker holds one *token*: `unpark` sets it, `park` consumes it, and
//! returns at once if it was already set. So a wake-up sent before the sleeper got to
//! `park` is not lost, which is exactly where a bare condition variable loses it.
//!
//! The token is a hint, not a message: `park` may return because of an old `unpark` (or,
//! with `std::thread::park`, for no reason at all). So never ask "was I woken?", ask
//! "is my condition true?": check it, park only if it is false, and check again after
//! every wake-up. `park_until` below parks once and hopes for the best: fix it. The
//! `Worker` underneath uses it to sleep until a task arrives.
//!
//! - crossbeam: <https://docs.rs/crossbeam/0.8/crossbeam/sync/struct.Parker.html>
//! - std's version: <https://doc.rust-lang.org/std/thread/fn.park.html>
//! - Rust Atomics and Locks, ch. 1, thread parking:
//!   <https://marabos.nl/atomics/basics.html#thread-parking>

use crossbeam::sync::{Parker, Unparker};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// Parks the calling thread until `ready()` returns true.
///
/// `parker` must be the calling thread's parker, and whoever makes `ready()` true must
/// call its `Unparker::unpark` afterwards. Returns at once if `ready()` is already true.
pub fn park_until(parker: &Parker, mut ready: impl FnMut() -> bool) {
    // Check before every park: the condition may already hold, and a wake-up may be a
    // left-over token. If the condition turns true between the check and `park`, the
    // `unpark` that follows leaves a token, so `park` returns at once: nothing is lost.
    if !ready() {
        parker.park();
    }
}

/// What the worker thread and its owner share.
struct Shared<T> {
    inbox: Mutex<VecDeque<T>>,
    closed: AtomicBool,
}

impl<T> Shared<T> {
    fn next_task(&self) -> Option<T> {
        // The guard is dropped when this function returns: tasks run without the lock.
        self.inbox.lock().unwrap().pop_front()
    }

    fn has_work(&self) -> bool {
        !self.inbox.lock().unwrap().is_empty() || self.closed.load(Ordering::Acquire)
    }
}

/// A worker thread that handles the tasks given to `submit`, in order, and parks
/// whenever it has nothing to do. Dropping the worker lets it finish every submitted task,
/// then waits for its thread to end.
pub struct Worker<T> {
    shared: Arc<Shared<T>>,
    unparker: Unparker,
    thread: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> Worker<T> {
    /// Starts the worker thread; it calls `handle(task)` for every submitted task.
    pub fn spawn(mut handle: impl FnMut(T) + Send + 'static) -> Self {
        // The parker is made here and moved into the thread, so its `Unparker` exists
        // before the thread runs: a task submitted right away is not lost.
        let parker = Parker::new();
        let unparker = parker.unparker().clone();
        let shared = Arc::new(Shared {
            inbox: Mutex::new(VecDeque::new()),
            closed: AtomicBool::new(false),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                loop {
                    park_until(&parker, || shared.has_work());
                    // Read `closed` before draining: every task submitted before `drop`
                    // set it is then in the inbox, so the drain below gets them all.
                    let closing = shared.closed.load(Ordering::Acquire);
                    while let Some(task) = shared.next_task() {
                        handle(task);
                    }
                    if closing {
                        return;
                    }
                }
            })
        };
        Worker {
            shared,
            unparker,
            thread: Some(thread),
        }
    }

    /// Queues `task` and wakes the worker.
    pub fn submit(&self, task: T) {
        // Queue first, then wake: woken the other way round, the worker could find the
        // inbox still empty and go back to sleep on our task.
        self.shared.inbox.lock().unwrap().push_back(task);
        self.unparker.unpark();
    }
}

impl<T> Drop for Worker<T> {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Release);
        self.unparker.unpark();
        if let Some(thread) = self.thread.take() {
            // A panic in `handle` was already reported; do not raise it a second time.
            let _ = thread.join();
        }
    }
}

fn main() {
    let worker = Worker::spawn(|line: String| println!("worker woke up for: {line}"));
    for line in ["one", "two", "three"] {
        worker.submit(line.to_string());
    }
    drop(worker);
    println!("the worker handled everything before it stopped");
}
