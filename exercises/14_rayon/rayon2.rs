//! # Changing every item in place: `par_iter_mut`
//!
//! `par_iter()` hands each thread shared references (`&T`): good for reading, useless for
//! changing the items. `par_iter_mut()` hands out `&mut T` instead. That is safe for the
//! same reason `chunks_mut` was in scoped1: every item belongs to exactly one piece of
//! work, so no two threads ever hold a `&mut` to the same item, and the borrow checker
//! knows it. The items move between threads as `&mut T`, so they must be `Send`.
//!
//! `for_each` runs a closure for every item and returns once they are all done, like a
//! `for` loop. `adjust_all` below adjusts one item at a time: spread the items out.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/iter/trait.IntoParallelRefMutIterator.html>,
//!   <https://docs.rs/rayon/1/rayon/iter/trait.ParallelIterator.html#method.for_each>
//! - rust_howto, mutate the elements of an array in parallel:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;

/// Applies `adjust` to every item, in place, in parallel on the current pool.
pub fn adjust_all<T, F>(items: &mut [T], adjust: F)
where
    T: Send,
    F: Fn(&mut T) + Send + Sync,
{
    // TODO: this adjusts the items one after another, on one thread. `par_iter()` will
    // not do: it shares the items (`&T`), and `adjust` changes them.
    items.iter_mut().for_each(adjust);
}

/// Brightens every pixel of a grey-scale image by `amount`, stopping at white (255).
pub fn brighten(pixels: &mut [u8], amount: u8) {
    adjust_all(pixels, |pixel| *pixel = pixel.saturating_add(amount));
}

fn main() {
    let mut gradient: Vec<u8> = (0..16).map(|x| x * 16).collect();
    println!("before:   {gradient:?}");
    brighten(&mut gradient, 60);
    println!("brighter: {gradient:?}");
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
            "an item was adjusted on thread {thread_name:?}, not on the caller's pool: use a \
             parallel iterator, which runs on the current pool; do not start threads"
        );
    }

    #[test]
    fn brightening_stops_at_white() {
        let pool = test_pool(2, "brighten");
        let mut pixels = [0, 100, 245, 246, 255];
        pool.install(|| brighten(&mut pixels, 10));
        assert_eq!(pixels, [10, 110, 255, 255, 255]);
    }

    #[test]
    fn every_item_is_adjusted_once_in_place() {
        let pool = test_pool(3, "once");
        let mut items: Vec<u64> = (0..1000).collect();
        pool.install(|| adjust_all(&mut items, |item| *item = *item * 2 + 1));
        assert!(
            items.iter().copied().eq((0..1000).map(|n| n * 2 + 1)),
            "every item must be adjusted exactly once, in place"
        );
    }

    #[test]
    fn items_are_adjusted_on_the_callers_pool() {
        let pool = test_pool(3, "caller");
        let mut items = vec![0_u8; 100];
        pool.install(|| {
            adjust_all(&mut items, |item| {
                assert_on_pool("caller");
                *item = 1;
            });
        });
        assert!(items.iter().all(|&item| item == 1));
    }

    #[test]
    fn items_are_adjusted_on_every_pool_thread_at_once() {
        // The first three adjustments meet: each waits until three items are being
        // adjusted at the same time, one per pool thread.
        let pool = test_pool(3, "together");
        let meeting = Meeting::new(
            3,
            "the items were adjusted one after another on one thread: give rayon every \
             item with `par_iter_mut()`",
        );
        let mut items = vec![0_u32; 12];
        pool.install(|| {
            adjust_all(&mut items, |item| {
                assert_on_pool("together");
                meeting.arrive();
                *item += 1;
            });
        });
        assert_eq!(items, [1; 12]);
    }
}
