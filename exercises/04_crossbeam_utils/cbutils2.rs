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
pub fn park_until(parker: &Parker, ready: impl FnMut() -> bool) {
    // TODO: being woken up does not mean that `ready()` is true, and `ready()` may be true
    // already (with nobody left to unpark us).
    parker.park();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use threadlings_testkit::{Running, Watch};

    #[test]
    fn returns_at_once_when_already_ready() {
        let done = Running::spawn("`park_until`", || park_until(&Parker::new(), || true));
        done.until_finished(
            "park_until parked although ready() was already true, and nobody will unpark it: \
             check the condition before parking",
        );
    }

    #[test]
    fn wakes_up_when_unparked() {
        let parker = Parker::new();
        let unparker = parker.unparker().clone();
        let ready = Arc::new(AtomicBool::new(false));
        let done = {
            let ready = Arc::clone(&ready);
            Running::spawn("`park_until`", move || {
                park_until(&parker, || ready.load(Ordering::Acquire));
            })
        };
        ready.store(true, Ordering::Release);
        unparker.unpark();
        done.until_finished(
            "park_until did not wake up when its Unparker was used: park on the Parker you \
             were given (std's thread::park is a different parker)",
        );
    }

    #[test]
    fn an_unpark_that_comes_before_the_park_is_not_lost() {
        // The race that loses wake-ups: the waiter checks its condition (false), and
        // before it parks, another thread makes the condition true and unparks it. Here
        // ready() itself plays that other thread, right after the check, every time.
        let parker = Parker::new();
        let unparker = parker.unparker().clone();
        let done = Running::spawn("`park_until`", move || {
            let flag = AtomicBool::new(false);
            park_until(&parker, || {
                let was_ready = flag.load(Ordering::Acquire);
                flag.store(true, Ordering::Release);
                unparker.unpark();
                was_ready
            });
        });
        done.until_finished(
            "park_until never returned, though right after each check ready() turned true \
             and unparked it: check ready() before parking, and park on the Parker you were \
             given, whose token keeps a wake-up that comes before the park",
        );
    }

    #[test]
    fn a_left_over_unpark_does_not_end_the_wait_early() {
        // A stray token is already there when park_until starts; the condition only turns
        // true later (at the second check, which then unparks again).
        let parker = Parker::new();
        parker.unparker().unpark();
        let unparker = parker.unparker().clone();
        let done = Running::spawn("`park_until`", move || {
            let mut checks = 0;
            park_until(&parker, || {
                checks += 1;
                if checks == 2 {
                    unparker.unpark();
                }
                checks >= 3
            });
            checks
        });
        done.until_finished(
            "park_until never returned although its condition turned true and it was unparked",
        );
        let checks = done.join();
        assert!(
            checks >= 3,
            "park_until returned after {checks} check(s), while ready() was still false: a \
             wake-up is a hint, check the condition again after every park"
        );
    }

    #[test]
    fn the_worker_handles_every_task_in_order() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn(move |task: u32| tx.send(task).unwrap());
        for task in 0..100 {
            worker.submit(task);
        }
        Running::spawn("dropping the worker", move || drop(worker)).until_finished(
            "it never returned: the worker missed its last wake-up (set `closed`, then \
             unpark it, then join)",
        );
        assert_eq!(
            rx.try_iter().collect::<Vec<_>>(),
            (0..100).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_worker_sleeps_until_a_task_arrives() {
        // Between tasks the worker must be parked: blocked, using no CPU, not spinning or
        // waking up on a timer to look at its inbox.
        let watch = Watch::start();
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn(move |task: &str| tx.send(task).unwrap());
        let idle = |after: &str| {
            watch.until_blocked(
                &|| false,
                "the worker",
                after,
                "park with `park_until` on the worker's Parker: a loop that spins, yields or \
                 parks with a timeout is not sleeping",
            );
        };
        idle("it had nothing to do");
        worker.submit("first");
        idle("it had one task");
        let first = rx.try_recv().ok();
        worker.submit("second");
        idle("it had a second task");
        let second = rx.try_recv().ok();
        // Dropped on another thread: a worker that never wakes up cannot hang the test.
        let stopped = Running::spawn("dropping the worker", move || drop(worker));
        assert_eq!(
            first,
            Some("first"),
            "the worker went back to sleep without handling its first task"
        );
        assert_eq!(
            second,
            Some("second"),
            "the worker did not wake up for a second task"
        );
        stopped.until_finished(
            "it never returned: the worker missed its last wake-up (set `closed`, then \
             unpark it, then join)",
        );
    }
}
