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
    deadline: Receiver<Instant>,
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
            // TODO: nothing here listens to `deadline`, so monitor waits for work forever.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam::channel::{bounded, never};
    use threadlings_testkit::Running;

    /// Runs `monitor` on its own watched thread.
    fn run_monitor(
        work: Receiver<u32>,
        ticker: Receiver<Instant>,
        deadline: Receiver<Instant>,
    ) -> Running<Report> {
        Running::spawn("monitor", move || monitor(work, ticker, deadline))
    }

    /// The report, once monitor stops; a monitor stuck waiting fails at once.
    fn report(done: Running<Report>, likely_mistake: &str) -> Report {
        done.until_finished(likely_mistake);
        done.join()
    }

    #[test]
    fn stops_when_the_work_is_done() {
        let (work_tx, work_rx) = unbounded();
        for item in [5, 6, 7] {
            work_tx.send(item).unwrap();
        }
        drop(work_tx);
        let done = run_monitor(work_rx, never(), never());
        let report = report(done, "a closed work channel means the work is done");
        assert_eq!(
            report,
            Report {
                items: vec![5, 6, 7],
                snapshots: vec![],
                stop: Stop::WorkDone
            }
        );
    }

    #[test]
    fn takes_a_snapshot_at_every_tick() {
        // Zero-capacity channels: each `send` below completes only when monitor takes the
        // message, so the test knows exactly what monitor has seen at every tick.
        let (work_tx, work_rx) = bounded(0);
        let (tick_tx, tick_rx) = bounded(0);
        let done = run_monitor(work_rx, tick_rx, never());
        tick_tx.send(Instant::now()).unwrap();
        work_tx.send(1).unwrap();
        work_tx.send(2).unwrap();
        tick_tx.send(Instant::now()).unwrap();
        work_tx.send(3).unwrap();
        tick_tx.send(Instant::now()).unwrap();
        drop(work_tx);
        let report = report(done, "a closed work channel means the work is done");
        assert_eq!(report.items, vec![1, 2, 3]);
        assert_eq!(report.snapshots, vec![0, 2, 3], "items seen at each tick");
        assert_eq!(report.stop, Stop::WorkDone);
    }

    #[test]
    fn stops_at_the_deadline_while_work_is_still_open() {
        let (work_tx, work_rx) = bounded(0);
        let (deadline_tx, deadline_rx) = bounded(1);
        let done = run_monitor(work_rx, never(), deadline_rx);
        work_tx.send(1).unwrap();
        work_tx.send(2).unwrap();
        deadline_tx.send(Instant::now()).unwrap();
        let report = report(
            done,
            "the deadline fired but monitor kept waiting for work: add a recv(deadline) arm \
             that stops the loop",
        );
        assert_eq!(report.items, vec![1, 2]);
        assert_eq!(report.stop, Stop::Deadline);
        // `work_tx` is still alive: only the deadline can have stopped monitor.
        drop(work_tx);
    }

    #[test]
    fn a_deadline_that_has_passed_stops_an_idle_monitor() {
        let (work_tx, work_rx) = unbounded::<u32>();
        let done = run_monitor(work_rx, never(), after(Duration::ZERO));
        let report = report(
            done,
            "the deadline fired but monitor kept waiting for work: add a recv(deadline) arm \
             that stops the loop",
        );
        assert_eq!(report.stop, Stop::Deadline);
        assert!(report.items.is_empty());
        drop(work_tx);
    }

    #[test]
    fn an_idle_monitor_waits_on_its_channels_only() {
        // No work, no tick and no deadline come: monitor has nothing to do but wait on
        // the channels it was given, blocked. Its time comes from those channels only.
        let (work_tx, work_rx) = unbounded::<u32>();
        let done = run_monitor(work_rx, never(), never());
        done.until_blocked(
            "no work, tick or deadline came",
            "wait on the three channels you were given with one `select!`: no timer of your \
             own (`after`, `default(timeout)`, `recv_timeout`), no polling",
        );
        drop(work_tx);
        let report = report(done, "a closed work channel means the work is done");
        assert_eq!(report.stop, Stop::WorkDone);
    }
}
