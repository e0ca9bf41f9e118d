// WRONG: collects the results only after the scope has joined the workers: they block on the full result channel
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
    let result_rx = result_rx;
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
        // The workers hold clones: the original must go, or the sink below waits for it
        // forever once the workers are done.
        drop(result_tx);
    });
    // Sink: everything has been processed by now.
    result_rx.iter().collect()
}

fn main() {
    let results = pipeline((1..=10).collect(), |worker, item| {
        println!("worker {worker} doubles {item}");
        item * 2
    });
    println!("sink received {results:?}");
}
