// WRONG: uses an unbounded `mpsc::channel`: the producer never waits for the consumer
//! # Bounded channels and back-pressure
//!
//! `mpsc::channel()` is unbounded: a fast producer can pile up messages faster than the
//! consumer takes them, until memory runs out. `mpsc::sync_channel(n)` holds at most `n`
//! messages: once it is full, `send` blocks until the consumer takes one. The producer is
//! slowed down to the consumer's pace; that is *back-pressure*.
//!
//! `SyncSender::try_send` never blocks: it returns `Err(TrySendError::Full(msg))`, handing
//! the message back, when the channel is full, and `Disconnected(msg)` when the receiver is
//! gone. A producer can use it to notice back-pressure (to log it, or count it) before it
//! blocks with a plain `send`.
//!
//! `start_producer` uses an unbounded channel and never reports `Progress::Full`. Make the
//! channel hold at most `capacity` messages, and report `Full` each time the producer
//! finds it full, right before it blocks. If the receiver hangs up, stop quietly.
//!
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/fn.sync_channel.html>,
//!   <https://doc.rust-lang.org/std/sync/mpsc/enum.TrySendError.html>
//! - rust_howto, message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use std::sync::mpsc::{self, Receiver};
use std::thread;

/// What the producer reports while it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// One more message was handed to the channel.
    Sent,
    /// The channel was full: the producer is about to wait for the consumer.
    Full,
}

/// Starts a producer thread that sends every item over a channel holding at most
/// `capacity` messages, and returns the receiving end. The producer calls
/// `report(Progress::Sent)` after each message it handed over, and `report(Progress::Full)`
/// each time it finds the channel full, before it blocks. It stops early, without
/// panicking, if the receiver is dropped.
pub fn start_producer<T, R>(items: Vec<T>, capacity: usize, report: R) -> Receiver<T>
where
    T: Send + 'static,
    R: Fn(Progress) + Send + 'static,
{
    // The capacity only matters for memory; an unbounded channel never blocks.
    let _ = capacity;
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for item in items {
            if tx.send(item).is_err() {
                return;
            }
            report(Progress::Sent);
        }
    });
    rx
}

fn main() {
    let rx = start_producer((1..=6).collect::<Vec<u32>>(), 2, |progress| {
        println!("producer: {progress:?}");
    });
    for item in rx {
        println!("consumer took {item}");
    }
}
