// WRONG: force_push makes room by evicting the oldest message and reports success: a full outbox silently loses messages

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
        // `push`, not `force_push`: a full outbox refuses the new message and keeps the
        // queued ones; the caller gets the message back and decides.
        self.queue.force_push(message);
        Ok(())
    }

    /// Takes every message queued now, oldest first; empty at once when there is none.
    pub fn drain(&self) -> Vec<T> {
        // `None` means "empty right now": stop there, do not wait for more.
        std::iter::from_fn(|| self.queue.pop()).collect()
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
