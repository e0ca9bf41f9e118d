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
    while let Ok(square) = rx.recv() {
        squares.push(square);
    }
    worker.join().expect("the worker panicked");
    squares
}

fn main() {
    let squares = squares_from_worker(1..=10);
    println!("the worker sent back: {squares:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn every_square_arrives() {
        let squares = squares_from_worker(vec![1, 2, 3, 4, 5]);
        assert_eq!(
            squares,
            vec![1, 4, 9, 16, 25],
            "{} of 5 squares arrived: one `recv` takes one message, so keep calling it \
             until it returns Err (the worker has finished)",
            squares.len()
        );
    }

    #[test]
    fn squares_arrive_in_the_order_they_were_sent() {
        let numbers: Vec<u64> = (0..1000).collect();
        let expected: Vec<u64> = numbers.iter().map(|n| n * n).collect();
        let squares = squares_from_worker(numbers);
        assert_eq!(squares.len(), 1000, "expected 1000 squares");
        assert!(squares == expected, "the squares arrived out of order");
    }

    #[test]
    fn the_caller_waits_for_a_slow_worker_without_polling() {
        // The worker is held before its third number until the test lets it go: the
        // caller must wait for it blocked in `recv`, however long that takes.
        let gate = Arc::new(Gate::new("the worker's third number"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let numbers = (1..=4).inspect(move |&n| {
            if n == 3 {
                held.wait();
            }
        });
        let running = Running::spawn("`squares_from_worker`", move || {
            squares_from_worker(numbers)
        });
        running.until_blocked(
            "the worker was busy",
            "keep calling `recv`, which blocks until the next square or the end: a \
             `try_recv` loop burns CPU, and a timeout or a sleep only guesses how long the \
             worker takes",
        );
        gate.open();
        assert_eq!(running.join(), [1, 4, 9, 16]);
    }

    #[test]
    fn no_numbers_means_no_squares() {
        assert_eq!(squares_from_worker(Vec::new()), Vec::<u64>::new());
    }
}
