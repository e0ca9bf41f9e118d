// WRONG: `pop` polls: it locks, looks, unlocks and yields in a loop instead of waiting on the Condvar
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

/// A bounded first-in first-out buffer between producer and consumer threads.
#[derive(Debug)]
pub struct Buffer<T> {
    items: Mutex<VecDeque<T>>,
    /// Consumers wait here for an item.
    not_empty: Condvar,
    /// Producers wait here for room.
    not_full: Condvar,
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
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity,
        }
    }

    /// Adds `item` at the back; waits, blocked, while the buffer is full.
    pub fn push(&self, item: T) {
        let items = self
            .items
            .lock()
            .expect("a thread panicked with the buffer");
        // Sleeps with the lock released; re-checks after every wake-up.
        let mut items = self
            .not_full
            .wait_while(items, |items| items.len() >= self.capacity)
            .expect("a thread panicked with the buffer");
        items.push_back(item);
        // One item: one consumer can use it. Consumers and producers wait on different
        // Condvars, so this never wakes a producer that cannot use it.
        self.not_empty.notify_one();
    }

    /// Takes the item at the front; waits, blocked, while the buffer is empty.
    pub fn pop(&self) -> T {
        loop {
            let mut items = self.items.lock().unwrap();
            if let Some(item) = items.pop_front() {
                self.not_full.notify_one();
                return item;
            }
            drop(items);
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
