// ALT: parking_lot's Mutex and Condvar (`wait_while` on `&mut guard`, no poisoning)
use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
use std::sync::Arc;
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
        let mut items = self.items.lock();
        // parking_lot's `wait_while` takes the guard by `&mut`.
        self.not_full
            .wait_while(&mut items, |items| items.len() >= self.capacity);
        items.push_back(item);
        self.not_empty.notify_one();
    }

    /// Takes the item at the front; waits, blocked, while the buffer is empty.
    pub fn pop(&self) -> T {
        let mut items = self.items.lock();
        self.not_empty
            .wait_while(&mut items, |items| items.is_empty());
        let item = items.pop_front().unwrap();
        self.not_full.notify_one();
        item
    }

    /// How many items are in the buffer now.
    pub fn len(&self) -> usize {
        self.items.lock().len()
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
