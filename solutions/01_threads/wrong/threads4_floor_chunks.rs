// WRONG: rounds the chunk length down, so it starts more workers than asked for
//! # Scoped threads: borrowing instead of moving
//!
//! `thread::spawn` wants a closure that owns everything it touches (`'static`): the thread
//! might outlive the caller's data. Threads spawned with `scope.spawn` inside
//! `thread::scope` are all joined before `scope` returns, so they may borrow the caller's
//! locals (a slice, a predicate, a counter) with no `Arc` and no clone.
//!
//! Scoped threads feed a channel well: each worker sends what it finds on its own clone of
//! the `Sender` while the caller receives. `rx.iter()` ends only when every `Sender` is
//! gone, the caller's original `tx` included: drop it once the workers have their clones.
//!
//! `find_lines` spawns its workers with `thread::spawn`, which cannot borrow `lines` or
//! `is_match`. Spawn them in a scope instead.
//!
//! - std: <https://doc.rust-lang.org/std/thread/fn.scope.html>,
//!   <https://doc.rust-lang.org/std/sync/mpsc/fn.channel.html>
//! - Rust Atomics and Locks, 1, "Scoped threads":
//!   <https://marabos.nl/atomics/basics.html#scoped-threads>
//! - rust_howto, explicit threads:
//!   <https://john-cd.com/rust_howto/categories/concurrency/explicit_threads.html>

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread;

/// Finds the lines for which `is_match` is true. `workers` threads scan the lines at the
/// same time, each one its own contiguous chunk. Returns each matching line, borrowed from
/// `lines`, keyed by its index.
pub fn find_lines<P>(lines: &[String], workers: usize, is_match: P) -> BTreeMap<usize, &str>
where
    P: Fn(&str) -> bool + Sync,
{
    assert!(workers > 0, "at least one worker is needed");
    // Round up so that `workers` chunks cover every line; `chunks` needs a length of 1+.
    let chunk_len = (lines.len() / workers).max(1);
    let (tx, rx) = mpsc::channel();
    // Each worker's `move` closure copies this reference, not the predicate itself.
    let is_match = &is_match;
    thread::scope(|scope| {
        for (chunk_index, chunk) in lines.chunks(chunk_len).enumerate() {
            let tx = tx.clone();
            scope.spawn(move || {
                let first = chunk_index * chunk_len;
                for (offset, line) in chunk.iter().enumerate() {
                    if is_match(line) {
                        // A `&str` into `lines`: the line itself travels, not a copy of it.
                        tx.send((first + offset, line.as_str()))
                            .expect("the receiver lives until the scope ends");
                    }
                }
            });
        }
        // The workers hold the only senders that matter; without this the loop below
        // would wait for the caller's own `tx` forever.
        drop(tx);
        // Receive while the workers are still scanning; the scope joins them at its end.
        rx.iter().collect()
    })
}

fn main() {
    let poem: Vec<String> = [
        "Tyger Tyger, burning bright,",
        "In the forests of the night;",
        "What immortal hand or eye,",
        "Could frame thy fearful symmetry?",
        "In what distant deeps or skies.",
        "Burnt the fire of thine eyes?",
    ]
    .map(String::from)
    .to_vec();
    let word = String::from("the");
    for (index, line) in find_lines(&poem, 3, |line| line.contains(word.as_str())) {
        println!("line {index}: {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use threadlings_testkit::{Gate, Running};

    fn owned(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|line| line.to_string()).collect()
    }

    #[test]
    fn finds_every_matching_line() {
        let lines = owned(&["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]);
        // The predicate borrows a local of this test: only scoped threads can use it.
        let needle = String::from("ta");
        let found = find_lines(&lines, 3, |line| line.contains(needle.as_str()));
        assert_eq!(
            found,
            BTreeMap::from([(1, "beta"), (3, "delta"), (5, "zeta"), (6, "eta")])
        );
    }

    #[test]
    fn matches_borrow_the_callers_lines() {
        let lines = owned(&["one", "two", "three"]);
        let found = find_lines(&lines, 2, |_| true);
        assert_eq!(found.len(), 3, "every line matches");
        for (index, line) in found {
            assert!(
                std::ptr::eq(line, lines[index].as_str()),
                "line {index} is a copy: send a `&str` borrowed from `lines`"
            );
        }
    }

    #[test]
    fn each_line_is_checked_exactly_once() {
        let lines = owned(&["a"; 10]);
        let checks = AtomicUsize::new(0);
        let found = find_lines(&lines, 4, |_| {
            checks.fetch_add(1, Ordering::Relaxed);
            false
        });
        assert!(found.is_empty());
        assert_eq!(
            checks.load(Ordering::Relaxed),
            10,
            "the chunks must cover every line exactly once"
        );
    }

    #[test]
    fn uses_the_requested_number_of_workers() {
        for (count, workers) in [(9, 3), (10, 4), (7, 2)] {
            let lines = owned(&vec!["x"; count]);
            let threads = Mutex::new(HashSet::new());
            find_lines(&lines, workers, |_| {
                threads.lock().unwrap().insert(thread::current().id());
                false
            });
            assert_eq!(
                threads.into_inner().unwrap().len(),
                workers,
                "{count} lines and {workers} workers: round the chunk length up \
                 (`div_ceil`), so that exactly {workers} chunks cover the lines, each \
                 scanned on its own thread"
            );
        }
    }

    #[test]
    fn workers_scan_at_the_same_time() {
        // Four lines for four workers: one line each, and every worker waits inside the
        // predicate until the test opens the gate. Once `find_lines` is blocked, all four
        // must be waiting there together.
        let gate = Arc::new(Gate::new("the workers"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`find_lines`", move || {
            let lines = owned(&["w", "x", "y", "z"]);
            find_lines(&lines, 4, |_| {
                held.wait();
                true
            })
            .len()
        });
        running.until_blocked(
            "its workers were held at the gate",
            "let the scope wait for the workers",
        );
        assert_eq!(
            gate.waiting(),
            4,
            "only {} of 4 workers were scanning at the same time: spawn them all in the \
             scope before joining any (the scope joins them for you at its end)",
            gate.waiting()
        );
        gate.open();
        assert_eq!(running.join(), 4);
    }

    #[test]
    fn returns_once_every_worker_is_done() {
        let running = Running::spawn("`find_lines`", || {
            let lines = owned(&["a", "b", "c", "d", "e"]);
            find_lines(&lines, 2, |line| line != "c").len()
        });
        running.until_finished(
            "the receiving loop still waits for a Sender: drop the caller's own `tx` once \
             the workers have their clones, so `rx.iter()` ends when the last worker does",
        );
        assert_eq!(running.join(), 4);
    }

    #[test]
    fn more_workers_than_lines_or_no_lines_at_all() {
        let lines = owned(&["only", "two"]);
        assert_eq!(
            find_lines(&lines, 5, |line| line == "two"),
            BTreeMap::from([(1, "two")])
        );
        assert!(find_lines(&[], 3, |_| true).is_empty());
    }
}
