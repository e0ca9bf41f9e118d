// WRONG: releases the lock, but runs the whole batch on one worker thread: the inputs do not run at the same time
//! # Never hold a lock across a `join`
//!
//! `join` (and the end of a `thread::scope`) waits for a thread to finish. If that thread
//! needs a lock you are holding, it never finishes: you wait for it, it waits for you.
//! Unlike an unlucky lock order, this deadlock needs no bad timing at all: it happens on
//! every run, and the grader shows the joining thread and the workers blocked on the lock.
//!
//! Below, `run_batch` counts the batch in shared `Stats`, starts one worker per input, and
//! each worker adds its result to the same `Stats`. The guard taken for the count is still
//! alive when the scope joins the workers. Lock for as short as you can: count, let go of
//! the guard (end its block, or `drop(guard)`), run the workers, and lock again afterwards
//! if there is more to record. (Or let the workers return their results through `join` and
//! lock once, at the end.)
//!
//! - std: <https://doc.rust-lang.org/std/thread/fn.scope.html>
//! - std: <https://doc.rust-lang.org/std/sync/struct.Mutex.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::sync::Mutex;
use std::thread;

/// Shared statistics: how many batches ran, how many inputs the last one had, and every
/// worker's result.
#[derive(Debug, Default)]
pub struct Stats {
    pub batches: u32,
    pub last_batch_len: usize,
    pub results: Vec<u64>,
}

/// Runs `work` on every input, each on its own thread, all at once; each result is added to
/// `stats.results`. Counts the batch in `stats.batches` before the workers start, and sets
/// `stats.last_batch_len` once they have all finished.
pub fn run_batch<F>(stats: &Mutex<Stats>, inputs: &[u64], work: F)
where
    F: Fn(u64) -> u64 + Sync,
{
    // The guard lives only inside this block: it is dropped before any worker starts.
    {
        let mut stats = stats.lock().unwrap();
        stats.batches += 1;
    }
    let work = &work;
    // One background worker is enough to keep the caller free.
    thread::scope(|scope| {
        scope.spawn(move || {
            for &input in inputs {
                let result = work(input);
                stats.lock().unwrap().results.push(result);
            }
        });
    });
    // Every worker has finished (the scope joined them): lock again to record the end.
    stats.lock().unwrap().last_batch_len = inputs.len();
}

fn main() {
    let stats = Mutex::new(Stats::default());
    run_batch(&stats, &[1, 2, 3, 4], |n| n * n);
    run_batch(&stats, &[10, 20], |n| n + 1);
    let mut stats = stats.into_inner().unwrap();
    stats.results.sort_unstable();
    println!("{stats:?}");
}
