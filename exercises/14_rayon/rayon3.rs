//! # Filter, map, reduce, and the identity
//!
//! A parallel iterator has the adapters you know (`filter`, `map`, ...), and instead of
//! `fold(init, f)` it ends with `reduce(identity, op)`: each piece of work starts from
//! its own `identity()`, combines its items with `op`, and the pieces' results are then
//! combined with `op` too, in whatever grouping the threads finished in. So:
//!
//! - `identity()` is called once *per piece*, not once in all: it must be neutral
//!   (`0` for `+`, `1` for `*`, an empty collection), never a starting value;
//! - `op` must be associative, as `+` is: `(a + b) + c == a + (b + c)`.
//!
//! A sequential `fold(opening, ...)` becomes a parallel `reduce(|| 0, ...)` (or `sum`)
//! with `opening` added once, at the end. `closing_balance` below is still sequential.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/iter/trait.ParallelIterator.html#method.reduce>
//! - rust_howto, map-reduce in parallel:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;

/// `opening` plus the `amount` of every entry that `keep` accepts, computed in parallel
/// on the current pool.
pub fn closing_balance<T, K, A>(opening: i64, entries: &[T], keep: K, amount: A) -> i64
where
    T: Sync,
    K: Fn(&T) -> bool + Send + Sync,
    A: Fn(&T) -> i64 + Send + Sync,
{
    // TODO: make this a parallel iterator. A parallel iterator has no `fold(init, f)`
    // that gives one value: end it with `reduce(identity, op)` or `sum`, and think about
    // where `opening` goes.
    entries
        .iter()
        .filter(|entry| keep(entry))
        .map(amount)
        .fold(opening, |a, b| a + b)
}

/// A line of a bank statement.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// In cents: positive for money in, negative for money out.
    pub amount: i64,
    /// Whether the bank has cleared it yet.
    pub cleared: bool,
}

/// The balance once every cleared entry is counted.
pub fn cleared_balance(opening: i64, entries: &[Entry]) -> i64 {
    closing_balance(
        opening,
        entries,
        |entry| entry.cleared,
        |entry| entry.amount,
    )
}

fn main() {
    let entries: Vec<Entry> = (1..=10_000)
        .map(|n| Entry {
            amount: if n % 3 == 0 { -n } else { n },
            cleared: n % 7 != 0,
        })
        .collect();
    println!(
        "opening 1000, cleared balance {}",
        cleared_balance(1000, &entries)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::{ThreadPool, ThreadPoolBuilder};
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
            "an entry was looked at on thread {thread_name:?}, not on the caller's pool: use \
             a parallel iterator, which runs on the current pool"
        );
    }

    fn statement(count: i64) -> Vec<Entry> {
        (1..=count)
            .map(|n| Entry {
                amount: if n % 3 == 0 { -n } else { n },
                cleared: n % 7 != 0,
            })
            .collect()
    }

    #[test]
    fn only_cleared_entries_count() {
        let pool = test_pool(2, "cleared");
        let entries = [
            Entry {
                amount: 500,
                cleared: true,
            },
            Entry {
                amount: -200,
                cleared: false,
            },
            Entry {
                amount: -120,
                cleared: true,
            },
        ];
        assert_eq!(pool.install(|| cleared_balance(1000, &entries)), 1380);
    }

    #[test]
    fn the_opening_balance_counts_once_however_the_work_is_split() {
        // Four threads split a thousand entries into several pieces, every run.
        let pool = test_pool(4, "opening");
        let entries = statement(1000);
        let expected = 10_000
            + entries
                .iter()
                .filter(|entry| entry.cleared)
                .map(|entry| entry.amount)
                .sum::<i64>();
        assert_eq!(
            pool.install(|| cleared_balance(10_000, &entries)),
            expected,
            "the opening balance must be added exactly once: the identity of a parallel \
             reduction is used once per piece of work, so it must be 0"
        );
    }

    #[test]
    fn with_nothing_to_count_the_balance_is_the_opening_one() {
        let pool = test_pool(3, "nothing");
        let entries = statement(50);
        assert_eq!(
            pool.install(|| closing_balance(-42, &entries, |_| false, |entry| entry.amount)),
            -42
        );
        assert_eq!(pool.install(|| cleared_balance(7, &[])), 7);
    }

    #[test]
    fn entries_are_filtered_on_every_pool_thread_at_once() {
        // The first three calls of `keep` meet: each waits until three entries are being
        // looked at the same time, one per pool thread.
        let pool = test_pool(3, "together");
        let meeting = Meeting::new(
            3,
            "the entries were looked at one after another on one thread: use `par_iter()` \
             and end with `reduce` (or `sum`) instead of `fold`",
        );
        let entries = statement(30);
        let balance = pool.install(|| {
            closing_balance(
                0,
                &entries,
                |entry| {
                    assert_on_pool("together");
                    meeting.arrive();
                    entry.cleared
                },
                |entry| entry.amount,
            )
        });
        assert_eq!(
            balance,
            entries
                .iter()
                .filter(|entry| entry.cleared)
                .map(|entry| entry.amount)
                .sum::<i64>()
        );
    }
}
