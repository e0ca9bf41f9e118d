//! # Searching in parallel: `any`, `all`, `find_any`
//!
//! A search can stop as soon as it has its answer: one match is enough for "is there
//! any?", one failure for "are they all?". rayon's short-circuiting methods do that
//! across threads: `any(pred)`, `all(pred)` and `find_any(pred)` stop every thread soon
//! after one of them has the answer, and skip the items nobody has looked at yet.
//! `filter(pred).count() > 0` gives the same answer, after testing every single item.
//!
//! `find_any` returns *some* match, whichever a thread found first: not necessarily the
//! first in the slice. When you need the first one, `find_first` gives it, and still
//! searches in parallel (it only stops the threads working on later items).
//!
//! The three searches below look at every item. Make them stop early.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/iter/trait.ParallelIterator.html#method.find_any>,
//!   `any`, `all`
//! - rust_howto, test in parallel if any or all elements match a predicate, search items
//!   using a given predicate in parallel:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;

/// Whether any item matches, searched in parallel on the current pool, stopping early.
pub fn contains_match<T, P>(items: &[T], is_match: P) -> bool
where
    T: Sync,
    P: Fn(&T) -> bool + Send + Sync,
{
    items.par_iter().any(is_match)
}

/// Whether every item is valid, checked in parallel on the current pool, stopping at the
/// first invalid one found.
pub fn all_valid<T, P>(items: &[T], is_valid: P) -> bool
where
    T: Sync,
    P: Fn(&T) -> bool + Send + Sync,
{
    items.par_iter().all(is_valid)
}

/// Some item that matches (any of them), searched in parallel on the current pool,
/// stopping early.
pub fn find_match<T, P>(items: &[T], is_match: P) -> Option<&T>
where
    T: Sync,
    P: Fn(&T) -> bool + Send + Sync,
{
    // Any match will do, so let whichever thread finds one first win.
    items.par_iter().find_any(|item| is_match(item))
}

/// A toy hash: do not use it for real passwords.
pub fn toy_hash(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() {
    let words: Vec<String> = (0..200_000).map(|n| format!("pw{n}")).collect();
    let target = toy_hash("pw123456");
    match find_match(&words, |word| toy_hash(word) == target) {
        Some(word) => println!("the password is {word:?}"),
        None => println!("not found"),
    }
    println!(
        "every word starts with \"pw\": {}",
        all_valid(&words, |word| word.starts_with("pw"))
    );
    println!(
        "some word ends in 42: {}",
        contains_match(&words, |word| word.ends_with("42"))
    );
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
            "an item was tested on thread {thread_name:?}, not on the caller's pool: use a \
             parallel iterator, which runs on the current pool"
        );
    }

    /// The mistake a search that tested too many items makes.
    const STOP_EARLY: &str = "once a thread has the answer, the others should stop: use \
        rayon's short-circuiting `any`, `all` or `find_any`, not `filter` + `count` or \
        `collect`";

    #[test]
    fn the_answers_are_right() {
        let pool = test_pool(3, "answers");
        let numbers: Vec<u32> = (0..1000).collect();
        pool.install(|| {
            assert!(contains_match(&numbers, |&n| n == 777));
            assert!(!contains_match(&numbers, |&n| n > 1000));
            assert!(all_valid(&numbers, |&n| n < 1000));
            assert!(!all_valid(&numbers, |&n| n != 500));
            assert_eq!(find_match(&numbers, |&n| n == 321), Some(&321));
            assert_eq!(find_match(&numbers, |&n| n > 1000), None);
            let found = find_match(&numbers, |&n| n % 400 == 399);
            assert!(
                matches!(found, Some(&(399 | 799))),
                "{found:?} is not a match"
            );
            let empty: [u32; 0] = [];
            assert!(!contains_match(&empty, |_| true));
            assert!(all_valid(&empty, |_| false));
            assert_eq!(find_match(&empty, |_| true), None);
        });
    }

    #[test]
    fn searches_stop_soon_after_the_answer_is_known() {
        // Every item is a match (or, for `all_valid`, invalid): each thread finds its
        // answer in the first item it tests, and then every thread should stop.
        let pool = test_pool(2, "early");
        let items: Vec<u32> = (0..100_000).collect();
        let tested = AtomicUsize::new(0);
        let test = |_: &u32| {
            tested.fetch_add(1, Ordering::SeqCst);
            true
        };
        let untested = |_: &u32| {
            tested.fetch_add(1, Ordering::SeqCst);
            false
        };
        let mut report = Vec::new();
        pool.install(|| {
            assert!(contains_match(&items, test));
            report.push(("contains_match", tested.swap(0, Ordering::SeqCst)));
            assert!(!all_valid(&items, untested));
            report.push(("all_valid", tested.swap(0, Ordering::SeqCst)));
            assert!(find_match(&items, test).is_some());
            report.push(("find_match", tested.swap(0, Ordering::SeqCst)));
        });
        for (search, tested) in report {
            assert!(
                tested < 1000,
                "{search} tested {tested} of 100000 items after the first one gave the \
                 answer: {STOP_EARLY}"
            );
        }
    }

    #[test]
    fn items_are_tested_on_every_pool_thread_at_once() {
        // In each search, the first three tests meet: each waits until three items are
        // being tested at the same time, one per pool thread. No item matches (every one
        // is valid), so no search can stop early.
        let pool = test_pool(3, "together");
        let items: Vec<u32> = (0..30).collect();
        let mistake = "the items were tested one after another on one thread: search with \
                       a parallel iterator";
        pool.install(|| {
            let meeting = Meeting::new(3, mistake);
            let is_match = |&n: &u32| {
                assert_on_pool("together");
                meeting.arrive();
                n > 100
            };
            assert!(!contains_match(&items, is_match));

            let meeting = Meeting::new(3, mistake);
            let is_valid = |&n: &u32| {
                assert_on_pool("together");
                meeting.arrive();
                n < 100
            };
            assert!(all_valid(&items, is_valid));

            let meeting = Meeting::new(3, mistake);
            let is_match = |&n: &u32| {
                assert_on_pool("together");
                meeting.arrive();
                n > 100
            };
            assert_eq!(find_match(&items, is_match), None);
        });
    }
}
