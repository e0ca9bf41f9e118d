// ALT: std's single-consumer channel, its Receiver shared behind an `Arc<Mutex<_>>`
//! # crossbeam channels: many consumers share the work
//!
//! `std::sync::mpsc` has a single consumer: its `Receiver` cannot be cloned. The channels
//! of `crossbeam::channel` are *multi-producer, multi-consumer*: both `Sender` and
//! `Receiver` implement `Clone`, so several worker threads can pull jobs from one queue.
//! Each message goes to exactly one receiver, whichever asks first, so the workers share
//! the load by themselves. `unbounded()` and `bounded(n)` build them; the channel closes
//! when every `Sender` is gone (or every `Receiver`), just like std's.
//!
//! `spsc_sum` is the warm-up, already done: one producer, one consumer, an unbounded
//! crossbeam channel. `distribute` still uses std's channel and tries to clone its
//! `Receiver`, which does not compile. Make it share one crossbeam `Receiver` between the
//! workers.
//!
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/>
//! - crossbeam: <https://docs.rs/crossbeam/latest/crossbeam/channel/index.html>
//! - rust_howto, message passing (crossbeam-channel):
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::unbounded;
use std::thread;

/// Warm-up: a producer thread sends `1..=n` over an unbounded channel; the caller receives
/// and adds them up.
pub fn spsc_sum(n: u64) -> u64 {
    let (tx, rx) = unbounded();
    let producer = thread::spawn(move || {
        for i in 1..=n {
            tx.send(i).expect("the consumer hung up");
        }
    });
    let sum = rx.iter().sum();
    producer.join().expect("the producer panicked");
    sum
}

/// Starts `workers` threads sharing one job queue, and feeds every job into it. Each job
/// is handled by exactly one worker, which calls `handle(worker_id, job)`. Returns
/// `(worker_id, handle's result)` for every job, in no particular order.
pub fn distribute<F>(jobs: Vec<u64>, workers: usize, handle: F) -> Vec<(usize, u64)>
where
    F: Fn(usize, u64) -> u64 + Clone + Send + 'static,
{
    let (job_tx, job_rx) = std::sync::mpsc::channel();
    let job_rx = std::sync::Arc::new(std::sync::Mutex::new(job_rx));
    let handles: Vec<_> = (0..workers)
        .map(|id| {
            let job_rx = std::sync::Arc::clone(&job_rx);
            let handle = handle.clone();
            thread::spawn(move || {
                let mut done = Vec::new();
                loop {
                    // The guard is a temporary: the lock is released before the job runs.
                    let next = job_rx.lock().unwrap().recv();
                    let Ok(job) = next else { break };
                    done.push((id, handle(id, job)));
                }
                done
            })
        })
        .collect();

    for job in jobs {
        job_tx.send(job).expect("every worker stopped");
    }
    // Closing the queue ends every worker's loop once the jobs are done.
    drop(job_tx);

    let mut results = Vec::new();
    for worker in handles {
        match worker.join() {
            Ok(done) => results.extend(done),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    results
}

fn main() {
    println!("1 + 2 + ... + 100 = {}", spsc_sum(100));
    let results = distribute((1..=8).collect(), 3, |worker, job| {
        println!("worker {worker} squares {job}");
        job * job
    });
    println!("{results:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn the_warm_up_adds_everything() {
        assert_eq!(spsc_sum(1000), 500_500);
        assert_eq!(spsc_sum(0), 0);
    }

    #[test]
    fn every_job_is_handled_exactly_once() {
        let results = distribute((0..200).collect(), 4, |_, job| job * 10);
        let mut outputs: Vec<u64> = results.iter().map(|&(_, output)| output).collect();
        outputs.sort_unstable();
        assert_eq!(outputs.len(), 200, "wrong number of results");
        assert!(
            outputs.iter().copied().eq((0..200).map(|job| job * 10)),
            "some jobs were lost or handled twice"
        );
        assert!(
            results.iter().all(|&(worker, _)| worker < 4),
            "unknown worker id"
        );
    }

    #[test]
    fn workers_share_the_queue_at_the_same_time() {
        // The first three jobs each wait at the gate, so each one must have been taken by
        // a different worker, all of them running at once.
        let gate = Arc::new(Gate::new("the first three jobs"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`distribute`", move || {
            distribute((0..30).collect(), 3, move |_, job| {
                if job < 3 {
                    held.wait();
                }
                job
            })
        });
        running.until_blocked("its workers were held at the gate", "join the workers");
        let waiting = gate.waiting();
        gate.open();
        assert_eq!(
            waiting, 3,
            "only {waiting} of 3 workers pulled jobs at the same time: start them all \
             before feeding the queue, and give each a clone of the same Receiver"
        );
        let results = running.join();
        let first_three: BTreeSet<usize> = results
            .iter()
            .filter(|&&(_, job)| job < 3)
            .map(|&(worker, _)| worker)
            .collect();
        assert_eq!(first_three.len(), 3, "jobs 0..3 went to distinct workers");
    }

    #[test]
    fn a_busy_worker_does_not_hold_up_the_queue() {
        // Job 0 keeps its worker busy until the test lets it go: the other workers must
        // handle every other job meanwhile, whoever's turn it would have been.
        let gate = Arc::new(Gate::new("job 0"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let handled = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&handled);
        let running = Running::spawn("`distribute`", move || {
            distribute((0..30).collect(), 3, move |_, job| {
                if job == 0 {
                    held.wait();
                }
                count.fetch_add(1, Ordering::SeqCst);
                job
            })
        });
        running.until_blocked("job 0 was held", "join the workers");
        let done = handled.load(Ordering::SeqCst);
        gate.open();
        assert_eq!(
            done, 29,
            "only {done} of the 29 other jobs were handled while one worker was busy: all \
             workers pull from one shared queue (clones of one Receiver), not each from a \
             queue of its own"
        );
        assert_eq!(running.join().len(), 30);
    }

    #[test]
    fn no_jobs_means_no_results() {
        assert_eq!(distribute(Vec::new(), 3, |_, job| job), Vec::new());
    }
}
