// ALT: a Mutex<VecDeque> with a capacity check: correct, with a lock instead of a lock-free queue

use std::collections::VecDeque;
use std::sync::Mutex;

/// Messages waiting to be sent, at most `capacity` of them, shared by any number of
/// producers and senders.
pub struct Outbox<T> {
    queue: Mutex<VecDeque<T>>,
    capacity: usize,
}

impl<T> Outbox<T> {
    /// An outbox for at most `capacity` messages (at least one).
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "an outbox needs room for one message");
        Outbox {
            queue: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
        }
    }

    /// Queues `message`, or hands it back at once when the outbox is full.
    pub fn offer(&self, message: T) -> Result<(), T> {
        // `push`, not `force_push`: a full outbox refuses the new message and keeps the
        // queued ones; the caller gets the message back and decides.
        let mut queue = self.queue.lock().unwrap();
        if queue.len() == self.capacity {
            return Err(message);
        }
        queue.push_back(message);
        Ok(())
    }

    /// Takes every message queued now, oldest first; empty at once when there is none.
    pub fn drain(&self) -> Vec<T> {
        // `None` means "empty right now": stop there, do not wait for more.
        self.queue.lock().unwrap().drain(..).collect()
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
