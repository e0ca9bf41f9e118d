// WRONG: retries push until there is room: back-pressure turned into a busy wait, and offer never answers while nobody drains

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
        let mut message = message;
        while let Err(back) = self.queue.push(message) {
            message = back;
            std::thread::yield_now();
        }
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
