// WRONG: never joins: returns as soon as the workers are spawned
//! # Spawning threads and joining them
//!
//! `std::thread::spawn` starts a new OS thread that runs a closure, and hands back a
//! `JoinHandle`. The new thread runs at the same time as the rest of the program until
//! `handle.join()` waits for it to finish. Join too early and there is nothing left to run
//! alongside it: the "parallel" program becomes a sequential one with extra steps.
//!
//! `run_workers` below starts one thread per worker id, but joins each thread right after
//! spawning it, so the workers run one after another. Make them run at the same time:
//! spawn every worker first and keep the handles, then join them all.
//!
//! - std: <https://doc.rust-lang.org/std/thread/fn.spawn.html>,
//!   <https://doc.rust-lang.org/std/thread/struct.JoinHandle.html>
//! - The Rust book, 16.1: <https://doc.rust-lang.org/book/ch16-01-threads.html>
//! - rust_howto, explicit threads:
//!   <https://john-cd.com/rust_howto/categories/concurrency/explicit_threads.html>

use std::thread;

/// Runs `work(id)` for every id in `0..workers`, each on its own thread, all at the same
/// time, and returns once every worker has finished. If a worker panics, `run_workers`
/// panics too.
pub fn run_workers<F>(workers: usize, work: F)
where
    F: Fn(usize) + Clone + Send + 'static,
{
    // Spawn everything first: each worker starts running as soon as it is spawned, so all
    // of them are alive together before the first `join`.
    let handles: Vec<_> = (0..workers)
        .map(|id| {
            let work = work.clone();
            thread::spawn(move || work(id))
        })
        .collect();
    // The workers run on their own; nothing waits for them.
    drop(handles);
}

fn main() {
    run_workers(4, |id| println!("worker {id} says hello"));
}
