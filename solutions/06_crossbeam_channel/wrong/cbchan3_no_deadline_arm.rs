// WRONG: never listens to the deadline: only the end of the work stops it
//! # Tickers and deadlines in `select!`
//!
//! crossbeam turns time into channels. `tick(period)` returns a `Receiver<Instant>` that
//! delivers a message every `period`; `after(delay)` one that delivers a single message
//! once `delay` has passed; `never()` one that never delivers anything. Because they are
//! ordinary receivers, a `select!` can wait for "a message, or the next tick, or the
//! deadline, whichever comes first".
//!
//! Taking the ticker and the deadline as parameters, instead of creating them inside,
//! keeps the function testable: `main` passes real `tick`/`after` channels, and the tests
//! pass channels they control, so no test ever waits for a clock.
//!
//! `monitor` collects work items and records a snapshot at every tick, but it has no arm
//! for the deadline yet: it keeps going as long as work may come. Make it stop at the
//! deadline too.
//!
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/fn.tick.html>,
//!   <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/fn.after.html>,
//!   <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/fn.never.html>
//! - rust_howto, message passing (tickers and timeouts):
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{Receiver, after, select, tick, unbounded};
use std::thread;
use std::time::{Duration, Instant};

/// Why `monitor` stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Every work sender was dropped.
    WorkDone,
    /// The deadline fired first.
    Deadline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every work item, in the order received.
    pub items: Vec<u32>,
    /// At each tick: how many items had been received so far.
    pub snapshots: Vec<usize>,
    pub stop: Stop,
}

/// Collects items from `work` until `work` is closed or `deadline` delivers a message,
/// whichever comes first. Each message from `ticker` adds a snapshot: the number of items
/// received so far.
pub fn monitor(
    work: Receiver<u32>,
    ticker: Receiver<Instant>,
    _deadline: Receiver<Instant>,
) -> Report {
    let mut items = Vec::new();
    let mut snapshots = Vec::new();
    let stop = loop {
        select! {
            recv(work) -> msg => match msg {
                Ok(item) => items.push(item),
                Err(_) => break Stop::WorkDone,
            },
            recv(ticker) -> _ => snapshots.push(items.len()),
        }
    };
    Report {
        items,
        snapshots,
        stop,
    }
}

fn main() {
    let (work_tx, work_rx) = unbounded();
    // A producer that sends an item every 30 ms, forever (until monitor stops listening).
    thread::spawn(move || {
        for item in 0.. {
            if work_tx.send(item).is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(30));
        }
    });
    let report = monitor(
        work_rx,
        tick(Duration::from_millis(100)),
        after(Duration::from_millis(450)),
    );
    println!(
        "stopped by {:?} after {} items; snapshots at each tick: {:?}",
        report.stop,
        report.items.len(),
        report.snapshots
    );
}
