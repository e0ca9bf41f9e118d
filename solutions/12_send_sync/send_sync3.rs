//! # `Send` but not `Sync`: a `Receiver` shared through a `Mutex`
//!
//! `Cell`, `RefCell` and `mpsc::Receiver` are `Send` but not `Sync`: one can move to another
//! thread, but two threads must not use one at once. (A `Receiver` is the single consumer
//! of a multi-producer, *single-consumer* channel.) To let several workers take jobs from
//! one channel, put the `Receiver` in a `Mutex`: `Mutex<T>` is `Sync` whenever `T` is
//! `Send`, because the lock lets only one thread at a time reach the `T`. That is the rule
//! to remember: a `Mutex` turns something that may *move* between threads into something
//! that may be *shared* by them. It needs nothing more: the jobs themselves only move.
//!
//! `JobQueue<T>` below hands jobs to a crew of workers, which share it by reference;
//! `run_crew` does not compile. Make `JobQueue<T>` shareable exactly when its jobs can be
//! sent to a worker. Graded by trybuild: the snippets in
//! `grader/ui-harness/cases/send_sync3/` must (`pass/`) or must not (`fail/`) compile against
//! your file. Use std only: the snippets build without the course's dependencies.
//!
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/struct.Receiver.html>,
//!   <https://doc.rust-lang.org/std/sync/struct.Mutex.html#impl-Sync-for-Mutex%3CT%3E>
//! - The Rust book, a thread pool's shared receiver: <https://doc.rust-lang.org/book/ch21-02-multithreaded.html>
//! - rust_howto, Send and Sync: <https://john-cd.com/rust_howto/categories/concurrency/send_sync.html>

use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::thread;

/// Jobs for a crew of workers: each job goes to whichever worker asks first.
pub struct JobQueue<T> {
    // The `Mutex` makes the queue `Sync` when `T: Send`: a worker locks it only to take one
    // job. It stays locked while that worker waits in `recv`, which is what we want: the
    // next job goes to it, and the others wait their turn for the lock.
    jobs: Mutex<Receiver<T>>,
}

impl<T> JobQueue<T> {
    pub fn new(jobs: Receiver<T>) -> Self {
        JobQueue {
            jobs: Mutex::new(jobs),
        }
    }

    /// The next job, waiting for one if need be; `None` once every `Sender` is gone and
    /// every job has been taken.
    pub fn next(&self) -> Option<T> {
        // The guard is a temporary: the lock is released before the job is worked on.
        self.jobs.lock().unwrap().recv().ok()
    }
}

/// Runs `work` on every job of `queue`, with `workers` threads sharing it.
pub fn run_crew<T: Send>(queue: &JobQueue<T>, workers: usize, work: impl Fn(T) + Sync) {
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(job) = queue.next() {
                    work(job);
                }
            });
        }
    });
}

fn main() {
    let (tx, rx) = mpsc::channel();
    for page in 1..=6 {
        tx.send(format!("page {page}")).unwrap();
    }
    drop(tx);
    let queue = JobQueue::new(rx);
    run_crew(&queue, 3, |page| {
        println!("{:?} printed {page}", thread::current().id());
    });
}
