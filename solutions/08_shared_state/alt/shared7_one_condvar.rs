// ALT: one Condvar for producers and consumers, with `notify_all`
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

/// A bounded first-in first-out buffer between producer and consumer threads.
#[derive(Debug)]
pub struct Buffer<T> {
    items: Mutex<VecDeque<T>>,
    /// Producers and consumers both wait here.
    changed: Condvar,
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
            changed: Condvar::new(),
            capacity,
        }
    }

    /// Adds `item` at the back; waits, blocked, while the buffer is full.
    pub fn push(&self, item: T) {
        let items = self.items.lock().unwrap();
        let mut items = self
            .changed
            .wait_while(items, |items| items.len() >= self.capacity)
            .unwrap();
        items.push_back(item);
        // One Condvar for both kinds of waiter: `notify_one` could wake a producer that
        // cannot use the item, and the consumer that could would sleep on. Wake them all.
        self.changed.notify_all();
    }

    /// Takes the item at the front; waits, blocked, while the buffer is empty.
    pub fn pop(&self) -> T {
        let items = self.items.lock().unwrap();
        let mut items = self
            .changed
            .wait_while(items, |items| items.is_empty())
            .unwrap();
        let item = items.pop_front().unwrap();
        self.changed.notify_all();
        item
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
