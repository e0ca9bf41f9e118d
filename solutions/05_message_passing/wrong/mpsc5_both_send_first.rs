// WRONG: both sides send first, then receive: on a rendezvous line they wait for each other forever
//! # Rendezvous channels: `sync_channel(0)`
//!
//! A `sync_channel(0)` has no room at all: a `send` completes only at the moment a
//! receiver takes the message, hand to hand. So when `send` returns, the other thread has
//! the value, and both threads were at the meeting point together. That makes a zero-size
//! channel a *handshake*, not just a pipe.
//!
//! It also changes what a protocol may do. Over buffered channels, two threads can swap
//! values by both sending first, then both receiving: the messages wait in the buffers.
//! Over rendezvous channels, both sides would wait in `send` for a receiver that never
//! comes. One side must send first while the other receives first.
//!
//! Build `rendezvous_line` from two zero-capacity channels, and make `swap_values` work
//! over it: the side that `goes_first` sends, then receives; the other receives, then
//! sends.
//!
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/fn.sync_channel.html> ("rendezvous")
//! - rust_howto, message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;

/// One end of a two-way line between two threads.
pub struct Line {
    pub to_peer: SyncSender<u32>,
    pub from_peer: Receiver<u32>,
}

/// Two connected ends: what one end sends, the other receives. Neither direction holds
/// any message: every send waits for the peer to receive it.
pub fn rendezvous_line() -> (Line, Line) {
    // Capacity 0: a send completes only when the peer takes the message.
    let (a_to_b, b_from_a) = mpsc::sync_channel(0);
    let (b_to_a, a_from_b) = mpsc::sync_channel(0);
    (
        Line {
            to_peer: a_to_b,
            from_peer: a_from_b,
        },
        Line {
            to_peer: b_to_a,
            from_peer: b_from_a,
        },
    )
}

/// Swaps values with the peer, one round per value of `mine`: each round sends one of
/// `mine` and receives one of the peer's. Returns the peer's values, in order. Exactly
/// one of the two sides `goes_first`.
pub fn swap_values(line: &Line, goes_first: bool, mine: &[u32]) -> Vec<u32> {
    let mut theirs = Vec::with_capacity(mine.len());
    for &value in mine {
        // One side sends while the other receives, then they switch: each half of the
        // round is a meeting of both threads.
        let _ = goes_first;
        line.to_peer.send(value).expect("the peer hung up");
        let received = line.from_peer.recv();
        theirs.push(received.expect("the peer hung up"));
    }
    theirs
}

fn main() {
    let (alice, bob) = rendezvous_line();
    let bob = thread::spawn(move || swap_values(&bob, false, &[10, 20, 30]));
    let alice_got = swap_values(&alice, true, &[1, 2, 3]);
    let bob_got = bob.join().expect("bob panicked");
    println!("alice received {alice_got:?}, bob received {bob_got:?}");
}
