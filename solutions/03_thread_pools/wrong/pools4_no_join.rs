// WRONG: closes the queue on drop but never joins the workers: queued jobs may not have run when drop returns
//! # Building a thread pool
//!
//! Under the hood a pool is simple: N worker threads share one job queue. `execute`
//! puts a boxed closure on the queue; each worker loops, taking the next job and running
//! it. Here the queue is a `mpsc` channel. Its `Receiver` cannot be shared as-is, so the
//! workers share it as `Arc<Mutex<Receiver<Job>>>`: lock, take one job, *unlock*, then
//! run it. Beware of `while let Ok(job) = rx.lock().unwrap().recv()`: the guard lives for
//! the whole loop body, so only one job runs at a time.
//!
//! Shutdown is the other half. Dropping the `Sender` closes the queue: `recv` returns the
//! jobs still queued, then `Err`, and each worker's loop ends. `Drop` must close the queue
//! *first* and then join every worker; joining first waits for workers that are waiting
//! for jobs, forever.
//!
//! - The Rust book, 21.2 and 21.3:
//!   <https://doc.rust-lang.org/book/ch21-02-multithreaded.html>,
//!   <https://doc.rust-lang.org/book/ch21-03-graceful-shutdown-and-cleanup.html>
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/index.html>,
//!   <https://doc.rust-lang.org/std/sync/struct.Mutex.html>
//! - rust_howto, thread pools: <https://john-cd.com/rust_howto/categories/concurrency/threadpool.html>

use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle};

/// A job: a closure that runs once, on whichever worker takes it.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of worker threads that run the jobs given to `execute`.
pub struct ThreadPool {
    workers: Vec<JoinHandle<()>>,
    /// `None` once the pool is shutting down.
    queue: Option<mpsc::Sender<Job>>,
}

impl ThreadPool {
    /// Starts `size` worker threads, named `pool-worker-0`, `pool-worker-1`, ...
    pub fn new(size: usize) -> ThreadPool {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        let workers = (0..size)
            .map(|id| {
                let jobs = Arc::clone(&jobs);
                thread::Builder::new()
                    .name(format!("pool-worker-{id}"))
                    .spawn(move || {
                        loop {
                            // The guard is a temporary of this statement: the lock is
                            // released before the job runs, so the others can take jobs.
                            let next = jobs.lock().unwrap().recv();
                            match next {
                                Ok(job) => job(),
                                // Every Sender is gone and the queue is empty: shut down.
                                Err(mpsc::RecvError) => break,
                            }
                        }
                    })
                    .expect("failed to spawn a worker thread")
            })
            .collect();
        ThreadPool {
            workers,
            queue: Some(queue),
        }
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
        // Close the queue first: the workers drain it, then their `recv` fails and they
        // return. Joining before this would wait forever.
        drop(self.queue.take());
        // The workers finish the queue on their own.
        self.workers.clear();
    }
}

fn main() {
    let pool = ThreadPool::new(3);
    for job in 0..6 {
        pool.execute(move || {
            let worker = thread::current().name().unwrap_or("?").to_string();
            println!("job {job} ran on {worker}");
        });
    }
    drop(pool);
    println!("the pool is gone, and every job ran before it went");
}
