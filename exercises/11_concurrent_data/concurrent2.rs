//! # An unbounded work list: `SegQueue`
//!
//! `crossbeam::queue::SegQueue<T>` is an unbounded lock-free MPMC queue: `push` always
//! succeeds (it grows in segments), and `pop` returns `None` when it is empty right now.
//! It suits a work list that grows while it is being worked on, e.g. a crawl: each page
//! yields links to more pages. A bounded queue could refuse a follow-up; a channel would
//! need someone to close it.
//!
//! The pattern: push the first jobs, start the workers, and let each one loop on
//! `while let Some(job) = queue.pop()`, pushing the follow-ups its job produces. One
//! queue for all workers means a slow job holds up only the worker running it: the
//! others keep taking jobs. A worker that finds the queue empty can simply stop: every
//! follow-up is pushed by a worker that is still running, and that worker pops again
//! before it stops, so no job is left behind. (The price: near the end, follow-ups may
//! run on fewer workers. A pool with work stealing, like rayon's, avoids that.)
//!
//! - crossbeam: <https://docs.rs/crossbeam/0.8/crossbeam/queue/struct.SegQueue.html>
//! - rust_howto, concurrent data structures:
//!   <https://john-cd.com/rust_howto/categories/concurrency/concurrent_data_structures.html>

// TODO: you will need `crossbeam::queue::SegQueue` and `std::thread`.

/// Runs every job of `jobs`, and every follow-up job they produce, on `workers` threads
/// that share one queue. `run` returns a job's result and its follow-ups. The results
/// come back in no particular order.
pub fn run_all<J, R>(
    jobs: impl IntoIterator<Item = J>,
    workers: usize,
    run: impl Fn(J) -> (R, Vec<J>) + Sync,
) -> Vec<R>
where
    J: Send,
    R: Send,
{
    assert!(workers > 0, "at least one worker");
    // TODO: every job runs on this one thread. Put the jobs in one `SegQueue`, start
    // `workers` scoped threads, and let each pop jobs (pushing their follow-ups) until the
    // queue is empty. Collect the results in a second `SegQueue`.
    let mut pending: Vec<J> = jobs.into_iter().collect();
    let mut results = Vec::new();
    while let Some(job) = pending.pop() {
        let (result, follow_ups) = run(job);
        results.push(result);
        pending.extend(follow_ups);
    }
    results
}

fn main() {
    // A tiny "crawl": page n links to pages 2n and 2n + 1, up to page 15.
    let mut pages = run_all([1_u32], 3, |page| {
        let links = if page < 8 {
            vec![2 * page, 2 * page + 1]
        } else {
            vec![]
        };
        (page, links)
    });
    pages.sort_unstable();
    println!("visited {pages:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn every_job_and_follow_up_runs_exactly_once() {
        // Job n (below 32) has the follow-ups 2n and 2n + 1: the jobs 1 to 63 in all.
        let mut results = run_all([1_u32], 4, |n| {
            let follow_ups = if n < 32 {
                vec![2 * n, 2 * n + 1]
            } else {
                vec![]
            };
            (n, follow_ups)
        });
        results.sort_unstable();
        assert_eq!(
            results,
            (1..64).collect::<Vec<_>>(),
            "every job and every follow-up, exactly once"
        );
    }

    #[test]
    fn a_slow_job_never_holds_up_the_others() {
        let gate = Arc::new(Gate::new("job 0"));
        let _release = gate.open_on_drop();
        let done = Arc::new(AtomicUsize::new(0));
        let running = {
            let (gate, done) = (Arc::clone(&gate), Arc::clone(&done));
            Running::spawn("`run_all`", move || {
                run_all(0..8, 2, |n: u32| {
                    if n == 0 {
                        gate.wait();
                    } else {
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                    (n, vec![])
                })
            })
        };
        running.until_blocked(
            "job 0 was held",
            "the workers did not go on with the other jobs",
        );
        let others = done.load(Ordering::SeqCst);
        gate.open();
        assert_eq!(
            others, 7,
            "only {others} of the 7 other jobs ran while job 0 was held: the workers must \
             share one queue, so that a free worker takes any job"
        );
        let mut results = running.join();
        results.sort_unstable();
        assert_eq!(results, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn exactly_the_given_number_of_workers_run_at_once() {
        let gate = Arc::new(Gate::new("the jobs"));
        let _release = gate.open_on_drop();
        let running = {
            let gate = Arc::clone(&gate);
            Running::spawn("`run_all`", move || {
                run_all(0..9, 3, |n: u32| {
                    gate.wait();
                    (n, vec![])
                })
            })
        };
        running.until_blocked(
            "every job was held",
            "start the workers, then let them wait",
        );
        let held = gate.waiting();
        gate.open();
        assert_eq!(
            held, 3,
            "{held} jobs ran at once with 3 workers: start exactly `workers` threads, each \
             taking jobs from the shared queue"
        );
        assert_eq!(running.join().len(), 9);
    }

    #[test]
    fn no_jobs_no_results() {
        let results: Vec<u8> = run_all(Vec::<u8>::new(), 2, |n| (n, vec![]));
        assert!(results.is_empty());
    }
}
