// WRONG: joins only the first worker and recomputes the others on the caller's thread
//! # Getting results back from threads
//!
//! A thread can hand a value back without any shared state: whatever its closure returns
//! travels through its `JoinHandle<T>`, and `handle.join()` gives it to you as
//! `Ok(value)` (or `Err(panic)` if the thread panicked). Split the work, move one piece
//! into each thread, and collect the answers from the handles.
//!
//! Keep the handles in a `Vec`, in the order you spawned them, and join them in that order:
//! the results come back in the order of the work, not in the order the threads happened
//! to finish. A thread that finishes early just waits in its handle until you join it.
//!
//! `map_chunks` below spawns the workers but throws their results away. Return each
//! chunk's result from its thread and collect them, in chunk order.
//!
//! - std: <https://doc.rust-lang.org/std/thread/struct.JoinHandle.html#method.join>
//! - The Rust book, 16.1: <https://doc.rust-lang.org/book/ch16-01-threads.html>
//! - rust_howto, explicit threads:
//!   <https://john-cd.com/rust_howto/categories/concurrency/explicit_threads.html>

use std::thread;

/// Splits `data` into consecutive chunks of `chunk_len` items; the last one may be shorter.
fn into_chunks<T>(data: Vec<T>, chunk_len: usize) -> Vec<Vec<T>> {
    assert!(chunk_len > 0, "chunks need at least one item each");
    let mut items = data.into_iter().peekable();
    let mut chunks = Vec::new();
    while items.peek().is_some() {
        chunks.push(items.by_ref().take(chunk_len).collect());
    }
    chunks
}

/// Splits `data` into chunks of `chunk_len` items, moves each chunk into its own thread,
/// runs `work(chunk)` on all of them at the same time, and returns the results in chunk
/// order.
pub fn map_chunks<T, R, F>(data: Vec<T>, chunk_len: usize, work: F) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(Vec<T>) -> R + Clone + Send + 'static,
{
    // `collect` first: iterators are lazy, so chaining `.map(join)` straight after
    // `.map(spawn)` would join each thread before spawning the next one.
    // Only the first chunk gets a thread: the rest are quick enough to do here.
    let mut chunks = into_chunks(data, chunk_len).into_iter();
    let first = chunks.next().map(|chunk| {
        let work = work.clone();
        thread::spawn(move || work(chunk))
    });
    let rest: Vec<R> = chunks.map(&work).collect();
    let handles: Vec<_> = first.into_iter().collect();
    // Joining in spawn order gives the results in chunk order, whatever order the threads
    // finished in.
    handles
        .into_iter()
        .map(|handle| {
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .chain(rest)
        .collect()
}

/// The sum of every chunk of `numbers`, each chunk summed on its own thread.
pub fn chunk_sums(numbers: Vec<u64>, chunk_len: usize) -> Vec<u64> {
    map_chunks(numbers, chunk_len, |chunk| chunk.iter().sum())
}

fn main() {
    let numbers: Vec<u64> = (1..=100).collect();
    let sums = chunk_sums(numbers, 25);
    println!("sums of 1..=100 in chunks of 25: {sums:?}");
    println!("total: {}", sums.iter().sum::<u64>());
}
