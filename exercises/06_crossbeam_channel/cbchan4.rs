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

use crossbeam::channel::{Receiver, unbounded};
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
    // TODO: `try_recv` fails in two different ways, and only one of them means that more
    // messages may come.
    while let Ok(message) = rx.try_recv() {
        got.push(message);
    }
    (got, Status::Open)
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
    // TODO: wait at most `wait` for the first message (`recv_timeout`), then drain the
    // rest. A timeout is not a disconnection.
    let _ = wait;
    drain_available(rx)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam::channel::bounded;
    use threadlings_testkit::{Waited, Watch};

    fn filled(messages: &[u32]) -> (crossbeam::channel::Sender<u32>, Receiver<u32>) {
        let (tx, rx) = unbounded();
        for &message in messages {
            tx.send(message).unwrap();
        }
        (tx, rx)
    }

    #[test]
    fn drain_takes_what_is_waiting_and_sees_the_channel_open() {
        let (tx, rx) = filled(&[1, 2, 3]);
        assert_eq!(drain_available(&rx), (vec![1, 2, 3], Status::Open));
        assert_eq!(drain_available(&rx), (vec![], Status::Open));
        drop(tx);
    }

    #[test]
    fn drain_sees_the_channel_closed_once_the_senders_are_gone() {
        let (tx, rx) = filled(&[1, 2, 3]);
        drop(tx);
        // The messages sent before the drop are still delivered, then the channel is
        // finished.
        assert_eq!(
            drain_available(&rx),
            (vec![1, 2, 3], Status::Closed),
            "Disconnected (every sender gone) is not the same as Empty (nothing yet)"
        );
        assert_eq!(drain_available(&rx), (vec![], Status::Closed));
    }

    #[test]
    fn the_polling_loop_stops_once_the_channel_closes() {
        let (tx, rx) = filled(&[1, 2]);
        let mut tx = Some(tx);
        let mut calls = 0;
        let (all, polls) = poll_until_closed(&rx, || {
            calls += 1;
            match calls {
                1 => {
                    let tx = tx.as_ref().unwrap();
                    tx.send(3).unwrap();
                    tx.send(4).unwrap();
                }
                2 => {}
                3 => drop(tx.take()),
                _ => panic!(
                    "still polling after the last sender was dropped: drain_available must \
                     report a disconnected channel as Closed"
                ),
            }
        });
        assert_eq!(all, vec![1, 2, 3, 4]);
        assert_eq!(
            polls, 4,
            "one poll per call of between_polls, plus the last one"
        );
    }

    #[test]
    fn next_batch_takes_everything_already_waiting() {
        let (tx, rx) = filled(&[7, 8, 9]);
        assert_eq!(
            next_batch(&rx, Duration::from_millis(10)),
            (vec![7, 8, 9], Status::Open)
        );
        drop(tx);
        assert_eq!(
            next_batch(&rx, Duration::from_millis(10)),
            (vec![], Status::Closed)
        );
    }

    #[test]
    fn next_batch_times_out_on_an_open_empty_channel() {
        let (tx, rx) = filled(&[]);
        assert_eq!(
            next_batch(&rx, Duration::from_millis(10)),
            (vec![], Status::Open),
            "a timeout is not a disconnection: the sender is still alive"
        );
        drop(tx);
    }

    #[test]
    fn next_batch_waits_for_the_first_message() {
        // A zero-capacity channel hands a message over only to a receiver that is waiting
        // for it at that very moment. So `try_send` succeeds only while next_batch is
        // blocked in a receive, which proves that it waits.
        let (tx, rx) = bounded(0);
        let watch = Watch::start();
        let batch = thread::spawn(move || next_batch(&rx, Duration::from_secs(60)));
        let waited = watch.wait_allowing_timeouts(&|| batch.is_finished());
        let sent = tx.try_send(42);
        assert!(
            matches!(waited, Waited::Blocked) && sent.is_ok(),
            "next_batch never waited for a message ({waited:?}): block with \
             recv_timeout(wait) for the first one, do not poll with try_recv"
        );
        assert_eq!(batch.join().unwrap(), (vec![42], Status::Open));
    }
}
