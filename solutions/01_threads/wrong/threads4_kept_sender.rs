// WRONG: never drops the caller's own Sender, so `rx.iter()` waits forever
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
    let chunk_len = lines.len().div_ceil(workers).max(1);
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
        // `tx` goes away at the end of the function anyway.
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
