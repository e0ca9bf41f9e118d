// WRONG: calls `work` on the caller's thread for every chunk: no threads at all
//! # Scoped threads that borrow mutably
//!
//! In threads4, scoped threads shared the caller's data through `&` references: any number
//! of threads may hold one. A `&mut` is different: it is unique, so two threads may only
//! hold `&mut` references into the same slice if the parts cannot overlap, and the
//! compiler must be able to see that. It cannot see it through indexing: to the borrow
//! checker, `&mut data[start..end]` borrows all of `data`, however the ranges are computed.
//!
//! `chunks_mut` (and `split_at_mut`, `iter_mut`) are the way out: they hand out
//! non-overlapping `&mut` pieces of one slice, and the borrow checker knows it. Give each
//! scoped thread one piece and every thread can transform its part in place, at the same
//! time, with no lock and no copy. `for_each_chunk` slices by hand: read the compiler's
//! error, then let `chunks_mut` do the splitting.
//!
//! - std: <https://doc.rust-lang.org/std/primitive.slice.html#method.chunks_mut>,
//!   <https://doc.rust-lang.org/std/thread/fn.scope.html>
//! - The Rust book, 4.2, mutable references:
//!   <https://doc.rust-lang.org/book/ch04-02-references-and-borrowing.html#mutable-references>
//! - rust_howto, scoped threads:
//!   <https://john-cd.com/rust_howto/categories/concurrency/explicit_threads.html#scoped-threads>

/// Splits `data` into chunks of `chunk_len` items (the last one may be shorter) and calls
/// `work(index, chunk)` on every chunk, each on its own thread, all at the same time.
/// Returns once every chunk has been processed.
///
/// # Panics
/// If `chunk_len` is 0, or if `work` panics.
pub fn for_each_chunk<T, F>(data: &mut [T], chunk_len: usize, work: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    // Each thread gets a copy of this reference: `&F` is `Send` because `F` is `Sync`.
    let work = &work;
    for (index, chunk) in data.chunks_mut(chunk_len).enumerate() {
        work(index, chunk);
    }
}

fn main() {
    let mut numbers: Vec<u32> = (1..=10).collect();
    for_each_chunk(&mut numbers, 3, |index, chunk| {
        for n in chunk.iter_mut() {
            *n *= 10;
        }
        println!("chunk {index} is now {chunk:?}");
    });
    println!("all chunks done: {numbers:?}");
}
