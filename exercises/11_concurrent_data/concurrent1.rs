//! # A bounded MPMC queue: `ArrayQueue`, and back-pressure without blocking
//!
//! `crossbeam::queue::ArrayQueue<T>` is a fixed-capacity queue that any number of threads
//! push to and pop from at once, without a lock. Its capacity is its point: when consumers
//! fall behind, the queue fills up instead of eating all the memory, and the producer must
//! decide what to do. `push` never blocks: when the queue is full it returns
//! `Err(item)`, handing the item back so that nothing is lost silently. The caller can
//! retry later, slow down, count a drop, or write it elsewhere (this is *back-pressure*).
//! `pop` never blocks either: `None` means "empty right now", not "finished".
//!
//! Mind the neighbour `force_push`: it makes room by evicting the *oldest* item (a ring
//! buffer of recent samples), which is not what a producer asking "is there room?" wants.
//! And a full queue is not a reason to spin: the caller asked for an answer at once.
//!
//! - crossbeam: <https://docs.rs/crossbeam/0.8/crossbeam/queue/struct.ArrayQueue.html>
//! - rust_howto, concurrent data structures:
//!   <https://john-cd.com/rust_howto/categories/concurrency/concurrent_data_structures.html>

use crossbeam::queue::ArrayQueue;

/// Messages waiting to be sent, at most `capacity` of them, shared by any number of
/// producers and senders.
pub struct Outbox<T> {
    queue: ArrayQueue<T>,
}

impl<T> Outbox<T> {
    /// An outbox for at most `capacity` messages (at least one).
    pub fn new(capacity: usize) -> Self {
        Outbox {
            queue: ArrayQueue::new(capacity),
        }
    }

    /// Queues `message`, or hands it back at once when the outbox is full.
    pub fn offer(&self, message: T) -> Result<(), T> {
        // TODO: `force_push` makes room by throwing the oldest message away, and nobody
        // hears of it. A full outbox must refuse the new message and hand it back.
        self.queue.force_push(message);
        Ok(())
    }

    /// Takes every message queued now, oldest first; empty at once when there is none.
    pub fn drain(&self) -> Vec<T> {
        // TODO: this takes at most one message. Take every message queued now.
        self.queue.pop().into_iter().collect()
    }
}

fn main() {
    let outbox = Outbox::new(4);
    let mut refused = 0;
    for line in ["one", "two", "three", "four", "five", "six"] {
        if let Err(line) = outbox.offer(line) {
            println!("full: {line:?} comes back to the caller");
            refused += 1;
        }
    }
    println!("sent {:?}, {refused} refused", outbox.drain());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use threadlings_testkit::Running;

    /// Offers `message` on a watched thread: fails at once if `offer` waits for room
    /// instead of answering.
    fn offer_now<T: Send + Sync + 'static>(outbox: &Arc<Outbox<T>>, message: T) -> Result<(), T> {
        let outbox = Arc::clone(outbox);
        let offering = Running::spawn("`offer` on a full outbox", move || outbox.offer(message));
        offering.finishes_blocking(
            "when the outbox is full, hand the message back at once instead of waiting for room",
        );
        offering.join()
    }

    #[test]
    fn a_full_outbox_hands_back_the_new_message_and_keeps_the_queued_ones() {
        let outbox = Arc::new(Outbox::new(2));
        assert_eq!(outbox.offer("a"), Ok(()));
        assert_eq!(outbox.offer("b"), Ok(()));
        assert_eq!(
            offer_now(&outbox, "c"),
            Err("c"),
            "a full outbox must refuse the new message and give it back"
        );
        assert_eq!(
            outbox.drain(),
            ["a", "b"],
            "the queued messages, oldest first, none evicted"
        );
        assert_eq!(outbox.offer("d"), Ok(()), "drained: there is room again");
        assert_eq!(outbox.drain(), ["d"]);
    }

    #[test]
    fn offering_to_a_full_outbox_answers_at_once() {
        let outbox = Arc::new(Outbox::new(1));
        outbox.offer(1).unwrap();
        assert_eq!(offer_now(&outbox, 2), Err(2));
        assert_eq!(offer_now(&outbox, 3), Err(3));
        assert_eq!(outbox.drain(), [1]);
    }

    #[test]
    fn draining_an_empty_outbox_answers_at_once() {
        let outbox: Arc<Outbox<u32>> = Arc::new(Outbox::new(3));
        let draining = {
            let outbox = Arc::clone(&outbox);
            Running::spawn("`drain` on an empty outbox", move || outbox.drain())
        };
        draining.finishes_blocking(
            "an empty queue means nothing to send right now: return at once, do not wait",
        );
        assert_eq!(draining.join(), Vec::<u32>::new());
    }

    #[test]
    fn producers_and_senders_at_once_deliver_every_message_exactly_once() {
        const PER_PRODUCER: usize = 300;
        let outbox = Outbox::new(8);
        let producing = AtomicUsize::new(2);
        let mut seen: Vec<usize> = thread::scope(|scope| {
            for producer in 0..2 {
                let (outbox, producing) = (&outbox, &producing);
                scope.spawn(move || {
                    for n in 0..PER_PRODUCER {
                        let mut message = producer * PER_PRODUCER + n;
                        // The test's own back-pressure: wait for room, then offer again.
                        while let Err(back) = outbox.offer(message) {
                            message = back;
                            thread::yield_now();
                        }
                    }
                    producing.fetch_sub(1, Ordering::SeqCst);
                });
            }
            let senders: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            // Producers done and nothing left: everything was delivered.
                            let done = producing.load(Ordering::SeqCst) == 0;
                            let batch = outbox.drain();
                            if done && batch.is_empty() {
                                return mine;
                            }
                            mine.extend(batch);
                            thread::yield_now();
                        }
                    })
                })
                .collect();
            senders
                .into_iter()
                .flat_map(|sender| sender.join().unwrap())
                .collect()
        });
        seen.sort_unstable();
        assert_eq!(
            seen,
            (0..2 * PER_PRODUCER).collect::<Vec<_>>(),
            "every message, exactly once"
        );
    }
}
