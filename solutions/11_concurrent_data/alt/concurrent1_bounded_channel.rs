// ALT: a crossbeam bounded channel used without blocking (try_send, try_iter) instead of an ArrayQueue

use crossbeam::channel::{Receiver, Sender, TrySendError, bounded};

/// Messages waiting to be sent, at most `capacity` of them, shared by any number of
/// producers and senders.
pub struct Outbox<T> {
    tx: Sender<T>,
    rx: Receiver<T>,
}

impl<T> Outbox<T> {
    /// An outbox for at most `capacity` messages (at least one).
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "a bounded(0) channel has no room at all");
        let (tx, rx) = bounded(capacity);
        Outbox { tx, rx }
    }

    /// Queues `message`, or hands it back at once when the outbox is full.
    pub fn offer(&self, message: T) -> Result<(), T> {
        // `push`, not `force_push`: a full outbox refuses the new message and keeps the
        // queued ones; the caller gets the message back and decides.
        self.tx.try_send(message).map_err(|error| match error {
            TrySendError::Full(message) | TrySendError::Disconnected(message) => message,
        })
    }

    /// Takes every message queued now, oldest first; empty at once when there is none.
    pub fn drain(&self) -> Vec<T> {
        // `None` means "empty right now": stop there, do not wait for more.
        self.rx.try_iter().collect()
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
