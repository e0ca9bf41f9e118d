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
        for worker in self.workers.drain(..) {
            // A worker only dies early if a job panicked; that panic was already reported,
            // and re-raising it here (maybe during an unwind) would abort. See pools5.
            let _ = worker.join();
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::sync::mpsc::{self, Receiver};
    use threadlings_testkit::{Gate, Running, Watch};

    /// Everything sent so far, without waiting for more.
    fn received<T>(rx: &Receiver<T>) -> Vec<T> {
        rx.try_iter().collect()
    }

    #[test]
    fn every_job_runs_exactly_once() {
        let pool = ThreadPool::new(4);
        let (tx, rx) = mpsc::channel();
        for job in 0..100 {
            let tx = tx.clone();
            pool.execute(move || tx.send(job).unwrap());
        }
        drop(pool);
        let mut ran = received(&rx);
        ran.sort_unstable();
        assert_eq!(
            ran,
            (0..100).collect::<Vec<_>>(),
            "every job runs once, and all of them before drop(pool) returns"
        );
    }

    #[test]
    fn jobs_run_in_parallel_on_n_distinct_threads() {
        // Four jobs wait at the gate until the test opens it: once the pool's threads are
        // blocked, all four must be waiting there together, each on its own worker.
        let watch = Watch::start();
        let pool = ThreadPool::new(4);
        let gate = Arc::new(Gate::new("the jobs"));
        let _release = gate.open_on_drop();
        let (tx, rx) = mpsc::channel();
        for _ in 0..4 {
            let (gate, tx) = (Arc::clone(&gate), tx.clone());
            pool.execute(move || {
                gate.wait();
                tx.send(thread::current().id()).unwrap();
            });
        }
        watch.until_blocked(
            &|| false,
            "the pool",
            "four jobs were held at the gate",
            "a worker waits for jobs with a blocking `recv`",
        );
        let waiting = gate.waiting();
        gate.open();
        assert_eq!(
            waiting, 4,
            "only {waiting} of 4 jobs ran at the same time: a worker must release the \
             queue's lock before it runs the job it took (`while let Ok(job) = \
             rx.lock().unwrap().recv()` keeps it)"
        );
        drop(pool);
        let workers: HashSet<_> = received(&rx).into_iter().collect();
        assert_eq!(
            workers.len(),
            4,
            "four jobs met, each on its own worker thread"
        );
        assert!(
            !workers.contains(&thread::current().id()),
            "jobs run on the pool's threads"
        );
    }

    #[test]
    fn a_busy_worker_does_not_hold_up_queued_jobs() {
        // One job keeps its worker busy until the test opens the gate. The other worker
        // must run every job queued after it: with one shared queue, a free worker takes
        // the next job, whoever's turn it would have been.
        let watch = Watch::start();
        let pool = ThreadPool::new(2);
        let gate = Arc::new(Gate::new("the busy job"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        pool.execute(move || held.wait());
        let (tx, rx) = mpsc::channel();
        for job in 1..=6 {
            let tx = tx.clone();
            pool.execute(move || tx.send(job).unwrap());
        }
        watch.until_blocked(
            &|| false,
            "the pool",
            "one worker was busy",
            "a worker waits for jobs with a blocking `recv`",
        );
        let done = received(&rx);
        gate.open();
        assert_eq!(
            done,
            (1..=6).collect::<Vec<_>>(),
            "jobs waited behind a busy worker while another worker was idle: all workers \
             take jobs from one shared queue (one Receiver behind a Mutex), not each from \
             a queue of its own"
        );
    }

    #[test]
    fn idle_workers_block_on_the_queue() {
        let watch = Watch::start();
        let pool = ThreadPool::new(2);
        watch.until_blocked(
            &|| false,
            "the idle pool",
            "no job was queued",
            "a worker waits for its next job with a blocking `recv` on the shared queue, \
             not a `try_recv` loop, a sleep or a timeout",
        );
        drop(pool);
    }

    #[test]
    fn the_pool_reuses_its_threads() {
        let pool = ThreadPool::new(2);
        let (tx, rx) = mpsc::channel();
        for _ in 0..50 {
            let tx = tx.clone();
            pool.execute(move || tx.send(thread::current().id()).unwrap());
        }
        drop(pool);
        let threads: HashSet<_> = received(&rx).into_iter().collect();
        assert!(
            threads.len() <= 2,
            "50 jobs ran on {} different threads: a pool of 2 runs them all on its 2 workers, \
             it does not spawn a thread per job",
            threads.len()
        );
    }

    #[test]
    fn dropping_the_pool_waits_for_queued_jobs() {
        // One worker, stuck in its first job until the test opens the gate: the other 20
        // jobs are still in the queue when the pool is dropped, and must all run before
        // drop returns.
        let pool = ThreadPool::new(1);
        let gate = Arc::new(Gate::new("the first job"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let (tx, rx) = mpsc::channel();
        let first = tx.clone();
        pool.execute(move || {
            held.wait();
            first.send(0).unwrap();
        });
        for job in 1..=20 {
            let tx = tx.clone();
            pool.execute(move || tx.send(job).unwrap());
        }
        let dropping = Running::spawn("`drop(pool)`", move || drop(pool));
        dropping.until_blocked(
            "the first job was still running and 20 more were queued",
            "close the queue, then join every worker",
        );
        gate.open();
        dropping.join();
        assert_eq!(
            received(&rx),
            (0..=20).collect::<Vec<_>>(),
            "drop(pool) returned before the queued jobs ran: close the queue, then join every worker"
        );
    }

    #[test]
    fn an_unused_pool_shuts_down() {
        drop(ThreadPool::new(3));
    }
}
