// ALT: computes each chunk's start and end from its index (no running remainder), on a `crossbeam::scope`
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

use std::panic;

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
    // Chunk `i` starts after `i` chunks of `base` items and `min(i, extra)` extra ones.
    let start = |index: usize| index * base + index.min(extra);
    crossbeam::scope(|scope| {
        let handles: Vec<_> = (0..chunks)
            .map(|index| {
                let chunk = &items[start(index)..start(index + 1)];
                scope.spawn(move |_| summarize(chunk))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| panic::resume_unwind(panic))
            })
            .collect()
    })
    .unwrap_or_else(|panic| panic::resume_unwind(panic))
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
