// ALT: a parallel iterator inside `pool.install`: it runs on the pool that `install` entered
//! # Running jobs on a rayon thread pool
//!
//! Starting a thread per job is wasteful when jobs are many and short: a thread pool
//! keeps a fixed set of worker threads and feeds them jobs. rayon has one global pool
//! (one thread per core), and you can build your own with `rayon::ThreadPoolBuilder`, to
//! cap the threads a library uses or keep heavy work away from the global pool.
//!
//! Careful: `par_iter`, `rayon::join` and `rayon::scope` run on *the pool of the current
//! thread*, and from outside any pool that is the global one. To run work on a pool you
//! were given, enter it: `pool.install(|| ...)` runs a closure on one of its workers (and
//! the parallel iterators inside it use that pool), `pool.scope(|s| ...)` lets you
//! `s.spawn` jobs that borrow local data, and `pool.spawn` fires a `'static` job and
//! returns at once. `run_all` below ignores the pool it is given: fix that.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/struct.ThreadPool.html>,
//!   <https://docs.rs/rayon/1/rayon/struct.ThreadPoolBuilder.html>
//! - rust_howto, thread pools: <https://john-cd.com/rust_howto/categories/concurrency/threadpool.html>

use rayon::ThreadPool;

/// Runs every job on `pool` (never on the calling thread or on the global pool), letting
/// them all run at the same time, and returns their results in job order.
pub fn run_all<T, F>(pool: &ThreadPool, jobs: Vec<F>) -> Vec<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    use rayon::prelude::*;
    // `with_max_len(1)`: one job per task, so a worker never runs two jobs in a row.
    pool.install(|| {
        jobs.into_par_iter()
            .with_max_len(1)
            .map(|job| job())
            .collect()
    })
}

fn main() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .thread_name(|index| format!("demo-worker-{index}"))
        .build()
        .expect("failed to build the pool");
    let jobs: Vec<_> = (1..=4)
        .map(|job| {
            move || {
                let worker = std::thread::current().name().unwrap_or("?").to_string();
                format!("job {job}: {job}² = {} on {worker}", job * job)
            }
        })
        .collect();
    for line in run_all(&pool, jobs) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::ThreadPoolBuilder;
    use std::sync::Arc;
    use std::thread;
    use threadlings_testkit::{Gate, Running};

    /// A pool of `threads` workers named `<name>-0`, `<name>-1`, ...
    fn test_pool(threads: usize, name: &'static str) -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |index| format!("{name}-{index}"))
            .build()
            .expect("failed to build the test pool")
    }

    /// Panics unless the current thread is a worker of the pool named `name`.
    fn assert_on_pool(name: &str, threads: usize) {
        let current = thread::current();
        let thread_name = current.name().unwrap_or("<unnamed>");
        assert!(
            thread_name.starts_with(&format!("{name}-"))
                && rayon::current_thread_index().is_some_and(|index| index < threads),
            "a job ran on thread {thread_name:?}, not on the pool it was given: enter that \
             pool with `pool.install(...)` or `pool.scope(...)`"
        );
    }

    #[test]
    fn results_come_back_in_job_order() {
        let pool = test_pool(2, "order");
        let jobs: Vec<_> = (0..8_u64).map(|i| move || i * i).collect();
        assert_eq!(run_all(&pool, jobs), [0, 1, 4, 9, 16, 25, 36, 49]);
    }

    #[test]
    fn every_job_runs_on_the_given_pool() {
        let pool = test_pool(3, "given");
        let jobs: Vec<_> = (0..12)
            .map(|i| {
                move || {
                    assert_on_pool("given", 3);
                    i
                }
            })
            .collect();
        assert_eq!(run_all(&pool, jobs), (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn jobs_run_at_the_same_time_on_the_pool() {
        // Every job waits at the gate until the test opens it: once `run_all` is blocked,
        // all three must be waiting there together, each on its own worker.
        let gate = Arc::new(Gate::new("the jobs"));
        let _release = gate.open_on_drop();
        let jobs: Vec<_> = (0..3)
            .map(|_| {
                let gate = Arc::clone(&gate);
                move || {
                    assert_on_pool("together", 3);
                    gate.wait();
                    rayon::current_thread_index()
                }
            })
            .collect();
        // The pool is built on the watched thread, so its workers are watched too.
        let running = Running::spawn("`run_all`", move || {
            run_all(&test_pool(3, "together"), jobs)
        });
        running.until_blocked("its jobs were held at the gate", "wait for the jobs");
        assert_eq!(
            gate.waiting(),
            3,
            "only {} of 3 jobs ran at the same time: spawn each job on the pool (or use a \
             parallel iterator inside `pool.install`), do not run them in a plain loop",
            gate.waiting()
        );
        gate.open();
        let mut workers: Vec<_> = running.join().into_iter().flatten().collect();
        workers.sort_unstable();
        assert_eq!(workers, [0, 1, 2], "each job ran on its own worker");
    }

    #[test]
    fn no_jobs_no_results() {
        let pool = test_pool(1, "empty");
        let jobs: Vec<fn() -> u8> = Vec::new();
        assert!(run_all(&pool, jobs).is_empty());
    }
}
