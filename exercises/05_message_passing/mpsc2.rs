//! # Many producers, one consumer
//!
//! The "mp" in `mpsc` is *multiple producers*: a `Sender` can be cloned, and every clone
//! feeds the same channel. Give each producer thread its own clone (`tx.clone()`), move it
//! in, and the single `Receiver` gets the messages of all of them, interleaved in whatever
//! order they arrive. Messages from one sender still arrive in the order that sender sent
//! them.
//!
//! `send` moves its value, and so does a `move` closure: the stub moves the one and only
//! `tx` into the first producer, so the compiler refuses to move it again on the next turn
//! of the loop. Give every producer a clone instead, and drop the original, so the channel
//! closes once the last producer is done.
//!
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/struct.Sender.html>
//! - The Rust book, 16.2 ("Creating Multiple Producers by Cloning the Transmitter"):
//!   <https://doc.rust-lang.org/book/ch16-02-message-passing.html>
//! - rust_howto, message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use std::sync::mpsc;
use std::thread;

/// One message: which producer sent it, and its position in that producer's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Message {
    pub producer: usize,
    pub seq: usize,
}

/// Starts `producers` threads. Producer `id` first calls `ready(id)`, then sends
/// `Message { producer: id, seq }` for every `seq` in `0..per_producer`. Returns every
/// message, in the order the caller received them, once all producers are done.
pub fn gather<F>(producers: usize, per_producer: usize, ready: F) -> Vec<Message>
where
    F: Fn(usize) + Clone + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let mut handles = Vec::new();
    for id in 0..producers {
        // TODO: `tx` moves into this producer's closure, so it is gone on the next turn of
        // the loop. Give every producer its own Sender instead.
        let ready = ready.clone();
        handles.push(thread::spawn(move || {
            ready(id);
            for seq in 0..per_producer {
                tx.send(Message { producer: id, seq })
                    .expect("the caller stopped listening");
            }
        }));
    }
    // The caller's own Sender must go too, or the channel never closes and the loop below
    // never ends.
    drop(tx);

    let received: Vec<Message> = rx.iter().collect();
    for handle in handles {
        if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
    }
    received
}

fn main() {
    let messages = gather(3, 4, |id| println!("producer {id} starts sending"));
    for message in messages {
        println!("from producer {}: #{}", message.producer, message.seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn every_message_arrives_exactly_once() {
        let mut received = gather(4, 100, |_| {});
        received.sort_unstable();
        let expected: Vec<Message> = (0..4)
            .flat_map(|producer| (0..100).map(move |seq| Message { producer, seq }))
            .collect();
        assert_eq!(received.len(), expected.len(), "wrong number of messages");
        assert!(
            received == expected,
            "some messages were lost or duplicated"
        );
    }

    #[test]
    fn each_producers_messages_keep_their_order() {
        let received = gather(3, 50, |_| {});
        for producer in 0..3 {
            let seqs: Vec<usize> = received
                .iter()
                .filter(|message| message.producer == producer)
                .map(|message| message.seq)
                .collect();
            assert_eq!(
                seqs,
                (0..50).collect::<Vec<_>>(),
                "producer {producer}'s messages"
            );
        }
    }

    #[test]
    fn producers_run_at_the_same_time() {
        // Every producer waits at the gate before it sends: once `gather` is blocked, all
        // four must be waiting there together.
        let gate = Arc::new(Gate::new("the producers"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`gather`", move || gather(4, 10, move |_| held.wait()));
        running.until_blocked(
            "its producers were held at the gate",
            "receive until every Sender is gone",
        );
        let waiting = gate.waiting();
        gate.open();
        assert_eq!(
            waiting, 4,
            "only {waiting} of 4 producers ran at the same time: spawn them all before \
             joining any of them"
        );
        assert_eq!(running.join().len(), 40);
    }

    #[test]
    fn waits_for_a_quiet_producer_however_long_it_takes() {
        // Producer 2 stays quiet (its Sender open, nothing sent) until the test lets it
        // go, while the others have sent everything: `gather` must wait for it, blocked.
        let gate = Arc::new(Gate::new("producer 2"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`gather`", move || {
            gather(3, 5, move |id| {
                if id == 2 {
                    held.wait();
                }
            })
        });
        running.until_blocked(
            "producer 2 was still quiet",
            "receive until the channel closes (`rx.iter()`, or `recv` until `Err`): an idle \
             timeout or a poll ends early when a producer is slow",
        );
        gate.open();
        assert_eq!(running.join().len(), 15);
    }

    #[test]
    fn no_producers_means_no_messages() {
        assert_eq!(gather(0, 10, |_| {}), Vec::new());
    }
}
