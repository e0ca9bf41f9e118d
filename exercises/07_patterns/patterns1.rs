//! # A parallel pipeline
//!
//! A pipeline splits a job into stages connected by channels: a *source* produces items,
//! *workers* transform them, a *sink* collects the results. Every stage runs on its own
//! thread, so all stages work at the same time on different items. With crossbeam's
//! `bounded(1)` channels no stage can run far ahead of the next one (back-pressure), and
//! because crossbeam receivers can be cloned, two workers can share one input channel.
//!
//! Shutdown needs no "stop" message: it flows down the pipeline by disconnection. The
//! source drops its `Sender` when it is done, which ends the workers' loops; when the
//! last worker drops its result `Sender`, the sink's loop ends. One `Sender` kept alive
//! by mistake, and that stage waits forever.
//!
//! `pipeline` below gets every result but never returns. Find the sender that keeps the
//! sink waiting.
//!
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/fn.bounded.html>
//! - std, scoped threads: <https://doc.rust-lang.org/std/thread/fn.scope.html>
//! - rust_howto, crossbeam (parallel pipeline):
//!   <https://john-cd.com/rust_howto/categories/concurrency/crossbeam.html>

use crossbeam::channel::bounded;
use std::thread;

/// Sends every item through a pipeline: a source thread, two worker threads that both
/// take items from the source's channel and compute `work(worker_id, item)`, and the
/// caller's thread as the sink. Returns every `(worker_id, result)` in the order the sink
/// received them, once the pipeline has drained.
pub fn pipeline<F>(items: Vec<u64>, work: F) -> Vec<(usize, u64)>
where
    F: Fn(usize, u64) -> u64 + Sync,
{
    let (item_tx, item_rx) = bounded(1);
    let (result_tx, result_rx) = bounded(1);
    let work = &work;
    thread::scope(|s| {
        // Source: its Sender is dropped when this thread ends, which closes `item_rx`.
        s.spawn(move || {
            for item in items {
                item_tx.send(item).expect("the workers stopped");
            }
        });
        // Two workers share the source's channel; each sends into its own clone of the
        // result Sender, dropped when the worker ends.
        for id in 0..2 {
            let (item_rx, result_tx) = (item_rx.clone(), result_tx.clone());
            s.spawn(move || {
                for item in item_rx {
                    result_tx
                        .send((id, work(id, item)))
                        .expect("the sink stopped");
                }
            });
        }
        // Only the workers receive items. Should they all stop, the source's `send` then
        // fails instead of waiting forever for a receiver.
        drop(item_rx);
        // Sink: ends when every result Sender is gone.
        // TODO: is every result Sender gone once both workers are done?
        result_rx.iter().collect()
    })
}

fn main() {
    let results = pipeline((1..=10).collect(), |worker, item| {
        println!("worker {worker} doubles {item}");
        item * 2
    });
    println!("sink received {results:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};
    use threadlings_testkit::{Gate, Running};

    const STUCK: &str = "once both workers are done, the sink still waits: every result \
                         Sender must be gone, the caller's own included, and the sink must \
                         receive while the workers run (a bounded channel holds one result)";

    #[test]
    fn every_item_comes_out_transformed() {
        let running = Running::spawn("`pipeline`", || {
            pipeline((0..100).collect(), |_, item| item * 2)
        });
        running.until_finished(STUCK);
        let results = running.join();
        let mut outputs: Vec<u64> = results.iter().map(|&(_, output)| output).collect();
        outputs.sort_unstable();
        assert_eq!(outputs.len(), 100, "wrong number of results");
        assert!(
            outputs.iter().copied().eq((0..100).map(|item| item * 2)),
            "some items were lost or processed twice"
        );
    }

    #[test]
    fn both_workers_work_at_the_same_time() {
        // Each worker is held at the gate on its first item: once the pipeline is blocked,
        // both must be waiting there, which is only possible if both are running and both
        // got work.
        let gate = Arc::new(Gate::new("each worker's first item"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`pipeline`", move || {
            let seen = Mutex::new(BTreeSet::new());
            pipeline((0..20).collect(), |worker, item| {
                if seen.lock().unwrap().insert(worker) {
                    held.wait();
                }
                item
            })
        });
        running.until_blocked(
            "its workers were held at the gate",
            "the sink waits for results blocked in `recv` (`iter()`), not with a timeout",
        );
        let waiting = gate.waiting();
        gate.open();
        assert_eq!(
            waiting, 2,
            "only {waiting} of 2 workers were working at the same time: both must take \
             items from the source's channel, each on its own thread"
        );
        running.until_finished(STUCK);
        let workers: BTreeSet<usize> = running.join().iter().map(|&(worker, _)| worker).collect();
        assert_eq!(
            workers,
            BTreeSet::from([0, 1]),
            "both workers produced results"
        );
    }

    #[test]
    fn an_empty_source_ends_the_pipeline_at_once() {
        let running = Running::spawn("`pipeline`", || pipeline(Vec::new(), |_, item| item));
        running.until_finished(STUCK);
        assert_eq!(running.join(), Vec::new());
    }
}
