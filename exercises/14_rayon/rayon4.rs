//! # `fold` + `reduce`: a summary per piece of work, not per item
//!
//! To count the words of many lines in parallel, you could turn every line into its own
//! `HashMap` of counts (`map`), `collect` them all and merge them afterwards. That builds
//! a map per line, keeps them all in memory, and merges them on one thread at the end.
//!
//! rayon's `fold(identity, fold_op)` does better: each piece of work starts *one* summary
//! with `identity()` and folds its items into it with `fold_op(summary, item)`; you get
//! back a parallel iterator with one summary per piece, and `reduce(identity, merge)`
//! merges those few, on the threads that made them. Reach for `fold` + `reduce` whenever
//! the summary is costly to create or to combine (collections, buffers, big numbers).
//!
//! `summarise` below builds a summary per item, collects and merges them. Fix it.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/iter/trait.ParallelIterator.html#method.fold>
//! - rust_howto, data parallelism:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;
use std::collections::HashMap;

/// Summarises `items` in parallel on the current pool: each piece of work starts a summary
/// with `empty()` and `add`s its items into it, and the pieces' summaries are `merge`d.
pub fn summarise<T, S, E, A, M>(items: &[T], empty: E, add: A, merge: M) -> S
where
    T: Sync,
    S: Send,
    E: Fn() -> S + Send + Sync,
    A: Fn(S, &T) -> S + Send + Sync,
    M: Fn(S, S) -> S + Send + Sync,
{
    // TODO: this starts a summary for every item, keeps them all in a `Vec`, and merges
    // them on one thread at the end. Start one summary per piece of work instead.
    let summaries: Vec<S> = items.par_iter().map(|item| add(empty(), item)).collect();
    summaries.into_iter().fold(empty(), merge)
}

/// How many times each word (in lower case) appears in `lines`.
pub fn word_counts(lines: &[&str]) -> HashMap<String, usize> {
    summarise(
        lines,
        HashMap::new,
        |mut counts, line| {
            for word in line.split_whitespace() {
                *counts.entry(word.to_lowercase()).or_insert(0) += 1;
            }
            counts
        },
        |mut counts: HashMap<String, usize>, other| {
            for (word, count) in other {
                *counts.entry(word).or_insert(0) += count;
            }
            counts
        },
    )
}

fn main() {
    let text = [
        "The quick brown fox jumps over the lazy dog",
        "the dog sleeps",
        "A fox is quick",
    ];
    let mut counts: Vec<_> = word_counts(&text).into_iter().collect();
    counts.sort_by(|(a, m), (b, n)| n.cmp(m).then(a.cmp(b)));
    for (word, count) in counts {
        println!("{word:>6} {count}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::{ThreadPool, ThreadPoolBuilder};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use threadlings_testkit::Meeting;

    /// A pool of `threads` workers named `<name>-0`, `<name>-1`, ...
    fn test_pool(threads: usize, name: &'static str) -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |index| format!("{name}-{index}"))
            .build()
            .expect("failed to build the test pool")
    }

    /// Panics unless the current thread is one of the workers of the pool named `name`.
    fn assert_on_pool(name: &str) {
        let current = thread::current();
        let thread_name = current.name().unwrap_or("<unnamed>");
        assert!(
            thread_name.starts_with(&format!("{name}-")) && rayon::current_thread_index().is_some(),
            "an item was added on thread {thread_name:?}, not on the caller's pool: use a \
             parallel iterator, which runs on the current pool"
        );
    }

    #[test]
    fn words_are_counted_in_lower_case() {
        let pool = test_pool(3, "words");
        let lines = ["The cat", "the dog and THE cat", "", "dog"];
        let counts = pool.install(|| word_counts(&lines));
        let expected: HashMap<String, usize> = [("the", 3), ("cat", 2), ("dog", 2), ("and", 1)]
            .into_iter()
            .map(|(word, count)| (word.to_string(), count))
            .collect();
        assert_eq!(counts, expected);
    }

    #[test]
    fn every_item_is_added_once_on_the_callers_pool() {
        let pool = test_pool(3, "caller");
        let items: Vec<u64> = (1..=1000).collect();
        let total = pool.install(|| {
            summarise(
                &items,
                || 0,
                |sum, item| {
                    assert_on_pool("caller");
                    sum + item
                },
                |a, b| a + b,
            )
        });
        assert_eq!(total, 500_500);
    }

    #[test]
    fn a_summary_per_piece_of_work_not_per_item() {
        // On a pool of one thread, rayon cuts a thousand items into a few pieces; a
        // summary per item would mean a thousand calls of `empty`.
        let pool = test_pool(1, "pieces");
        let items: Vec<u64> = (1..=1000).collect();
        let summaries = AtomicUsize::new(0);
        let total = pool.install(|| {
            summarise(
                &items,
                || {
                    summaries.fetch_add(1, Ordering::SeqCst);
                    0
                },
                |sum, item| sum + item,
                |a, b| a + b,
            )
        });
        assert_eq!(total, 500_500);
        let summaries = summaries.into_inner();
        assert!(
            summaries < 100,
            "{summaries} summaries were started for 1000 items: start one per piece of work \
             with `fold(empty, add)`, not one per item with `map`"
        );
    }

    #[test]
    fn items_are_added_on_every_pool_thread_at_once() {
        // The first three calls of `add` meet: each waits until three items are being
        // added at the same time, one per pool thread.
        let pool = test_pool(3, "together");
        let meeting = Meeting::new(
            3,
            "the items were added one after another on one thread: fold them with a \
             parallel iterator",
        );
        let items: Vec<u64> = (0..30).collect();
        let total = pool.install(|| {
            summarise(
                &items,
                || 0,
                |sum, item| {
                    assert_on_pool("together");
                    meeting.arrive();
                    sum + item
                },
                |a, b| a + b,
            )
        });
        assert_eq!(total, 435);
    }
}
