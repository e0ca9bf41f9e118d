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
/// time, and returns once every worker has finished.
pub fn run_workers<F>(workers: usize, work: F)
where
    F: Fn(usize) + Clone + Send + 'static,
{
    for id in 0..workers {
        let work = work.clone();
        let handle = thread::spawn(move || work(id));
        // TODO: joining here waits for this worker before the next one is even spawned.
        handle.join().expect("a worker panicked");
    }
}

fn main() {
    run_workers(4, |id| println!("worker {id} says hello"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use threadlings_testkit::Rendezvous;

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
        // Every worker must reach the rendezvous before any of them may leave it, which is
        // only possible if all four threads are alive at once.
        let meeting = Arc::new(Rendezvous::new(
            4,
            "each worker was joined right after it was spawned, so the next one could not \
             start: spawn them all, keep the JoinHandles, then join",
        ));
        let at_meeting = Arc::clone(&meeting);
        run_workers(4, move |_| at_meeting.arrive());
        assert_eq!(meeting.arrived(), 4);
    }

    #[test]
    fn zero_workers_is_fine() {
        run_workers(0, |id| panic!("no worker should run, but worker {id} did"));
    }
}
