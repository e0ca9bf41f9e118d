//! # `Condvar`: wait until the shared state says go
//!
//! A consumer that finds the buffer empty must wait until a producer adds something. A
//! loop that locks, looks and unlocks again *polls*: it burns a core doing nothing, and
//! sleeping between looks only trades CPU for delay. A `Condvar` (condition variable) lets
//! the thread sleep until another thread says the state changed: `wait` releases the
//! mutex and sleeps, atomically, and takes the mutex again before it returns.
//!
//! A wake-up is only a hint: it may be spurious, or another thread may have taken the
//! item first. So always check the condition again after waking up, in a loop.
//! `Condvar::wait_while(guard, |state| condition)` is that loop, written once. The other
//! side changes the state under the lock, then calls `notify_one` (one waiter can use the
//! change) or `notify_all` (any of them may).
//!
//! - std, `Condvar`: <https://doc.rust-lang.org/std/sync/struct.Condvar.html>
//! - std, `wait_while`: <https://doc.rust-lang.org/std/sync/struct.Condvar.html#method.wait_while>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::thread;

/// A bounded first-in first-out buffer between producer and consumer threads.
#[derive(Debug)]
pub struct Buffer<T> {
    items: Mutex<VecDeque<T>>,
    // TODO: something for waiting threads to sleep on.
    capacity: usize,
}

impl<T> Buffer<T> {
    /// An empty buffer that holds at most `capacity` items.
    ///
    /// # Panics
    /// If `capacity` is 0.
    pub fn new(capacity: usize) -> Buffer<T> {
        assert!(capacity > 0, "a buffer needs room for at least one item");
        Buffer {
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
        }
    }

    /// Adds `item` at the back; waits, blocked, while the buffer is full.
    pub fn push(&self, item: T) {
        // TODO: this loop polls. Wait until there is room instead, and wake a consumer.
        let mut item = Some(item);
        loop {
            let mut items = self.items.lock().unwrap();
            if items.len() < self.capacity {
                items.push_back(item.take().unwrap());
                return;
            }
            drop(items);
            thread::yield_now();
        }
    }

    /// Takes the item at the front; waits, blocked, while the buffer is empty.
    pub fn pop(&self) -> T {
        // TODO: this loop polls. Wait until there is an item instead, and wake a producer.
        loop {
            if let Some(item) = self.items.lock().unwrap().pop_front() {
                return item;
            }
            thread::yield_now();
        }
    }

    /// How many items are in the buffer now.
    pub fn len(&self) -> usize {
        self.items
            .lock()
            .expect("a thread panicked with the buffer")
            .len()
    }

    /// Whether the buffer is empty now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn main() {
    let buffer = Arc::new(Buffer::new(2));
    let consumer = {
        let buffer = Arc::clone(&buffer);
        thread::spawn(move || (0..5).map(|_| buffer.pop()).sum::<u32>())
    };
    for item in 1..=5 {
        buffer.push(item);
        println!("pushed {item}, {} waiting in the buffer", buffer.len());
    }
    println!(
        "the consumer's sum: {}",
        consumer.join().expect("the consumer panicked")
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use threadlings_testkit::Running;

    #[test]
    fn a_consumer_waits_blocked_while_the_buffer_is_empty() {
        let buffer = Arc::new(Buffer::new(2));
        let consumer = {
            let buffer = Arc::clone(&buffer);
            Running::spawn("`pop`", move || buffer.pop())
        };
        consumer.until_blocked(
            "the buffer was empty",
            "wait on a Condvar (`wait_while`) until a producer notifies: a loop that \
             re-locks and looks again, with or without a sleep or a timeout, polls",
        );
        buffer.push(7);
        consumer.until_finished(
            "`push` must notify a waiting consumer (`notify_one` or `notify_all` on the \
             Condvar it waits on)",
        );
        assert_eq!(consumer.join(), 7);
    }

    #[test]
    fn a_producer_waits_blocked_while_the_buffer_is_full() {
        let buffer = Arc::new(Buffer::new(2));
        buffer.push(1);
        buffer.push(2);
        let producer = {
            let buffer = Arc::clone(&buffer);
            Running::spawn("`push`", move || buffer.push(3))
        };
        producer.until_blocked(
            "the buffer was full",
            "a full buffer must make `push` wait on a Condvar (`wait_while`) until a \
             consumer makes room",
        );
        assert_eq!(buffer.len(), 2, "`push` added an item to a full buffer");
        assert_eq!(buffer.pop(), 1);
        producer.until_finished(
            "`pop` must notify a producer waiting for room (on the Condvar it waits on)",
        );
        producer.join();
        assert_eq!((buffer.pop(), buffer.pop()), (2, 3));
    }

    #[test]
    fn a_woken_consumer_checks_again_before_taking() {
        // Two consumers wait; one item arrives. One consumer takes it; the other must go
        // back to waiting (not take from an empty buffer) until the second item arrives.
        let buffer = Arc::new(Buffer::new(4));
        let taken = Arc::new(Mutex::new(Vec::new()));
        let consumers = {
            let (buffer, taken) = (Arc::clone(&buffer), Arc::clone(&taken));
            Running::spawn("two `pop`s", move || {
                let handles: Vec<_> = (0..2)
                    .map(|_| {
                        let (buffer, taken) = (Arc::clone(&buffer), Arc::clone(&taken));
                        thread::spawn(move || {
                            let item = buffer.pop();
                            taken.lock().unwrap().push(item);
                        })
                    })
                    .collect();
                for handle in handles {
                    if let Err(panic) = handle.join() {
                        std::panic::resume_unwind(panic);
                    }
                }
            })
        };
        consumers.until_blocked("the buffer was empty", "both consumers must wait, blocked");
        buffer.push(1);
        consumers.until_blocked(
            "one item had been taken and the buffer was empty again",
            "a consumer woken with nothing to take must wait again: check the condition \
             in a loop after every wake-up (`wait_while` does)",
        );
        assert_eq!(*taken.lock().unwrap(), vec![1]);
        buffer.push(2);
        consumers.until_finished("the second consumer never got the second item");
        consumers.join();
        assert_eq!(*taken.lock().unwrap(), vec![1, 2]);
    }

    #[test]
    fn many_producers_and_consumers_pass_every_item_once() {
        let buffer = Arc::new(Buffer::new(3));
        let producers: Vec<_> = (0..4)
            .map(|producer| {
                let buffer = Arc::clone(&buffer);
                thread::spawn(move || {
                    for item in 0..250 {
                        buffer.push(producer * 250 + item);
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                let buffer = Arc::clone(&buffer);
                thread::spawn(move || (0..250).map(|_| buffer.pop()).collect::<Vec<u32>>())
            })
            .collect();
        for producer in producers {
            producer.join().expect("a producer panicked");
        }
        let mut all: Vec<u32> = consumers
            .into_iter()
            .flat_map(|consumer| consumer.join().expect("a consumer panicked"))
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        assert!(buffer.is_empty());
    }

    #[test]
    fn items_come_out_in_the_order_they_went_in() {
        let buffer = Buffer::new(3);
        for item in ["a", "b", "c"] {
            buffer.push(item);
        }
        assert_eq!([buffer.pop(), buffer.pop(), buffer.pop()], ["a", "b", "c"]);
    }
}
