// ALT: spawns a thread for the left half and works on the right half itself
//! # `crossbeam::scope`: nested spawns and panics as values
//!
//! Before `std::thread::scope` existed (Rust 1.63), crossbeam's scope was the way to
//! borrow locals from threads; it is still common in older code. Two differences matter:
//!
//! - the closure given to `s.spawn` receives the scope as an argument (`|s| ...`), and a
//!   thread spawns *nested* threads through that argument: the outer `s` only lives
//!   inside the `scope` call, so a thread may not capture it;
//! - `crossbeam::scope` returns a `Result`: if any thread panicked, you get `Err` with
//!   the panic payloads (a `Vec` of them) instead of a panic in the caller.
//!
//! `parallel_sum_by` splits a slice in halves, each half on its own short-lived thread,
//! until the pieces are small. The splitting threads spawn the next level themselves.
//!
//! - crossbeam: <https://docs.rs/crossbeam/0.8/crossbeam/fn.scope.html>,
//!   <https://docs.rs/crossbeam/0.8/crossbeam/thread/struct.Scope.html#method.spawn>
//! - rust_howto, a short-lived thread:
//!   <https://john-cd.com/rust_howto/categories/concurrency/crossbeam.html#spawn-a-short-lived-thread>

use crossbeam::thread::Scope;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// Sums `weigh(item)` over `items` by divide and conquer on crossbeam scoped threads.
///
/// A slice longer than `leaf_len` is split in two halves, and each half goes to a new
/// scoped thread, spawned by the thread that split it. A slice of at most `leaf_len`
/// items is a leaf: its thread weighs its items and adds them to the total. `weigh` always
/// runs on a scoped thread, never on the caller's.
///
/// Returns the total, or `Err` with the panic payloads (a `Vec<Box<dyn Any + Send>>`) if
/// `weigh` panicked on any thread: a panic inside never panics the caller.
///
/// # Panics
/// If `leaf_len` is 0.
pub fn parallel_sum_by<T, F>(items: &[T], leaf_len: usize, weigh: F) -> thread::Result<u64>
where
    T: Sync,
    F: Fn(&T) -> u64 + Sync,
{
    assert!(leaf_len > 0, "a leaf holds at least one item");
    let total = AtomicU64::new(0);
    crossbeam::scope(|scope| {
        // Even the root runs on a scoped thread, so that a panic in `weigh` is always
        // collected by the scope instead of unwinding through the caller.
        scope.spawn(|scope| sum_into(scope, items, leaf_len, &weigh, &total));
    })?;
    // Every thread was joined when `scope` returned, so all their additions are visible:
    // `Relaxed` is enough for a counter read after the joins.
    Ok(total.into_inner())
}

/// Weighs `items` on the current (scoped) thread if it is a leaf, or splits it across two
/// new threads spawned on `scope`.
fn sum_into<'env, T, F>(
    scope: &Scope<'env>,
    items: &'env [T],
    leaf_len: usize,
    weigh: &'env F,
    total: &'env AtomicU64,
) where
    T: Sync,
    F: Fn(&T) -> u64 + Sync,
{
    if items.len() <= leaf_len {
        let sum: u64 = items.iter().map(weigh).sum();
        total.fetch_add(sum, Ordering::Relaxed);
        return;
    }
    let (left, right) = items.split_at(items.len() / 2);
    // Each child gets its own `scope` argument to spawn the next level with. Capturing our
    // `scope` instead would not compile: it is only borrowed for this call, while the
    // child may run until the whole `crossbeam::scope` ends.
    // This thread is already a scoped thread: it can take one half itself.
    scope.spawn(move |scope| sum_into(scope, left, leaf_len, weigh, total));
    sum_into(scope, right, leaf_len, weigh, total);
}

fn main() {
    let words = [
        "short", "lived", "threads", "split", "the", "array", "in", "halves",
    ];
    let letters = parallel_sum_by(&words, 2, |word| word.len() as u64);
    println!("{} words, {letters:?} letters", words.len());

    let failed = parallel_sum_by(&words, 2, |word| match *word {
        "the" => panic!("cannot weigh {word:?}"),
        _ => word.len() as u64,
    });
    match failed {
        Ok(letters) => println!("{letters} letters?"),
        Err(panics) => {
            let count = panics
                .downcast_ref::<Vec<Box<dyn std::any::Any + Send>>>()
                .map_or(0, Vec::len);
            println!("{count} worker panicked, and the caller got an Err instead of a panic");
        }
    }
}
