// WRONG: retries `try_send` in a loop until the peer is receiving, instead of waiting in `send`
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
        let received = if goes_first {
            let mut value = value;
            while let Err(mpsc::TrySendError::Full(back)) = line.to_peer.try_send(value) {
                value = back;
            }
            line.from_peer.recv()
        } else {
            let received = line.from_peer.recv();
            line.to_peer.send(value).expect("the peer hung up");
            received
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::mpsc::TrySendError;
    use threadlings_testkit::{Gate, Running, Waited, Watch};

    /// Both sides swap on their own threads; a deadlock becomes a clear failure at once.
    fn swap_on_two_threads(
        first: Vec<u32>,
        second: Vec<u32>,
        a_goes_first: bool,
    ) -> (Vec<u32>, Vec<u32>) {
        let watch = Watch::start();
        let (a, b) = rendezvous_line();
        let a = thread::spawn(move || swap_values(&a, a_goes_first, &first));
        let b = thread::spawn(move || swap_values(&b, !a_goes_first, &second));
        if let Waited::Blocked = watch.wait_finished(&|| a.is_finished() && b.is_finished()) {
            panic!(
                "the swap is stuck: both sides wait forever. On a rendezvous line a send \
                 waits until the peer receives, so if both sides send first, both wait \
                 forever. The side that goes first sends then receives; the other receives \
                 then sends"
            );
        }
        (
            a.join().expect("side a panicked"),
            b.join().expect("side b panicked"),
        )
    }

    #[test]
    fn the_side_that_goes_first_blocks_until_its_peer_is_ready() {
        // Side b is held until the test lets it go: meanwhile side a, which goes first,
        // must wait in its `send`, blocked.
        let gate = Arc::new(Gate::new("side b"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let (a, b) = rendezvous_line();
        let side_b = thread::spawn(move || {
            held.wait();
            swap_values(&b, false, &[20])
        });
        let side_a = Running::spawn("side a", move || swap_values(&a, true, &[10]));
        side_a.until_blocked(
            "its peer was not ready",
            "a send on a rendezvous line blocks until the peer receives: wait in `send` \
             (and `recv`), do not retry `try_send` in a loop",
        );
        gate.open();
        side_a.until_finished(
            "the swap is stuck: the side that goes first sends then receives; the other \
             receives then sends",
        );
        assert_eq!(side_a.join(), [20]);
        assert_eq!(side_b.join().unwrap(), [10]);
    }

    #[test]
    fn a_send_waits_for_a_receiver() {
        let (a, b) = rendezvous_line();
        // Nobody is receiving on either side, so no send can complete.
        for (side, line) in [("a", &a), ("b", &b)] {
            assert!(
                matches!(line.to_peer.try_send(1), Err(TrySendError::Full(1))),
                "a send from {side} completed although nobody was receiving: the line must \
                 hold no message at all (mpsc::sync_channel(0))"
            );
        }
        // With a receiver waiting, the send completes, and the value is across.
        let receiver = thread::spawn(move || b.from_peer.recv());
        a.to_peer.send(7).expect("the receiver is there");
        assert_eq!(receiver.join().unwrap(), Ok(7));
    }

    #[test]
    fn both_sides_get_each_others_values_whoever_goes_first() {
        for a_goes_first in [true, false] {
            let (a_got, b_got) = swap_on_two_threads(vec![1, 2, 3], vec![10, 20, 30], a_goes_first);
            assert_eq!(a_got, vec![10, 20, 30], "what a received");
            assert_eq!(b_got, vec![1, 2, 3], "what b received");
        }
    }

    #[test]
    fn many_rounds_stay_in_step() {
        let (a_got, b_got) = swap_on_two_threads((0..200).collect(), (1000..1200).collect(), true);
        assert!(
            a_got.iter().copied().eq(1000..1200),
            "a received the wrong values"
        );
        assert!(
            b_got.iter().copied().eq(0..200),
            "b received the wrong values"
        );
    }
}
