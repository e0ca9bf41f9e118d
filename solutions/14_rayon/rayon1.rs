//! # Data parallelism: `par_iter().map().sum()`
//!
//! Many loops do the same independent work for every item and add the results up. rayon
//! turns such a loop into a *parallel iterator* by changing one word: `iter()` becomes
//! `par_iter()` (from `use rayon::prelude::*`). rayon then cuts the slice into pieces,
//! its worker threads take pieces from each other as they become free (*work stealing*),
//! and `sum()` adds the partial sums together. The closure runs on several threads at
//! once, so it must be `Send + Sync`, and the items `Sync`.
//!
//! A parallel iterator runs on the pool of the current thread: inside `pool.install(..)`
//! that is `pool`, elsewhere rayon's global pool (one thread per core). The tests build
//! their own pools and call `total_cost` inside them: never build or pick a pool here.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/iter/index.html>,
//!   <https://docs.rs/rayon/1/rayon/iter/trait.ParallelIterator.html#method.sum>
//! - rust_howto, data parallelism:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;

/// The sum of `cost(item)` over every item, computed in parallel on the current pool.
pub fn total_cost<T, F>(items: &[T], cost: F) -> u64
where
    T: Sync,
    F: Fn(&T) -> u64 + Send + Sync,
{
    // `par_iter` borrows the items (`&T`) like `iter`; rayon splits the slice among the
    // current pool's threads and `sum` adds their partial sums.
    items.par_iter().map(cost).sum()
}

/// The number of steps the Collatz sequence from `n` takes to reach 1: some numbers take
/// many more steps than their neighbours, so the work per item is uneven.
pub fn collatz_steps(mut n: u64) -> u64 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

fn main() {
    let numbers: Vec<u64> = (1..=100_000).collect();
    let steps = total_cost(&numbers, |&n| collatz_steps(n));
    println!(
        "the Collatz sequences of 1..=100000 take {steps} steps in all, on {} threads",
        rayon::current_num_threads()
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
            "an item was costed on thread {thread_name:?}, not on the caller's pool: use \
             `par_iter()`, which runs on the current pool; do not build a pool or start \
             threads of your own"
        );
    }

    #[test]
    fn the_total_is_the_sum_of_the_costs() {
        let pool = test_pool(3, "total");
        let numbers: Vec<u64> = (1..=1000).collect();
        assert_eq!(
            pool.install(|| total_cost(&numbers, |&n| n * n)),
            333_833_500
        );
        assert_eq!(
            pool.install(|| total_cost(&numbers, |&n| collatz_steps(n))),
            (1..=1000).map(collatz_steps).sum::<u64>()
        );
    }

    #[test]
    fn no_items_cost_nothing() {
        let pool = test_pool(2, "empty");
        let none: [u64; 0] = [];
        assert_eq!(pool.install(|| total_cost(&none, |&n| n)), 0);
    }

    #[test]
    fn every_item_is_costed_on_the_callers_pool() {
        let pool = test_pool(3, "caller");
        let numbers: Vec<u64> = (0..100).collect();
        let total = pool.install(|| {
            total_cost(&numbers, |&n| {
                assert_on_pool("caller");
                n
            })
        });
        assert_eq!(total, 4950);
    }

    #[test]
    fn items_are_costed_on_every_pool_thread_at_once() {
        // The first three costs meet: each waits until all three are being computed at
        // the same time, which three pool threads can do only if they share the items.
        let pool = test_pool(3, "together");
        let meeting = Meeting::new(
            3,
            "the items were costed one after another on one thread: use `par_iter()` \
             instead of `iter()`",
        );
        let numbers: Vec<u64> = (0..30).collect();
        let total = pool.install(|| {
            total_cost(&numbers, |&n| {
                assert_on_pool("together");
                meeting.arrive();
                n
            })
        });
        assert_eq!(total, 435);
    }
}
