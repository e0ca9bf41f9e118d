// WRONG: accepts a pool of 0 workers, which queues jobs nobody ever runs
//! # A pool that survives panicking jobs
//!
//! The pool from pools4 has a weak spot: when a job panics, the panic unwinds out of the
//! job, out of the worker's loop, and ends the worker thread. The pool quietly shrinks,
//! and after N panics it has no worker left: jobs still queue up, and never run. A pool
//! must contain its jobs' failures. `std::panic::catch_unwind` runs a closure and turns a
//! panic into an `Err` (the panic message is still printed); wrap each job in it and the
//! worker carries on with the next job. (Respawning dead workers works too, but costs a
//! new thread per panic.) `AssertUnwindSafe` is needed because a boxed closure is not
//! `UnwindSafe`; it is fine here since the worker never looks at the job's state again.
//!
//! Sizing: a pool of 0 workers would accept jobs and never run them, so `new(0)` must be
//! an error. For CPU-bound jobs, more workers than cores only adds switching:
//! `std::thread::available_parallelism()` is the usual size. Jobs that mostly wait (on
//! disk, network, locks) can use more.
//!
//! - std: <https://doc.rust-lang.org/std/panic/fn.catch_unwind.html>,
//!   <https://doc.rust-lang.org/std/thread/fn.available_parallelism.html>
//! - talent-plan's thread pool project:
//!   <https://github.com/pingcap/talent-plan/blob/master/courses/rust/projects/project-4/README.md>
//! - rust_howto, thread pools: <https://john-cd.com/rust_howto/categories/concurrency/threadpool.html>

use std::fmt;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle};

/// A job: a closure that runs once, on whichever worker takes it.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// The error of `ThreadPool::new(0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZeroWorkers;

impl fmt::Display for ZeroWorkers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a thread pool needs at least one worker")
    }
}

impl std::error::Error for ZeroWorkers {}

/// A fixed set of worker threads that run the jobs given to `execute`. A job that panics
/// does not take its worker down with it.
pub struct ThreadPool {
    workers: Vec<JoinHandle<()>>,
    /// `None` once the pool is shutting down.
    queue: Option<mpsc::Sender<Job>>,
}

impl ThreadPool {
    /// Starts `size` worker threads, named `pool-worker-0`, `pool-worker-1`, ...
    ///
    /// # Errors
    /// `ZeroWorkers` if `size` is 0.
    pub fn new(size: usize) -> Result<ThreadPool, ZeroWorkers> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        let workers = (0..size)
            .map(|id| {
                let jobs = Arc::clone(&jobs);
                thread::Builder::new()
                    .name(format!("pool-worker-{id}"))
                    .spawn(move || {
                        loop {
                            let next = jobs.lock().unwrap().recv();
                            match next {
                                // A panicking job ends here, not in our loop: the panic
                                // was already reported by the panic hook, and this worker
                                // goes on to the next job.
                                Ok(job) => drop(panic::catch_unwind(AssertUnwindSafe(job))),
                                Err(mpsc::RecvError) => break,
                            }
                        }
                    })
                    .expect("failed to spawn a worker thread")
            })
            .collect();
        Ok(ThreadPool {
            workers,
            queue: Some(queue),
        })
    }

    /// Queues `job` to run on one of the workers.
    pub fn execute<F>(&self, job: F)
    where
        F: FnOnce() + Send + 'static,
    {
        self.queue
            .as_ref()
            .expect("the queue is only closed in drop")
            .send(Box::new(job))
            .expect("the workers outlive the queue");
    }
}

impl Drop for ThreadPool {
    /// Lets the workers finish every queued job, then waits for them to exit.
    fn drop(&mut self) {
        drop(self.queue.take());
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

fn main() {
    // CPU-bound jobs: one worker per core the program may use.
    let size = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let pool = ThreadPool::new(size).expect("available_parallelism is never 0");
    pool.execute(|| panic!("this job fails"));
    for job in 0..3 {
        pool.execute(move || println!("job {job} still ran"));
    }
    drop(pool);
    match ThreadPool::new(0) {
        Ok(_) => println!("a pool of 0 workers?"),
        Err(error) => println!("ThreadPool::new(0): {error}"),
    }
}
