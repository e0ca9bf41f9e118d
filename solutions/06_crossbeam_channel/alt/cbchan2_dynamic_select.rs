// ALT: the dynamic `Select` API: a closed input is removed from the set instead of replaced by `never()`
//! # `select!`: waiting on several channels at once
//!
//! `recv` waits on one channel. To take whatever arrives first from *several* channels,
//! crossbeam has `select!`: list one `recv(rx) -> msg => ...` arm per channel, and it runs
//! the arm of the first operation that is ready (a random one if several are).
//!
//! A disconnected channel counts as ready: its `recv` returns `Err` at once, every time.
//! So when one input closes, stopping the loop drops whatever the other input still has
//! to say, and ignoring the `Err` spins forever on the dead channel. The crossbeam idiom:
//! replace the closed receiver with `crossbeam::channel::never()`, a receiver that is
//! never ready, and stop once both inputs are closed.
//!
//! `merge` stops at the first closed input. Keep going until both are closed.
//!
//! - crossbeam-channel, `select!`:
//!   <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/macro.select.html>,
//!   `never`: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/fn.never.html>
//! - rust_howto, message passing (crossbeam-channel):
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{Receiver, Select, Sender, unbounded};
use std::thread;

/// What `merge` forwards: a message, tagged with the input it came from, or the news
/// that an input has closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Left(u32),
    Right(u32),
    LeftClosed,
    RightClosed,
}

/// Forwards every message of `left` and `right` to `out` as it arrives, tagged with its
/// input. When an input closes, sends `LeftClosed` or `RightClosed` once and keeps
/// forwarding the other one. Returns once both inputs are closed.
pub fn merge(left: Receiver<u32>, right: Receiver<u32>, out: Sender<Event>) {
    let mut select = Select::new();
    let left_index = select.recv(&left);
    let right_index = select.recv(&right);
    let mut open = 2;
    while open > 0 {
        let operation = select.select();
        let index = operation.index();
        let (message, input, value_of, closed): (_, _, fn(u32) -> Event, _) = if index == left_index
        {
            (
                operation.recv(&left),
                left_index,
                Event::Left,
                Event::LeftClosed,
            )
        } else {
            (
                operation.recv(&right),
                right_index,
                Event::Right,
                Event::RightClosed,
            )
        };
        match message {
            Ok(value) => forward(&out, value_of(value)),
            Err(_) => {
                forward(&out, closed);
                // A removed operation is never selected again.
                select.remove(input);
                open -= 1;
            }
        }
    }
}

fn forward(out: &Sender<Event>, event: Event) {
    out.send(event)
        .expect("nobody listens to the merged stream");
}

fn main() {
    let (left_tx, left_rx) = unbounded();
    let (right_tx, right_rx) = unbounded();
    let (out_tx, out_rx) = unbounded();
    let merger = thread::spawn(move || merge(left_rx, right_rx, out_tx));
    for i in 0..3 {
        left_tx.send(i).unwrap();
        right_tx.send(100 + i).unwrap();
    }
    drop(left_tx);
    right_tx.send(999).unwrap();
    drop(right_tx);
    for event in out_rx {
        println!("{event:?}");
    }
    merger.join().unwrap();
}
