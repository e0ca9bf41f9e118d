// WRONG: an `Rc<Cell<u64>>`: not `Sync`, but not `Send` either, so the counter can no longer move to another thread
//! # `Send`, `Sync`, and the promise behind `unsafe impl`
//!
//! A type is `Send` if it can move to another thread, and `Sync` if a `&T` can be shared
//! between threads (`T: Sync` exactly when `&T: Send`). The compiler derives both from a
//! type's fields: `Cell` and `RefCell` are `Send` but not `Sync`, because their unchecked
//! interior mutability would race if two threads used one at once.
//!
//! `unsafe impl Sync for T {}` overrules the compiler. It is a promise you make, and the
//! compiler believes it: a wrong promise compiles, and becomes a data race at run time.
//!
//! `TicketCounter` below hands out ticket numbers with a `Cell`: cheap, and perfectly fine
//! on one thread. Someone "fixed" a compile error by promising it is `Sync`. Make the
//! compiler tell the truth again: a `TicketCounter` must still move to another thread, but
//! sharing one between threads must not compile. This lesson is graded by trybuild: the
//! snippets in `grader/ui-harness/cases/send_sync1/` must (`pass/`) or must not (`fail/`)
//! compile against your file.
//!
//! - std: <https://doc.rust-lang.org/std/marker/trait.Send.html>,
//!   <https://doc.rust-lang.org/std/marker/trait.Sync.html>,
//!   <https://doc.rust-lang.org/std/cell/struct.Cell.html>
//! - The Rustonomicon, Send and Sync: <https://doc.rust-lang.org/nomicon/send-and-sync.html>
//! - rust_howto, Send and Sync: <https://john-cd.com/rust_howto/categories/concurrency/send_sync.html>

use std::cell::Cell;
use std::rc::Rc;

/// Hands out increasing ticket numbers, on one thread at a time.
pub struct TicketCounter {
    next: Rc<Cell<u64>>,
}

impl TicketCounter {
    pub fn new() -> Self {
        TicketCounter {
            next: Rc::new(Cell::new(1)),
        }
    }

    /// The next ticket number.
    pub fn take(&self) -> u64 {
        // `get` then `set` is a read-modify-write with nothing in between on one thread;
        // on two threads at once, both could read the same number.
        let ticket = self.next.get();
        self.next.set(ticket + 1);
        ticket
    }
}

impl Default for TicketCounter {
    fn default() -> Self {
        TicketCounter::new()
    }
}

// No `unsafe impl Sync`: `Cell<u64>` already makes `TicketCounter` `Send` and not `Sync`,
// which is exactly the truth about it.

fn main() {
    let counter = TicketCounter::new();
    println!("first ticket: {}", counter.take());
    // Moving the counter to another thread is fine: only one thread uses it at a time.
    println!("second ticket: {}", counter.take());
}
