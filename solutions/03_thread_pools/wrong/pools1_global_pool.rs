// WRONG: runs the jobs with a parallel iterator outside `pool.install`: they run on rayon's global pool
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
    // The pool is right there, but nothing enters it.
    let _ = pool;
    jobs.into_par_iter().map(|job| job()).collect()
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
