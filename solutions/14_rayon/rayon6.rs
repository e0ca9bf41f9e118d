//! # Sorting in parallel: stable or unstable
//!
//! rayon adds parallel sorts to slices: `par_sort`, `par_sort_by(compare)` and
//! `par_sort_by_key(key)` are *stable*: items that compare equal keep their order, so
//! sorting orders by customer keeps each customer's orders in the order they were in.
//! They are merge sorts: they sort chunks of the slice in parallel, then merge them, and
//! need a buffer as large as the slice. `par_sort_unstable`, `par_sort_unstable_by` and
//! `par_sort_unstable_by_key` are parallel quicksorts: no buffer and usually faster, but
//! equal items may come out in any order. Pick unstable when equal items are
//! indistinguishable or their order does not matter.
//!
//! A `by_key` closure cannot return a reference into the item (`|order| &order.customer`
//! does not compile): compare with `par_sort_by(|a, b| a.customer.cmp(&b.customer))`, or
//! compute each key once with `par_sort_by_cached_key`.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/slice/trait.ParallelSliceMut.html>
//! - rust_howto, sort a vector in parallel:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;
use std::cmp::Ordering;

/// Sorts `items` by `compare` in parallel on the current pool, keeping items that compare
/// equal in the order they were in.
pub fn sort_stably_by<T, F>(items: &mut [T], compare: F)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    // A merge sort: stable, at the cost of a buffer as large as the slice.
    items.par_sort_by(compare);
}

/// An order of a shop, numbered in the order it was placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub number: u32,
    pub customer: String,
}

/// Sorts the orders by customer; each customer's orders stay in the order they were in.
pub fn sort_by_customer(orders: &mut [Order]) {
    sort_stably_by(orders, |a, b| a.customer.cmp(&b.customer));
}

/// Sorts the words by length, in parallel on the current pool; words of the same length
/// may come in any order.
pub fn sort_by_length(words: &mut [String]) {
    // Equal lengths may be reordered: unstable is fine here, and needs no buffer.
    words.par_sort_unstable_by_key(String::len);
}

fn main() {
    let mut orders: Vec<Order> = [(1, "Zoe"), (2, "Ann"), (3, "Zoe"), (4, "Bob"), (5, "Ann")]
        .into_iter()
        .map(|(number, customer)| Order {
            number,
            customer: customer.to_string(),
        })
        .collect();
    sort_by_customer(&mut orders);
    for order in &orders {
        println!("{:>4} #{}", order.customer, order.number);
    }
    let mut words: Vec<String> = "the quick brown fox jumps over the lazy dog"
        .split(' ')
        .map(String::from)
        .collect();
    sort_by_length(&mut words);
    println!("{words:?}");
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
            "items were compared on thread {thread_name:?}, not on the caller's pool: use \
             rayon's `par_sort...` methods, which run on the current pool"
        );
    }

    /// `count` orders, numbered in order, from a handful of customers in a scrambled
    /// order.
    fn orders(count: u32) -> Vec<Order> {
        let customers = ["Ann", "Bob", "Cyd", "Dee", "Eve"];
        (0..count)
            .map(|number| Order {
                number,
                customer: customers[(number * 7 + number / 3) as usize % 5].to_string(),
            })
            .collect()
    }

    #[test]
    fn each_customers_orders_stay_in_order() {
        let pool = test_pool(3, "stable");
        let mut sorted = orders(5000);
        pool.install(|| sort_by_customer(&mut sorted));
        let mut expected = orders(5000);
        // std's `sort_by` is stable too.
        expected.sort_by(|a, b| a.customer.cmp(&b.customer));
        for (at, (got, want)) in sorted.iter().zip(&expected).enumerate() {
            assert!(
                got == want,
                "at {at}: {got:?} where {want:?} belongs. The orders of one customer must \
                 keep their order: use a stable sort"
            );
        }
    }

    #[test]
    fn words_are_sorted_by_length() {
        let pool = test_pool(2, "length");
        let mut words: Vec<String> = (0..3000).map(|n| "ab".repeat(n * 37 % 11)).collect();
        let mut expected = words.clone();
        pool.install(|| sort_by_length(&mut words));
        assert!(
            words.is_sorted_by_key(String::len),
            "the words are not sorted by length"
        );
        expected.sort();
        words.sort();
        assert!(words == expected, "the same words, no more, no less");
    }

    #[test]
    fn items_are_compared_on_the_callers_pool() {
        let pool = test_pool(2, "caller");
        let mut numbers: Vec<u32> = (0..5000).map(|n| n * 7919 % 5003).collect();
        pool.install(|| {
            sort_stably_by(&mut numbers, |a, b| {
                assert_on_pool("caller");
                a.cmp(b)
            });
        });
        assert!(numbers.is_sorted());
    }

    #[test]
    fn the_stable_sort_compares_on_every_pool_thread_at_once() {
        // rayon's parallel merge sort sorts chunks of 2000 items at the same time. The
        // first two comparisons meet: each waits until two threads are comparing.
        let pool = test_pool(2, "together");
        let meeting = Meeting::new(
            2,
            "the first comparisons were all made on one thread: use rayon's stable \
             `par_sort_by`, which sorts chunks at once (not the slice's own `sort_by`, and \
             not `par_sort_unstable_by`, which first partitions the whole slice on one \
             thread)",
        );
        let mut numbers: Vec<u32> = (0..4500).map(|n| n * 7919 % 4507).collect();
        pool.install(|| {
            sort_stably_by(&mut numbers, |a, b| {
                assert_on_pool("together");
                meeting.arrive();
                a.cmp(b)
            });
        });
        assert!(numbers.is_sorted());
    }
}
