// WRONG: processes every item on the dispatcher's own thread: the pool is never used
//! # Capstone: a streaming pipeline on a thread pool
//!
//! Time to combine it all: a three-stage pipeline that streams items from a source,
//! through a CPU-heavy step on a rayon pool, to a sink.
//!
//! 1. A *reader* thread pulls items from `source` and sends them into a `bounded` channel,
//!    so it never runs far ahead of the rest.
//! 2. A *dispatcher* thread takes each item from that channel and spawns a task on the
//!    pool: `pool.in_place_scope(|tasks| for item in items { tasks.spawn(...) })` runs its
//!    loop on the dispatcher's own thread and the tasks on the pool, and returns only once
//!    every task has finished. Never block a pool thread waiting on a channel: that thread
//!    is lost to the pool for as long as it waits.
//! 3. Each task sends its result into a results channel; the *sink*, on the caller's
//!    thread, hands results to `sink` as they arrive.
//!
//! All stages run at the same time, and shutdown flows by disconnection: the source runs
//! dry, the reader drops its Sender, the dispatcher's loop ends, it waits for its tasks and
//! drops the last result Sender, and the sink's loop ends. `std::thread::scope` lets the
//! stages borrow `process` and the pool.
//!
//! `run_pipeline` does the work one stage after another, on a single pool thread. Make it
//! a real pipeline.
//!
//! - rayon: <https://docs.rs/rayon/latest/rayon/struct.ThreadPool.html#method.in_place_scope>
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/>
//! - rust_howto, thread pools and message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{bounded, unbounded};
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::thread;

/// How many items may wait between the reader and the dispatcher.
const CAPACITY: usize = 4;

/// Streams every item of `source` through `process`, run on `pool`, and hands each result
/// to `sink` as soon as it is ready (in no particular order). Returns how many results
/// reached the sink, once every stage has finished.
pub fn run_pipeline<T, R, I, P, S>(pool: &ThreadPool, source: I, process: P, mut sink: S) -> usize
where
    I: IntoIterator<Item = T>,
    I::IntoIter: Send,
    T: Send,
    R: Send,
    P: Fn(T) -> R + Sync,
    S: FnMut(R),
{
    let (item_tx, item_rx) = bounded(CAPACITY);
    let (result_tx, result_rx) = unbounded();
    let source = source.into_iter();
    let process = &process;
    thread::scope(|stages| {
        // Stage 1, the reader. Dropping `item_tx` at the end closes the item channel.
        stages.spawn(move || {
            for item in source {
                if item_tx.send(item).is_err() {
                    break;
                }
            }
        });
        // Stage 2, the dispatcher: its loop runs here, on its own thread; only the tasks
        // run on the pool. `in_place_scope` returns once every task has finished, and the
        // last result Sender is dropped with this closure.
        stages.spawn(move || {
            let _ = pool;
            for item in item_rx {
                let _ = result_tx.send(process(item));
            }
        });
        // Stage 3, the sink, on the caller's thread: ends when every result Sender is gone.
        let mut delivered = 0;
        for result in result_rx {
            sink(result);
            delivered += 1;
        }
        delivered
    })
}

fn main() {
    let pool = ThreadPoolBuilder::new()
        .num_threads(3)
        .thread_name(|i| format!("counter-{i}"))
        .build()
        .expect("could not build the pool");
    let lines = (1..=8).map(|n| "the quick brown fox jumps over the lazy dog ".repeat(n));
    let mut total_words = 0;
    let delivered = run_pipeline(
        &pool,
        lines,
        |line| {
            let name = thread::current().name().unwrap_or("?").to_string();
            (line.split_whitespace().count(), name)
        },
        |(words, worker)| {
            println!("{worker} counted {words} words");
            total_words += words;
        },
    );
    println!("{delivered} lines, {total_words} words");
}
