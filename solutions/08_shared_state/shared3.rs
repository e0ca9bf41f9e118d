//! # Lock scope: drop the guard before the slow work
//!
//! A `MutexGuard` holds the lock until it is dropped, and a guard you never named is a
//! *temporary*: it lives until the end of the statement that created it. For most
//! statements that is the `;`. But the temporaries in the scrutinee of a `while let` or a
//! `match` live until the end of the whole loop body or `match`: in
//! `while let Some(job) = queue.lock().unwrap().pop_front() { work(job) }` the queue stays
//! locked while `work` runs, and every other worker waits for it. The workers take turns
//! instead of working at the same time.
//!
//! Keep a lock for the shortest time that keeps the data consistent: take what you need
//! in a statement of its own (`let next = queue.lock().unwrap().pop_front();`), or
//! `drop(guard)` by hand, then do the slow work with no lock held.
//!
//! - std, `MutexGuard`: <https://doc.rust-lang.org/std/sync/struct.MutexGuard.html>
//! - The Rust reference, temporary scopes:
//!   <https://doc.rust-lang.org/reference/destructors.html#temporary-scopes>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::collections::VecDeque;
use std::sync::Mutex;
use std::thread;

/// Runs `work(job)` for every job, on `workers` threads that take jobs from one shared
/// queue; returns when every job is done.
pub fn run_jobs<J, F>(jobs: impl IntoIterator<Item = J>, workers: usize, work: F)
where
    J: Send,
    F: Fn(J) + Sync,
{
    let queue: Mutex<VecDeque<J>> = Mutex::new(jobs.into_iter().collect());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    // The guard is a temporary of this `let`: it is dropped at the `;`, so
                    // the queue is unlocked before the job runs.
                    let next = queue.lock().expect("a worker panicked").pop_front();
                    let Some(job) = next else { break };
                    work(job);
                }
            });
        }
    });
}

fn main() {
    run_jobs(1..=6, 3, |job: u64| {
        let name = thread::current().id();
        println!("{name:?} computed {job}² = {}", job * job);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use threadlings_testkit::{Gate, Running, ThreadLog};

    #[test]
    fn a_worker_busy_in_work_leaves_the_queue_to_the_others() {
        let gate = Arc::new(Gate::new("job 0's work"));
        let _release = gate.open_on_drop();
        let done = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::new(ThreadLog::new());
        let running = {
            let (gate, done, log) = (Arc::clone(&gate), Arc::clone(&done), Arc::clone(&log));
            Running::spawn("`run_jobs`", move || {
                run_jobs(0..10, 2, move |job: u32| {
                    log.record(job);
                    if job == 0 {
                        gate.wait();
                    }
                    done.lock().unwrap().push(job);
                });
            })
        };
        gate.wait_for_held(1, "no worker ever started job 0");
        running.until_blocked(
            "one worker was busy with job 0",
            "the other worker must run the other jobs meanwhile",
        );
        let others = done.lock().unwrap().len();
        assert_eq!(
            others, 9,
            "while one worker was inside `work` (job 0), the other ran {others} of the 9 \
             other jobs: the queue stayed locked during `work`. A guard in the scrutinee of \
             a `while let` or `match`, or a named guard, lives until the end of the loop \
             body: take the job in a `let` statement of its own, then run it"
        );
        gate.open();
        running.join();
        assert_eq!(done.lock().unwrap().len(), 10);
        log.assert_distinct_threads(
            2,
            "`run_jobs` must run the jobs on exactly `workers` threads that share the queue",
        );
    }

    #[test]
    fn every_job_runs_exactly_once() {
        let done = Mutex::new(Vec::new());
        run_jobs(0..500, 4, |job: u32| done.lock().unwrap().push(job));
        let mut done = done.into_inner().unwrap();
        done.sort_unstable();
        assert_eq!(done, (0..500).collect::<Vec<_>>());
    }

    #[test]
    fn no_jobs_no_work() {
        run_jobs(Vec::<u32>::new(), 3, |job| panic!("ran job {job}"));
    }
}
