//! # From a sequential source: `par_bridge`
//!
//! `par_iter` needs the whole collection up front, to cut it into pieces. Lines read from
//! a file or a socket, messages from a channel, entries of a directory walk come one at a
//! time from a plain `Iterator`, and you may not know how many there will be.
//! `iterator.par_bridge()` turns any `Iterator + Send` into a parallel iterator: the pool's
//! threads take turns pulling the next item from it (under a lock), and process the items
//! in parallel *as they arrive*, while the source is still producing.
//!
//! Two things are lost on the way: the order (results come in whatever order the threads
//! finish; sort them if it matters) and the length (no `par_chunks`, no `zip`). Collecting
//! the source into a `Vec` first, to use `par_iter`, would wait for the source to end
//! before processing anything: for a channel, that is when every sender is gone.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/iter/trait.ParallelBridge.html>
//! - rust_howto, data parallelism:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;
use std::io::BufRead;

/// `process` applied to every item `source` yields, in parallel on the current pool, each
/// item as soon as it arrives. The results come back in no particular order.
pub fn process_stream<I, R, F>(source: I, process: F) -> Vec<R>
where
    I: Iterator + Send,
    I::Item: Send,
    R: Send,
    F: Fn(I::Item) -> R + Send + Sync,
{
    // TODO: this waits for the source to end before it processes anything. Process each
    // item as it arrives, on the pool.
    let items: Vec<I::Item> = source.collect();
    items.into_par_iter().map(process).collect()
}

/// How many words `reader` holds, its lines counted in parallel as they are read.
pub fn total_words(reader: impl BufRead + Send) -> usize {
    let counts = process_stream(reader.lines().map_while(Result::ok), |line| {
        line.split_whitespace().count()
    });
    counts.into_iter().sum()
}

fn main() {
    let text = "the quick brown fox\njumps over\nthe lazy dog\n".repeat(1000);
    println!(
        "{} words",
        total_words(std::io::Cursor::new(text.into_bytes()))
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::{ThreadPool, ThreadPoolBuilder};
    use std::sync::{Arc, mpsc};
    use std::thread;
    use threadlings_testkit::{Gate, Running};

    /// A pool of `threads` workers named `<name>-0`, `<name>-1`, ...
    fn test_pool(threads: usize, name: &'static str) -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |index| format!("{name}-{index}"))
            .build()
            .expect("failed to build the test pool")
    }

    #[test]
    fn every_item_is_processed_once() {
        let pool = test_pool(3, "items");
        // A plain iterator, of a length rayon cannot know.
        let source = (0..1000_u64).filter(|n| n % 3 != 0);
        let mut results = pool.install(|| process_stream(source, |n| n * 2));
        results.sort_unstable();
        let expected: Vec<u64> = (0..1000).filter(|n| n % 3 != 0).map(|n| n * 2).collect();
        assert_eq!(results, expected);
        assert!(
            pool.install(|| process_stream(std::iter::empty::<u8>(), |n| n))
                .is_empty()
        );
    }

    #[test]
    fn the_words_of_every_line_are_counted() {
        let pool = test_pool(2, "words");
        let text = "one two three\n\nfour\n five  six \n".repeat(50);
        let reader = std::io::Cursor::new(text.into_bytes());
        assert_eq!(pool.install(|| total_words(reader)), 300);
    }

    #[test]
    fn items_are_processed_on_the_callers_pool() {
        let pool = test_pool(3, "caller");
        let names = pool
            .install(|| process_stream(0..200, |_| thread::current().name().map(str::to_string)));
        assert_eq!(names.len(), 200);
        for name in names {
            assert!(
                name.as_deref()
                    .is_some_and(|name| name.starts_with("caller-")),
                "an item was processed on thread {name:?}, not on the caller's pool: use \
                 `par_bridge`, which runs on the current pool"
            );
        }
    }

    #[test]
    fn items_are_processed_at_once_while_the_source_is_still_open() {
        // Three items are in the channel, and the test keeps its Sender: the source has
        // not ended. Each item waits at the gate when it is processed: once everything is
        // blocked, all three must be there, on the pool's three threads.
        let (tx, rx) = mpsc::channel();
        for item in 0..3_u64 {
            tx.send(item).unwrap();
        }
        let gate = Arc::new(Gate::new("the items being processed"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        // The pool is built on the watched thread, so its workers are watched too.
        let running = Running::spawn("`process_stream`", move || {
            test_pool(3, "stream").install(|| {
                process_stream(rx.into_iter(), |item| {
                    held.wait();
                    item * 10
                })
            })
        });
        running.until_blocked(
            "its items were held at the gate and its source was still open",
            "wait for the items",
        );
        let held_at_once = gate.waiting();
        gate.open();
        assert!(
            held_at_once > 0,
            "no item was processed while the source was still open: with `par_bridge` the \
             pool processes items as the source yields them; collecting the source first \
             waits for it to end"
        );
        assert_eq!(
            held_at_once, 3,
            "only {held_at_once} of 3 items were processed at the same time: process them \
             on the pool with `par_bridge`, not one after another"
        );
        tx.send(3).unwrap();
        drop(tx);
        let mut results = running.join();
        results.sort_unstable();
        assert_eq!(results, [0, 10, 20, 30]);
    }
}
