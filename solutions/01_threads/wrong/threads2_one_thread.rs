// WRONG: moves every batch into one worker thread, which works through them one by one
//! # Moving data into threads
//!
//! A spawned thread may outlive the function that spawned it, so `thread::spawn` only takes
//! a closure that owns everything it uses (`F: 'static`). A plain closure borrows the
//! locals it mentions, and the compiler refuses: error E0373, "closure may outlive the
//! current function, but it borrows ...". The fix is a `move` closure: it takes ownership
//! of what it captures, so the thread carries its own data with it.
//!
//! `move` moves a value once. When every worker needs the same value (here, the `work`
//! callback), give each one its own copy *before* the move: clone it in the loop, then let
//! the closure take the clone. Each batch, on the other hand, belongs to exactly one
//! worker: move it in, no copy needed.
//!
//! - Rust book, 16.1, "Using move closures with threads":
//!   <https://doc.rust-lang.org/book/ch16-01-threads.html#using-move-closures-with-threads>
//! - std: <https://doc.rust-lang.org/std/thread/fn.spawn.html>
//! - rust_howto, explicit threads:
//!   <https://john-cd.com/rust_howto/categories/concurrency/explicit_threads.html>

use std::thread;

/// Runs `work(i, batch)` for every batch, each on its own thread, all at the same time, and
/// returns once every worker has finished. Worker `i` owns `batches[i]`: the batch is moved
/// into its thread, never copied or shared.
pub fn run_batches<T, F>(batches: Vec<T>, work: F)
where
    T: Send + 'static,
    F: Fn(usize, T) + Clone + Send + Sync + 'static,
{
    // One thread owns all the batches: `move` hands it the whole Vec.
    let handles = vec![thread::spawn(move || {
        for (index, batch) in batches.into_iter().enumerate() {
            work(index, batch);
        }
    })];
    for handle in handles {
        // Re-raise a worker's panic in the caller, with its original message.
        if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

fn main() {
    let batches = vec![
        vec!["apples", "pears"],
        vec!["plums"],
        vec!["figs", "dates", "kiwis"],
    ];
    run_batches(batches, |index, batch| {
        println!(
            "worker {index} on {:?} owns {batch:?}",
            thread::current().id()
        );
    });
}
