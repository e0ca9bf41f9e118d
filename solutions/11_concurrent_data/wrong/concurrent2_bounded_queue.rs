// WRONG: an ArrayQueue sized for the first jobs: follow-ups that do not fit are dropped

use crossbeam::queue::{ArrayQueue, SegQueue};
use std::thread;

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
    let jobs: Vec<J> = jobs.into_iter().collect();
    let queue = ArrayQueue::new(jobs.len().max(1));
    for job in jobs {
        let _ = queue.push(job);
    }
    let results = SegQueue::new();
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(job) = queue.pop() {
                    let (result, follow_ups) = run(job);
                    results.push(result);
                    for follow_up in follow_ups {
                        let _ = queue.push(follow_up);
                    }
                }
            });
        }
    });
    results.into_iter().collect()
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
