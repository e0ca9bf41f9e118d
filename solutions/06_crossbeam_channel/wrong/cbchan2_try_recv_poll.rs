// WRONG: polls both inputs with `try_recv` in a loop instead of waiting on them
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

use crossbeam::channel::{Receiver, Sender, unbounded};
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
    use crossbeam::channel::TryRecvError;
    let (mut left_open, mut right_open) = (true, true);
    while left_open || right_open {
        if left_open {
            match left.try_recv() {
                Ok(value) => forward(&out, Event::Left(value)),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    forward(&out, Event::LeftClosed);
                    left_open = false;
                }
            }
        }
        if right_open {
            match right.try_recv() {
                Ok(value) => forward(&out, Event::Right(value)),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    forward(&out, Event::RightClosed);
                    right_open = false;
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam::channel::{RecvTimeoutError, bounded};
    use std::time::Duration;
    use threadlings_testkit::Watch;

    const BOUND: Duration = Duration::from_secs(3);

    /// Starts `merge` on its own thread; returns the merged stream. The stream is bounded
    /// so that a runaway `merge` blocks instead of filling the memory.
    fn start_merge(left: Receiver<u32>, right: Receiver<u32>) -> Receiver<Event> {
        let (out_tx, out_rx) = bounded(16);
        thread::spawn(move || merge(left, right, out_tx));
        out_rx
    }

    /// Takes the next event, or fails clearly if none comes.
    fn next_event(out: &Receiver<Event>, waiting_for: &str) -> Option<Event> {
        match out.recv_timeout(BOUND) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => panic!(
                "merge is stuck while waiting for {waiting_for}: once both inputs are closed \
                 it must return"
            ),
        }
    }

    /// Collects the merged stream until `merge` returns (and drops `out`).
    fn collect_all(out: &Receiver<Event>) -> Vec<Event> {
        let events: Vec<Event> = std::iter::from_fn(|| next_event(out, "the rest of the stream"))
            .take(1000)
            .collect();
        assert!(
            events.len() < 1000,
            "merge sent 1000 events and counting, ending with {:?}: a closed input is always \
             ready, so select! keeps picking it; swap it for never()",
            events.last()
        );
        events
    }

    fn values(events: &[Event], pick: fn(&Event) -> Option<u32>) -> Vec<u32> {
        events.iter().filter_map(pick).collect()
    }

    fn left_value(event: &Event) -> Option<u32> {
        match event {
            Event::Left(value) => Some(*value),
            _ => None,
        }
    }

    fn right_value(event: &Event) -> Option<u32> {
        match event {
            Event::Right(value) => Some(*value),
            _ => None,
        }
    }

    /// Both inputs filled and closed before `merge` starts.
    fn closed_input(values: &[u32]) -> Receiver<u32> {
        let (tx, rx) = unbounded();
        for &value in values {
            tx.send(value).unwrap();
        }
        rx
    }

    #[test]
    fn every_message_of_both_inputs_is_forwarded() {
        let events = collect_all(&start_merge(
            closed_input(&[1, 2, 3]),
            closed_input(&[10, 20, 30, 40]),
        ));
        assert_eq!(values(&events, left_value), vec![1, 2, 3], "left messages");
        assert_eq!(
            values(&events, right_value),
            vec![10, 20, 30, 40],
            "right messages"
        );
    }

    #[test]
    fn each_input_is_reported_closed_once_after_its_messages() {
        let events = collect_all(&start_merge(
            closed_input(&[1, 2, 3]),
            closed_input(&[10, 20, 30, 40]),
        ));
        for (closed, pick) in [
            (Event::LeftClosed, left_value as fn(&Event) -> Option<u32>),
            (Event::RightClosed, right_value),
        ] {
            let at: Vec<usize> = (0..events.len()).filter(|&i| events[i] == closed).collect();
            assert_eq!(
                at.len(),
                1,
                "{closed:?} must appear exactly once (merge must not stop at the first \
                 closed input): {events:?}"
            );
            assert!(
                events[at[0]..].iter().all(|event| pick(event).is_none()),
                "{closed:?} came before the end of that input: {events:?}"
            );
        }
    }

    #[test]
    fn merge_keeps_listening_after_one_input_closes() {
        let (left_tx, left_rx) = unbounded();
        let (right_tx, right_rx) = unbounded();
        let out = start_merge(left_rx, right_rx);
        left_tx.send(1).unwrap();
        drop(left_tx);
        // The right input stays open and silent until merge has seen the left one close.
        let mut events = Vec::new();
        while events.last() != Some(&Event::LeftClosed) {
            let event = next_event(&out, "LeftClosed").expect("merge ended too early");
            events.push(event);
        }
        for value in [7, 8, 9] {
            right_tx
                .send(value)
                .expect("merge stopped listening to the right input when the left one closed");
        }
        drop(right_tx);
        events.extend(collect_all(&out));
        assert_eq!(
            events,
            vec![
                Event::Left(1),
                Event::LeftClosed,
                Event::Right(7),
                Event::Right(8),
                Event::Right(9),
                Event::RightClosed,
            ]
        );
    }

    #[test]
    fn one_quiet_input_does_not_hold_up_the_other() {
        // One input stays open and silent while the other sends: merge must forward what
        // arrives, whichever side is quiet, and wait for both, blocked.
        for quiet in ["left", "right"] {
            let watch = Watch::start();
            let (left_tx, left_rx) = unbounded();
            let (right_tx, right_rx) = unbounded();
            let out = start_merge(left_rx, right_rx);
            let expected = if quiet == "left" {
                (1..=3).map(|v| right_tx.send(v).unwrap()).count();
                vec![Event::Right(1), Event::Right(2), Event::Right(3)]
            } else {
                (1..=3).map(|v| left_tx.send(v).unwrap()).count();
                vec![Event::Left(1), Event::Left(2), Event::Left(3)]
            };
            watch.until_blocked(
                &|| false,
                "merge",
                &format!("the {quiet} input was open and quiet"),
                "wait on both inputs at once with `select!`: draining one input before the \
                 other waits forever on a quiet one, and a `try_recv` loop or a timeout polls",
            );
            let forwarded: Vec<Event> = out.try_iter().collect();
            drop((left_tx, right_tx));
            collect_all(&out);
            assert_eq!(
                forwarded, expected,
                "while the {quiet} input was open and quiet, merge forwarded {forwarded:?}: \
                 it must forward each message as soon as it arrives, from either input"
            );
        }
    }

    #[test]
    fn merge_returns_once_both_inputs_close() {
        let events = collect_all(&start_merge(closed_input(&[]), closed_input(&[])));
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(events.contains(&Event::LeftClosed) && events.contains(&Event::RightClosed));
    }
}
