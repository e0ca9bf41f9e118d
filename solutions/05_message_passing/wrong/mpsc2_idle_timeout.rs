// WRONG: keeps the caller's Sender and stops receiving after 100 ms of silence
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
        // Each producer owns its own Sender; they all feed the same channel.
        let tx = tx.clone();
        let ready = ready.clone();
        handles.push(thread::spawn(move || {
            ready(id);
            for seq in 0..per_producer {
                tx.send(Message { producer: id, seq })
                    .expect("the caller stopped listening");
            }
        }));
    }
    // The producers hold clones; the caller's own Sender would keep the channel open
    // forever, so the loop below would never end.
    let mut received = Vec::new();
    while let Ok(message) = rx.recv_timeout(std::time::Duration::from_millis(100)) {
        received.push(message);
    }
    drop(tx);
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
