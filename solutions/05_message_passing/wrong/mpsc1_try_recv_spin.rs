// WRONG: polls with `try_recv` until the channel is disconnected
//! # Channels: a worker sends, the caller receives
//!
//! A channel moves values from one thread to another. `std::sync::mpsc::channel()` returns
//! two ends: a `Sender`, which you move into the worker thread, and a `Receiver`, which
//! stays with the caller. `tx.send(value)` moves the value into the channel (it belongs to
//! the receiver now); `rx.recv()` blocks until one value arrives and returns it.
//!
//! `recv` returns *one* message per call. It returns `Err` only once the channel is empty
//! and every `Sender` is gone, which happens here when the worker finishes and its `tx` is
//! dropped. That `Err` is the "no more results" signal.
//!
//! `squares_from_worker` receives only the first square. Receive every one of them, in the
//! order the worker sent them.
//!
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/index.html>
//! - The Rust book, 16.2: <https://doc.rust-lang.org/book/ch16-02-message-passing.html>
//! - rust_howto, message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use std::sync::mpsc;
use std::thread;

/// Starts a worker thread that squares every number and sends each square back over a
/// channel; returns every square, in order, as received by the caller.
pub fn squares_from_worker<I>(numbers: I) -> Vec<u64>
where
    I: IntoIterator<Item = u64> + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        for n in numbers {
            tx.send(n * n).expect("the caller stopped listening");
        }
        // `tx` is dropped here, when the worker ends: from then on, once the channel is
        // empty, `recv` returns `Err`.
    });

    let mut squares = Vec::new();
    // `recv` blocks until the next square arrives, and fails only once the worker is gone
    // and nothing is left in the channel.
    loop {
        match rx.try_recv() {
            Ok(square) => squares.push(square),
            Err(mpsc::TryRecvError::Empty) => continue,
            Err(mpsc::TryRecvError::Disconnected) => break,
        }
    }
    worker.join().expect("the worker panicked");
    squares
}

fn main() {
    let squares = squares_from_worker(1..=10);
    println!("the worker sent back: {squares:?}");
}
