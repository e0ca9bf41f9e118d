// ALT: `next_batch` with `select!` and a `default(wait)` arm instead of `recv_timeout`
//! # Polling: `try_recv` and `recv_timeout`
//!
//! `recv` blocks until a message arrives. Sometimes a thread has other things to do and
//! only wants what is *already there*: `try_recv` never blocks and returns
//! `Err(TryRecvError::Empty)` when nothing is waiting. It returns
//! `Err(TryRecvError::Disconnected)` when nothing is waiting *and* nothing ever will,
//! because every sender is gone. Confusing the two makes a polling loop either quit while
//! work is still coming, or poll a dead channel forever.
//!
//! `recv_timeout(wait)` sits in between: it blocks for at most `wait`, then gives up with
//! `RecvTimeoutError::Timeout`, again distinct from `Disconnected`.
//!
//! `drain_available` treats every error the same, so it never notices that the channel
//! has closed, and `next_batch` does not wait at all. Fix both.
//!
//! - crossbeam-channel:
//!   <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/struct.Receiver.html#method.try_recv>,
//!   <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/struct.Receiver.html#method.recv_timeout>
//! - rust_howto, message passing (crossbeam-channel):
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{Receiver, TryRecvError, unbounded};
use std::thread;
use std::time::Duration;

/// Whether more messages may still come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing more right now, but a sender is still alive.
    Open,
    /// Every sender is gone and every message has been taken.
    Closed,
}

/// Takes every message already waiting in `rx`, without ever blocking, and says whether
/// the channel is still open.
pub fn drain_available(rx: &Receiver<u32>) -> (Vec<u32>, Status) {
    let mut got = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(message) => got.push(message),
            // Nothing waiting, but someone may still send: come back later.
            Err(TryRecvError::Empty) => return (got, Status::Open),
            // Nothing waiting and nobody left to send: this channel is finished.
            Err(TryRecvError::Disconnected) => return (got, Status::Closed),
        }
    }
}

/// A polling loop: drains `rx` again and again, calling `between_polls` after every poll
/// that found the channel still open (that is where the caller does its other work).
/// Returns every message and the number of polls, once the channel is closed.
pub fn poll_until_closed(rx: &Receiver<u32>, mut between_polls: impl FnMut()) -> (Vec<u32>, usize) {
    let mut all = Vec::new();
    let mut polls = 0;
    loop {
        let (got, status) = drain_available(rx);
        polls += 1;
        all.extend(got);
        if status == Status::Closed {
            return (all, polls);
        }
        between_polls();
    }
}

/// Waits at most `wait` for a first message, then takes whatever else is already waiting
/// without blocking again.
pub fn next_batch(rx: &Receiver<u32>, wait: Duration) -> (Vec<u32>, Status) {
    crossbeam::channel::select! {
        recv(rx) -> first => match first {
            Ok(first) => {
                let (rest, status) = drain_available(rx);
                let mut batch = vec![first];
                batch.extend(rest);
                (batch, status)
            }
            Err(_) => (Vec::new(), Status::Closed),
        },
        // Nothing within `wait`: still open.
        default(wait) => (Vec::new(), Status::Open),
    }
}

fn main() {
    let (tx, rx) = unbounded();
    let producer = thread::spawn(move || {
        for i in 0..10 {
            tx.send(i).unwrap();
            thread::sleep(Duration::from_millis(20));
        }
    });
    loop {
        let (batch, status) = next_batch(&rx, Duration::from_millis(50));
        println!("batch {batch:?}, channel {status:?}");
        if status == Status::Closed {
            break;
        }
        println!("  (doing something else between batches)");
    }
    producer.join().unwrap();
}
