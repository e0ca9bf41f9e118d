// WRONG: joins each worker right after spawning it, so the workers never overlap
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
    let mut handles = Vec::new();
    for (index, batch) in batches.into_iter().enumerate() {
        // One copy of the callback per worker: the `move` closure below takes this copy,
        // so the next iteration still has `work` to clone.
        let work = work.clone();
        // `move` hands `work`, `index` and `batch` to the thread, which may outlive this
        // loop iteration (and this function).
        handles.push(thread::spawn(move || work(index, batch)));
        let handle = handles.pop().expect("just pushed");
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
