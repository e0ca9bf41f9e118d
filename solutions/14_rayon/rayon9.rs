//! # Divide and conquer: `rayon::join`
//!
//! `rayon::join(a, b)` runs two closures, potentially at the same time, and returns both
//! results. The current thread runs `a` and leaves `b` where an idle thread of the pool
//! can steal it; if nobody does, the current thread runs `b` itself once `a` is done. So
//! `join` is cheap, and recursive algorithms can call it at every level: a merge sort
//! sorts its two halves with one `join`, then merges them.
//!
//! Cheap is not free: splitting a slice of ten items across threads costs more than
//! sorting it. Recursive parallel code therefore has a *sequential cut-off*: below a
//! certain length, it stops splitting and does the work sequentially. The tests check
//! both: halves sorted at once on the pool, and nothing split at or below the cut-off.
//!
//! `merge_sort_by` below sorts its halves one after the other and never uses its cut-off.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/fn.join.html>
//! - rust_howto, data parallelism:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>
//! - Merge sort: <https://en.wikipedia.org/wiki/Merge_sort>

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably: a merge sort whose halves are sorted at the same
/// time on the current pool. A slice of at most `cutoff` items is sorted sequentially,
/// on the calling thread, without splitting it.
pub fn merge_sort_by<T, F>(items: &mut [T], cutoff: usize, compare: &F)
where
    T: Clone + Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    if items.len() <= cutoff.max(1) {
        // Short enough: splitting it across threads would cost more than it saves.
        items.sort_by(compare);
        return;
    }
    let mid = items.len() / 2;
    let (left, right) = items.split_at_mut(mid);
    // The two halves are disjoint `&mut` slices, so they can be sorted at the same time.
    rayon::join(
        || merge_sort_by(left, cutoff, compare),
        || merge_sort_by(right, cutoff, compare),
    );
    merge(items, mid, compare);
}

/// Merges the sorted `items[..mid]` and `items[mid..]` into one sorted slice, stably (on
/// a tie, the left item first).
fn merge<T, F>(items: &mut [T], mid: usize, compare: &F)
where
    T: Clone,
    F: Fn(&T, &T) -> Ordering,
{
    let left = items[..mid].to_vec();
    let (mut from_left, mut from_right, mut to) = (0, mid, 0);
    // `to` never passes `from_right`: no right item is overwritten before it is read.
    while from_left < left.len() && from_right < items.len() {
        if compare(&items[from_right], &left[from_left]) == Ordering::Less {
            items[to] = items[from_right].clone();
            from_right += 1;
        } else {
            items[to] = left[from_left].clone();
            from_left += 1;
        }
        to += 1;
    }
    // What is left of the right half is already in place.
    for item in &left[from_left..] {
        items[to] = item.clone();
        to += 1;
    }
}

fn main() {
    let mut numbers: Vec<u64> = (0..1_000_000).map(|n| n * 7_919 % 1_000_003).collect();
    merge_sort_by(&mut numbers, 1000, &u64::cmp);
    println!(
        "sorted {} numbers: {:?} ... {:?}",
        numbers.len(),
        &numbers[..3],
        &numbers[numbers.len() - 3..]
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::{ThreadPool, ThreadPoolBuilder};
    use std::sync::Arc;
    use std::thread;
    use threadlings_testkit::{Gate, Meeting, Running};

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
            "items were compared on thread {thread_name:?}, not on the caller's pool: split \
             the work with `rayon::join`, which runs on the current pool"
        );
    }

    /// Pairs of (key, position): sorting by key alone shows whether equal keys keep
    /// their order.
    fn keyed(count: u32) -> Vec<(u32, u32)> {
        (0..count).map(|n| (n * 7919 % 101, n)).collect()
    }

    #[test]
    fn sorts_stably_like_the_standard_library() {
        let pool = test_pool(3, "sort");
        let by_key = |a: &(u32, u32), b: &(u32, u32)| a.0.cmp(&b.0);
        for (count, cutoff) in [
            (10_000, 100),
            (1000, 1),
            (777, 0),
            (50, 1000),
            (1, 4),
            (0, 4),
        ] {
            let mut items = keyed(count);
            let mut expected = items.clone();
            expected.sort_by(by_key);
            pool.install(|| merge_sort_by(&mut items, cutoff, &by_key));
            assert!(
                items == expected,
                "{count} items with the cut-off {cutoff}: not sorted by key, or equal keys \
                 out of their original order"
            );
        }
    }

    #[test]
    fn items_are_compared_on_the_callers_pool() {
        let pool = test_pool(3, "caller");
        let mut items = keyed(2000);
        pool.install(|| {
            merge_sort_by(&mut items, 50, &|a: &(u32, u32), b: &(u32, u32)| {
                assert_on_pool("caller");
                a.cmp(b)
            });
        });
        assert!(items.is_sorted());
    }

    #[test]
    fn halves_are_sorted_on_every_pool_thread_at_once() {
        // 400 items and a cut-off of 50: eight slices to sort sequentially. The first
        // three comparisons meet: each waits until three slices are being sorted at the
        // same time, one per pool thread.
        let pool = test_pool(3, "together");
        let meeting = Meeting::new(
            3,
            "the halves were sorted one after another on one thread: sort them with \
             `rayon::join`, at every level of the recursion above the cut-off",
        );
        let mut items = keyed(400);
        pool.install(|| {
            merge_sort_by(&mut items, 50, &|a: &(u32, u32), b: &(u32, u32)| {
                assert_on_pool("together");
                meeting.arrive();
                a.cmp(b)
            });
        });
        assert!(items.is_sorted());
    }

    #[test]
    fn a_slice_within_the_cutoff_is_not_split() {
        // 64 items and a cut-off of 64: one sequential sort, on one thread. Every
        // comparison waits at the gate: once everything is blocked, exactly one thread
        // may be waiting there; two means the slice was split across threads.
        let gate = Arc::new(Gate::new("the comparisons"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        // The pool is built on the watched thread, so its workers are watched too.
        let running = Running::spawn("`merge_sort_by`", move || {
            let mut items = keyed(64);
            test_pool(2, "cutoff").install(|| {
                merge_sort_by(&mut items, 64, &|a: &(u32, u32), b: &(u32, u32)| {
                    held.wait();
                    a.cmp(b)
                });
            });
            items
        });
        running.until_blocked(
            "its comparisons were held at the gate",
            "wait for the sort to finish",
        );
        let comparing = gate.waiting();
        gate.open();
        assert_eq!(
            comparing, 1,
            "{comparing} threads were comparing items of a slice no longer than the \
             cut-off: at or below the cut-off, sort sequentially, without `join`"
        );
        assert!(running.join().is_sorted());
    }
}
