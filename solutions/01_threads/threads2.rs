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
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex};
    use std::thread::ThreadId;
    use threadlings_testkit::{Gate, Running};

    /// A batch that can only be moved: it is neither `Clone` nor `Copy`.
    #[derive(Debug, PartialEq, Eq)]
    struct Letters(Vec<String>);

    fn letters(words: &[&str]) -> Letters {
        Letters(words.iter().map(|word| word.to_string()).collect())
    }

    #[test]
    fn every_worker_gets_its_own_batch() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let batches = vec![letters(&["a", "b"]), letters(&[]), letters(&["c"])];
        run_batches(batches, move |index, batch| {
            record.lock().unwrap().push((index, batch));
        });
        let mut seen = std::mem::take(&mut *seen.lock().unwrap());
        seen.sort_unstable_by_key(|(index, _)| *index);
        assert_eq!(
            seen,
            vec![
                (0, letters(&["a", "b"])),
                (1, letters(&[])),
                (2, letters(&["c"])),
            ]
        );
    }

    #[test]
    fn every_batch_runs_on_its_own_thread() {
        let caller = thread::current().id();
        let threads: Arc<Mutex<Vec<ThreadId>>> = Arc::default();
        let record = Arc::clone(&threads);
        run_batches(vec![(); 6], move |_, ()| {
            record.lock().unwrap().push(thread::current().id());
        });
        let threads = threads.lock().unwrap().clone();
        assert_eq!(
            threads.len(),
            6,
            "every batch must be worked on exactly once"
        );
        assert!(
            !threads.contains(&caller),
            "a batch ran on the caller's thread: spawn a thread for it instead of calling \
             `work` directly"
        );
        let distinct: HashSet<ThreadId> = threads.into_iter().collect();
        assert_eq!(
            distinct.len(),
            6,
            "two batches shared a thread: one thread per batch"
        );
    }

    #[test]
    fn workers_run_at_the_same_time() {
        // Every worker waits at the gate until the test opens it: once `run_batches` is
        // blocked, all four must be waiting there together.
        let gate = Arc::new(Gate::new("the workers"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`run_batches`", move || {
            run_batches(vec!["w", "x", "y", "z"], move |_, _| held.wait());
        });
        running.until_blocked(
            "its workers were held at the gate",
            "wait for the workers with `join`",
        );
        assert_eq!(
            gate.waiting(),
            4,
            "only {} of 4 workers were running at the same time: spawn every worker first, \
             keep the JoinHandles, and join them only after the loop",
            gate.waiting()
        );
        gate.open();
        running.join();
    }

    #[test]
    fn returns_only_once_every_worker_has_finished() {
        let gate = Arc::new(Gate::new("the last worker"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let done = Arc::new(Mutex::new(0));
        let count = Arc::clone(&done);
        let running = Running::spawn("`run_batches`", move || {
            run_batches(vec![false, false, true], move |_, last| {
                if last {
                    held.wait();
                }
                *count.lock().unwrap() += 1;
            });
        });
        running.until_blocked(
            "the last worker was still running",
            "join every worker before returning",
        );
        gate.open();
        running.join();
        assert_eq!(*done.lock().unwrap(), 3);
    }

    #[test]
    fn no_batches_no_work() {
        run_batches(Vec::<Letters>::new(), |index, _| {
            panic!("there is no batch, but worker {index} ran")
        });
    }
}
