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

use std::sync::mpsc::{self, Receiver, TrySendError};
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
    // TODO: an unbounded channel lets the producer run arbitrarily far ahead. Bound it to
    // `capacity` messages, and report `Progress::Full` before blocking on a full channel.
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for item in items {
            tx.send(item).expect("the consumer hung up");
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
    use std::time::Duration;
    use threadlings_testkit::{Waited, Watch};

    /// Long enough for any live producer; reached only by one that is stuck for good.
    const BOUND: Duration = Duration::from_secs(3);

    fn reporter() -> (impl Fn(Progress) + Send + 'static, Receiver<Progress>) {
        let (tx, rx): (Sender<Progress>, _) = mpsc::channel();
        (move |progress| tx.send(progress).unwrap(), rx)
    }

    /// The test is the consumer. It takes a message only when the producer says the
    /// channel is full, so it always knows exactly how many messages are waiting. While
    /// it waits for a report, the producer must be working, not blocked without having
    /// said so; after the first `Full`, it must block in `send`, not poll.
    fn consume_slowly(items: usize, capacity: usize) {
        let watch = Watch::start();
        let (report, progress) = reporter();
        // Counts reports as they are made: the test can wait for one without a timeout.
        let reports = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&reports);
        let rx = start_producer((0..items).collect(), capacity, move |p| {
            counted.fetch_add(1, Ordering::SeqCst);
            report(p);
        });
        let (mut sent, mut taken, mut handled) = (0, 0, 0);
        loop {
            let next = match progress.try_recv() {
                Ok(next) => next,
                Err(TryRecvError::Disconnected) => break,
                Err(TryRecvError::Empty) => {
                    // No report yet: wait for one, for the producer's end (its `report`
                    // closure dropped), or for the producer to block without a word.
                    let waited = watch.wait_finished(&|| {
                        reports.load(Ordering::SeqCst) > handled || Arc::strong_count(&reports) == 1
                    });
                    if let Waited::Blocked = waited {
                        panic!(
                            "the producer blocked after {sent} Sent reports without reporting \
                             Progress::Full: try `try_send` first, and report Full before \
                             blocking in `send`"
                        );
                    }
                    continue;
                }
            };
            handled += 1;
            match next {
                Progress::Sent => {
                    sent += 1;
                    assert!(
                        sent - taken <= capacity,
                        "the producer got {} messages ahead of a consumer that took {taken}, \
                         with a capacity of {capacity}: use mpsc::sync_channel(capacity)",
                        sent - taken
                    );
                }
                Progress::Full => {
                    assert_eq!(
                        sent - taken,
                        capacity,
                        "the producer reported Full with {} messages waiting in a channel of \
                         capacity {capacity}",
                        sent - taken
                    );
                    if taken == 0 {
                        watch.until_blocked(
                            &|| false,
                            "the producer",
                            "the channel was full",
                            "after reporting Full, wait in a blocking `send` until the consumer \
                             makes room: a `try_send` loop burns CPU, a sleep only guesses",
                        );
                    }
                    assert_eq!(rx.recv(), Ok(taken), "messages out of order");
                    taken += 1;
                }
            }
        }
        assert_eq!(sent, items, "every item must be sent");
        let rest: Vec<usize> = rx.iter().collect();
        assert_eq!(
            rest,
            (taken..items).collect::<Vec<_>>(),
            "the last messages"
        );
    }

    #[test]
    fn the_producer_stays_at_most_capacity_ahead() {
        consume_slowly(20, 3);
    }

    #[test]
    fn a_channel_of_one_holds_one_message() {
        consume_slowly(10, 1);
    }

    #[test]
    fn a_fast_consumer_gets_everything_in_order() {
        let rx = start_producer((0..1000).collect::<Vec<u32>>(), 4, |_| {});
        assert!(rx.iter().eq(0..1000), "messages lost or out of order");
    }

    #[test]
    fn the_producer_stops_when_the_receiver_is_dropped() {
        let (report, progress) = reporter();
        drop(start_producer((0..100).collect::<Vec<u32>>(), 2, report));
        let mut sent = 0;
        loop {
            match progress.recv_timeout(BOUND) {
                Ok(Progress::Sent) => sent += 1,
                Ok(Progress::Full) => {}
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("the producer is still running although nobody will ever receive")
                }
            }
        }
        assert!(
            sent <= 2,
            "{sent} messages were sent after the receiver was dropped"
        );
    }
}
