// WRONG: joins each worker right after spawning it, so the workers never overlap
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
    for id in 0..workers {
        let work = work.clone();
        let handle = thread::spawn(move || work(id));
        // Re-raise a worker's panic in the caller, with its original message.
        if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

fn main() {
    run_workers(4, |id| println!("worker {id} says hello"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn every_worker_runs_exactly_once() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        run_workers(8, move |id| record.lock().unwrap().push(id));
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn workers_run_at_the_same_time() {
        // Every worker waits at the gate until the test opens it. Once `run_workers` is
        // blocked, all four must be waiting there together, which is only possible if all
        // four threads are alive at once.
        let gate = Arc::new(Gate::new("the workers"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`run_workers`", move || {
            run_workers(4, move |_| held.wait());
        });
        running.until_blocked(
            "its workers were held at the gate",
            "wait for the workers with `join`",
        );
        assert_eq!(
            gate.waiting(),
            4,
            "only {} of 4 workers were running at the same time: each worker was joined \
             right after it was spawned, so the next one could not start. Spawn them all, \
             keep the JoinHandles, then join",
            gate.waiting()
        );
        gate.open();
        running.join();
    }

    #[test]
    fn returns_only_once_every_worker_has_finished() {
        // Worker 2 is held until the test lets it go: `run_workers` must still be waiting
        // for it then, however long that takes.
        let gate = Arc::new(Gate::new("worker 2"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let finished = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&finished);
        let running = Running::spawn("`run_workers`", move || {
            run_workers(3, move |id| {
                if id == 2 {
                    held.wait();
                }
                record.lock().unwrap().push(id);
            });
        });
        running.until_blocked(
            "worker 2 was still running",
            "join every worker before returning: a `sleep` only guesses how long they take, \
             and a thread that is never joined may still be running",
        );
        gate.open();
        running.join();
        let mut finished = finished.lock().unwrap().clone();
        finished.sort_unstable();
        assert_eq!(
            finished,
            [0, 1, 2],
            "every worker finished before `run_workers` returned"
        );
    }

    #[test]
    fn a_worker_panic_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| {
            run_workers(3, |id| {
                if id == 1 {
                    panic!("worker 1 failed on purpose");
                }
            });
        });
        assert!(
            caught.is_err(),
            "worker 1 panicked, but `run_workers` returned normally: a panicking worker's \
             `join` returns `Err`; pass the panic on instead of ignoring it"
        );
    }

    #[test]
    fn zero_workers_is_fine() {
        run_workers(0, |id| panic!("no worker should run, but worker {id} did"));
    }
}
