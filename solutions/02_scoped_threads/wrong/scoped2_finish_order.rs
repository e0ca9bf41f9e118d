// WRONG: collects results over a channel, in the order the threads finish
//! # Splitting work evenly across N scoped workers
//!
//! threads3 cut the work into chunks of a given length. Usually you know the number of
//! workers instead (one per core, say) and must derive the chunks, and the edges bite:
//! an empty slice, fewer items than workers. Rounding up (`len.div_ceil(workers)`) looks
//! right but wastes workers: 9 items on 4 workers give chunks of 3, 3 and 3, and the
//! fourth worker idles. Split `len` into `min(workers, len)` chunks whose lengths differ
//! by at most one: 9 on 4 is 3, 2, 2, 2, and every worker gets a share. An empty slice
//! needs no worker at all.
//!
//! With scoped threads the chunks are plain sub-slices (`split_at`), borrowed, not copied,
//! and each result comes back through its `ScopedJoinHandle<T>`: collect the handles, then
//! join them in order, as in threads3.
//!
//! - std: <https://doc.rust-lang.org/std/thread/struct.ScopedJoinHandle.html>,
//!   <https://doc.rust-lang.org/std/primitive.slice.html#method.split_at>,
//!   <https://doc.rust-lang.org/std/thread/fn.available_parallelism.html>
//! - rust_howto, scoped threads:
//!   <https://john-cd.com/rust_howto/categories/concurrency/explicit_threads.html#scoped-threads>

use std::thread;

/// Splits `items` into `min(workers, items.len())` contiguous chunks whose lengths differ
/// by at most one (the longer ones first), runs `summarize` on every chunk, each on its
/// own scoped thread, all at the same time, and returns the results in chunk order. An
/// empty slice gives no chunk and starts no thread.
///
/// # Panics
/// If `workers` is 0, or (with its original message) if `summarize` panics.
pub fn split_work<T, R, F>(items: &[T], workers: usize, summarize: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync,
{
    assert!(workers > 0, "split_work needs at least one worker");
    if items.is_empty() {
        return Vec::new();
    }
    let chunks = workers.min(items.len());
    // `items.len() = base * chunks + extra`: the first `extra` chunks get one more item.
    let (base, extra) = (items.len() / chunks, items.len() % chunks);
    let summarize = &summarize;
    let mut rest = items;
    thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        for index in 0..chunks {
            let (chunk, tail) = rest.split_at(base + usize::from(index < extra));
            rest = tail;
            let tx = tx.clone();
            scope.spawn(move || tx.send(summarize(chunk)).unwrap());
        }
        drop(tx);
        rx.iter().collect()
    })
}

/// The largest item, found by `workers` threads that each search one chunk.
pub fn parallel_max(items: &[i64], workers: usize) -> Option<i64> {
    split_work(items, workers, |chunk| chunk.iter().copied().max())
        .into_iter()
        .flatten()
        .max()
}

fn main() {
    let readings = [12, -4, 99, 7, 35, 61, 0, 88, 23];
    let chunks = split_work(&readings, 4, <[i64]>::to_vec);
    println!("9 readings on 4 workers: {chunks:?}");
    println!("largest reading: {:?}", parallel_max(&readings, 4));
    println!("largest of nothing: {:?}", parallel_max(&[], 4));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam::channel;
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn results_come_back_in_chunk_order() {
        let items: Vec<u32> = (1..=10).collect();
        let chunks = split_work(&items, 4, <[u32]>::to_vec);
        assert_eq!(
            chunks,
            [vec![1, 2, 3], vec![4, 5, 6], vec![7, 8], vec![9, 10]]
        );
    }

    #[test]
    fn results_stay_in_chunk_order_when_chunks_finish_out_of_order() {
        // The first chunk may only finish after the last one has: a result list built in
        // the order the threads finish would start with the last chunk.
        let running = Running::spawn("`split_work`", || {
            let (last_done, wait_for_last) = channel::bounded::<()>(1);
            split_work(&[0, 1, 2, 3], 4, move |chunk| {
                match chunk[0] {
                    // `last_done` lives as long as this closure: `recv` never fails.
                    0 => wait_for_last.recv().unwrap(),
                    3 => last_done.send(()).unwrap(),
                    _ => {}
                }
                chunk[0] * 10
            })
        });
        running.until_finished(
            "the first chunk waited for the last one, which never ran: spawn every chunk's \
             thread before joining any",
        );
        assert_eq!(running.join(), [0, 10, 20, 30]);
    }

    #[test]
    fn every_worker_gets_a_chunk_when_there_are_enough_items() {
        // 9 items on 4 workers: all four must be busy, at the same time.
        let gate = Arc::new(Gate::new("the workers"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`split_work`", move || {
            split_work(&[1, 2, 3, 4, 5, 6, 7, 8, 9], 4, |chunk| {
                held.wait();
                chunk.len()
            })
        });
        running.until_blocked(
            "its workers were held at the gate",
            "let the scope join the workers",
        );
        assert_eq!(
            gate.waiting(),
            4,
            "only {} of 4 chunks ran at the same time: 9 items on 4 workers are 4 chunks \
             (3, 2, 2, 2), each on its own thread, all spawned before the first join",
            gate.waiting()
        );
        gate.open();
        assert_eq!(running.join(), [3, 2, 2, 2]);
    }

    #[test]
    fn chunk_lengths_differ_by_at_most_one() {
        for len in 0..=20_u32 {
            let items: Vec<u32> = (0..len).collect();
            for workers in 1..=8 {
                let chunks = split_work(&items, workers, <[u32]>::to_vec);
                let lengths: Vec<usize> = chunks.iter().map(Vec::len).collect();
                let case = format!("{len} items on {workers} workers gave chunks of {lengths:?}");
                assert_eq!(chunks.len(), workers.min(items.len()), "{case}");
                assert!(
                    lengths.iter().all(|&n| n > 0),
                    "no chunk may be empty: {case}"
                );
                assert!(
                    lengths.windows(2).all(|w| w[0] == w[1] || w[0] == w[1] + 1),
                    "{case}"
                );
                assert_eq!(
                    chunks.concat(),
                    items,
                    "the chunks cover the items, in order: {case}"
                );
            }
        }
    }

    #[test]
    fn an_empty_slice_needs_no_worker() {
        let results = split_work(&[] as &[u8], 4, |chunk| {
            panic!("an empty slice has no chunks, but a worker got {chunk:?}")
        });
        assert!(results.is_empty());
    }

    #[test]
    fn fewer_items_than_workers_gives_one_chunk_per_item() {
        let lengths = split_work(&['a', 'b'], 5, <[char]>::len);
        assert_eq!(lengths, [1, 1], "no chunk may be empty");
    }

    #[test]
    fn parallel_max_finds_the_largest_item() {
        let items = [3, -7, 42, 0, 41, 42, -100];
        for workers in 1..=9 {
            assert_eq!(parallel_max(&items, workers), Some(42), "{workers} workers");
        }
        assert_eq!(parallel_max(&[], 3), None);
    }
}
