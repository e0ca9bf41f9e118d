// WRONG: collects the results over a channel, in the order the workers finish
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
    let (tx, rx) = std::sync::mpsc::channel();
    let handles: Vec<_> = into_chunks(data, chunk_len)
        .into_iter()
        .map(|chunk| {
            let work = work.clone();
            let tx = tx.clone();
            thread::spawn(move || tx.send(work(chunk)).expect("the caller receives"))
        })
        .collect();
    drop(tx);
    // Results arrive as the workers finish.
    let results = rx.iter().collect();
    for handle in handles {
        handle.join().expect("a worker panicked");
    }
    results
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::sync::mpsc::{self, Receiver, Sender};
    use std::sync::{Arc, Mutex};
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn sums_every_chunk() {
        assert_eq!(
            chunk_sums((1..=10).collect(), 3),
            vec![6, 15, 24, 10],
            "one sum per chunk of 3, in chunk order"
        );
        assert_eq!(chunk_sums(vec![7; 8], 8), vec![56], "a single chunk");
    }

    #[test]
    fn each_chunk_is_moved_into_its_worker() {
        let words: Vec<String> = ["con", "cur", "ren", "cy", "!"].map(String::from).to_vec();
        assert_eq!(
            map_chunks(words, 2, |chunk| chunk.concat()),
            vec!["concur", "rency", "!"],
            "map_chunks must return one result per chunk, in chunk order"
        );
    }

    #[test]
    fn chunks_are_worked_on_at_the_same_time() {
        // Every worker waits at the gate until the test opens it: once `map_chunks` is
        // blocked, all four must be waiting there together.
        let gate = Arc::new(Gate::new("the workers"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`map_chunks`", move || {
            map_chunks((0..8).collect(), 2, move |chunk: Vec<u32>| {
                held.wait();
                chunk.len()
            })
        });
        running.until_blocked(
            "its workers were held at the gate",
            "wait for the workers with `join`",
        );
        assert_eq!(
            gate.waiting(),
            4,
            "only {} of 4 chunks were worked on at the same time: spawn every worker and \
             keep the handles (`collect` them into a Vec) before you join the first one",
            gate.waiting()
        );
        gate.open();
        assert_eq!(running.join(), vec![2, 2, 2, 2]);
    }

    /// Sends a signal when the thread that owns it exits: a thread's thread-locals are
    /// dropped when it exits, after everything else the thread did.
    struct SignalOnExit(Sender<()>);

    impl Drop for SignalOnExit {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }

    thread_local! {
        static ON_EXIT: RefCell<Option<SignalOnExit>> = const { RefCell::new(None) };
    }

    #[test]
    fn results_are_in_chunk_order_even_when_workers_finish_in_reverse() {
        const CHUNKS: usize = 4;
        let (exit_senders, exit_receivers): (Vec<Sender<()>>, Vec<Receiver<()>>) =
            (0..CHUNKS).map(|_| mpsc::channel()).unzip();
        // The test keeps every Sender alive too, so a `recv` never fails.
        let _kept = exit_senders.clone();
        let exit_senders = Arc::new(exit_senders);
        let exit_receivers = Arc::new(
            exit_receivers
                .into_iter()
                .map(Mutex::new)
                .collect::<Vec<_>>(),
        );
        // The worker of chunk `i` only returns once the thread of chunk `i + 1` has exited,
        // so the threads finish last chunk first, every time.
        let running = Running::spawn("`map_chunks`", move || {
            map_chunks((0..CHUNKS).collect(), 1, move |chunk: Vec<usize>| {
                let i = chunk[0];
                ON_EXIT.set(Some(SignalOnExit(exit_senders[i].clone())));
                if i + 1 < CHUNKS {
                    // Never fails: the test keeps a Sender of every channel alive.
                    let _ = exit_receivers[i + 1].lock().unwrap().recv();
                }
                i * 10
            })
        });
        running.until_finished(
            "a chunk waited for the thread of the next chunk to finish, but that thread \
             never started: spawn all the workers before joining any",
        );
        let results = running.join();
        assert_eq!(results.len(), CHUNKS, "one result per chunk");
        assert_eq!(
            results,
            vec![0, 10, 20, 30],
            "the results are in the order the workers finished, not in chunk order: keep \
             the JoinHandles in spawn order and join them in that order"
        );
    }

    #[test]
    fn no_data_no_chunks() {
        let results: Vec<usize> = map_chunks(Vec::<u8>::new(), 3, |chunk| {
            panic!("there is no data, but a worker got the chunk {chunk:?}")
        });
        assert!(results.is_empty());
    }
}
