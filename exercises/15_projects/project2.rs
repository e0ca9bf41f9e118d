//! # Project: word frequencies, twice
//!
//! Count how often each word occurs in a text, two ways, with the same answer.
//!
//! 1. **Data parallelism** (rayon): the lines are all there. `par_iter().fold(..)` gives
//!    each pool thread its own `HashMap` to count into, with no lock; `.reduce(..)` then
//!    merges those maps pairwise. Run it with `pool.install(..)` so it uses the pool it is
//!    given, not the global one.
//! 2. **A channel pipeline**: the text arrives as a stream. A *reader* thread sends each
//!    line into a `bounded` channel; `counters` *counter* threads share its `Receiver`
//!    (crossbeam channels are multi-consumer), each counting into its own map until the
//!    channel closes, then sending that map to the *merger* (the caller) and ending.
//!    Shutdown is by disconnection all the way: end of input, the reader drops its
//!    `Sender`, the counters' loops end, they drop theirs, the merger's loop ends. Keep a
//!    single `Sender` too many and the merger waits for ever.
//!
//! Both take the counting step as `count`, so the tests can watch it run.
//!
//! - rayon: <https://docs.rs/rayon/latest/rayon/iter/trait.ParallelIterator.html#method.fold>
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/>
//! - rust_howto, data parallelism:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>, and
//!   message passing: <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{bounded, unbounded};
use rayon::ThreadPool;
use std::collections::HashMap;
use std::io::BufRead;
use std::thread;

/// How often each word occurs.
pub type Counts = HashMap<String, usize>;

/// How many lines may wait between the reader and the counters.
const CAPACITY: usize = 8;

/// Counts the words of `line` into `counts`: lower-cased, split at anything that is not
/// a letter, a digit or an apostrophe.
pub fn count_line(counts: &mut Counts, line: &str) {
    for word in line
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|word| !word.is_empty())
    {
        *counts.entry(word.to_lowercase()).or_default() += 1;
    }
}

/// Adds the counts of `partial` to `total`.
pub fn merge(total: &mut Counts, partial: Counts) {
    for (word, n) in partial {
        *total.entry(word).or_default() += n;
    }
}

/// Counts the words of `lines` on `pool`, in parallel, calling `count` on each line.
pub fn count_with_rayon<C>(pool: &ThreadPool, lines: &[String], count: C) -> Counts
where
    C: Fn(&mut Counts, &str) + Sync,
{
    // TODO: this counts every line on one pool thread. Count in parallel on the pool: a
    // parallel iterator (`use rayon::prelude::*;`) whose `fold` gives each piece of work a
    // map of its own, then `reduce` to merge the maps with `merge`.
    pool.install(|| {
        lines.iter().fold(Counts::new(), |mut counts, line| {
            count(&mut counts, line);
            counts
        })
    })
}

/// Counts the words of `input` with a reader thread, `counters` counter threads and the
/// caller as the merger, calling `count` on each line. Returns once the input has ended
/// and every stage has finished.
pub fn count_with_pipeline<R, C>(input: R, counters: usize, count: C) -> Counts
where
    R: BufRead + Send,
    C: Fn(&mut Counts, &str) + Sync,
{
    let (line_tx, line_rx) = bounded::<String>(CAPACITY);
    let (partial_tx, partial_rx) = unbounded::<Counts>();
    let count = &count;
    thread::scope(|stages| {
        // The reader: its Sender is dropped when the input ends, closing the line channel.
        stages.spawn(move || {
            for line in input.lines() {
                let line = line.expect("could not read the input");
                if line_tx.send(line).is_err() {
                    break;
                }
            }
        });
        // TODO: start `counters` counter threads. Each one counts (`count`) the lines it
        // receives into a map of its own until the line channel closes, then sends its map
        // to the merger. They all take lines from the same Receiver.
        let _ = (counters, line_rx, count, &partial_tx);

        // TODO: the merger's loop below ends only when every partial-count Sender is gone.
        // Is one of them still alive here?
        let mut total = Counts::new();
        for partial in partial_rx {
            merge(&mut total, partial);
        }
        total
    })
}

fn main() {
    let text = "The quick brown fox jumps over the lazy dog.\n\
                The dog sleeps; the fox doesn't.\n\
                A fox, a dog, and the end.";
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("could not build the pool");
    let with_rayon = count_with_rayon(&pool, &lines, count_line);
    let with_pipeline = count_with_pipeline(text.as_bytes(), 3, count_line);
    let mut top: Vec<_> = with_rayon.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (word, n) in top.iter().take(5) {
        println!("{word}: {n}");
    }
    println!("the two counts agree: {}", with_rayon == with_pipeline);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam::channel::{Receiver, Sender, unbounded};
    use rayon::ThreadPoolBuilder;
    use std::io::{self, Read};
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running, ThreadLog};

    const POOL_THREADS: usize = 3;
    const COUNTERS: usize = 3;

    fn test_pool() -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(POOL_THREADS)
            .thread_name(|i| format!("words-{i}"))
            .build()
            .expect("could not build the test pool")
    }

    fn text() -> Vec<String> {
        (0..200)
            .map(|i| {
                format!(
                    "Line {i}: the cat and the dog, the cat's hat; ÉTÉ été {}",
                    i % 7
                )
            })
            .collect()
    }

    fn sequential(lines: &[String]) -> Counts {
        let mut counts = Counts::new();
        for line in lines {
            count_line(&mut counts, line);
        }
        counts
    }

    /// An input the test writes to, line by line: reading waits while the test is quiet,
    /// and ends when the test drops the Sender.
    struct Typed {
        lines: Receiver<String>,
        pending: Vec<u8>,
    }

    impl Read for Typed {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pending.is_empty() {
                match self.lines.recv() {
                    Ok(line) => self.pending = format!("{line}\n").into_bytes(),
                    Err(_) => return Ok(0),
                }
            }
            let n = buf.len().min(self.pending.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            Ok(n)
        }
    }

    fn typed() -> (Sender<String>, io::BufReader<Typed>) {
        let (tx, rx) = unbounded();
        let input = Typed {
            lines: rx,
            pending: Vec::new(),
        };
        (tx, io::BufReader::new(input))
    }

    /// How many threads are held at `gate` once `running` is blocked. While that is fewer
    /// than `expected`, the count is taken again after the code settles once more (three
    /// looks at most): on a loaded machine a thread that was just woken may not have run
    /// yet when the code first looks settled. A structural shortfall stays.
    fn held_once_settled<T>(
        gate: &Gate,
        running: &Running<T>,
        expected: usize,
        while_waiting: &str,
        mistake: &str,
    ) -> usize {
        let mut held = 0;
        for _ in 0..3 {
            running.until_blocked(while_waiting, mistake);
            held = gate.waiting();
            if held >= expected {
                break;
            }
        }
        held
    }

    #[test]
    fn both_ways_count_like_a_sequential_loop() {
        let lines = text();
        let expected = sequential(&lines);
        assert_eq!(expected["the"], 600, "the test's own count");
        let with_rayon = count_with_rayon(&test_pool(), &lines, count_line);
        assert_eq!(with_rayon, expected, "count_with_rayon");
        let joined = lines.join("\n");
        let running = Running::spawn("`count_with_pipeline`", move || {
            count_with_pipeline(io::Cursor::new(joined), COUNTERS, count_line)
        });
        running.until_finished(
            "the merger's loop ends only when every partial-count Sender is gone: drop the \
             merger's own, and let each counter's go when it is done",
        );
        assert_eq!(running.join(), expected, "count_with_pipeline");
        assert!(
            count_with_rayon(&test_pool(), &[], count_line).is_empty(),
            "no lines, no words"
        );
    }

    #[test]
    fn rayon_counts_on_the_given_pool_at_the_same_time() {
        // Every line waits at the gate while it is closed: once the work is blocked, each
        // pool thread must be holding one.
        let gate = Arc::new(Gate::new("the lines being counted"));
        let _release = gate.open_on_drop();
        let log = Arc::new(ThreadLog::new());
        let (held, ran) = (Arc::clone(&gate), Arc::clone(&log));
        let running = Running::spawn("`count_with_rayon`", move || {
            // Built on the watched thread, so its workers are watched too.
            count_with_rayon(&test_pool(), &text(), |counts, line| {
                ran.record(line);
                held.wait();
                count_line(counts, line);
            })
        });
        let counting = held_once_settled(
            &gate,
            &running,
            POOL_THREADS,
            "its lines were held at the gate",
            "let the pool's threads do the waiting",
        );
        gate.open();
        assert_eq!(running.join(), sequential(&text()));
        log.assert_all_named(
            "words-",
            "count inside `pool.install(..)`, or rayon uses its global pool",
        );
        assert_eq!(
            counting, POOL_THREADS,
            "{counting} of the pool's {POOL_THREADS} threads counted at the same time: use a \
             parallel iterator (`par_iter`) inside `pool.install`"
        );
    }

    #[test]
    fn the_counters_count_at_the_same_time() {
        // The first lines wait at the gate, each held by the counter that took it, while
        // the input stays open and quiet.
        let gate = Arc::new(Gate::new("the first lines being counted"));
        let _release = gate.open_on_drop();
        let (tx, input) = typed();
        for _ in 0..COUNTERS {
            tx.send("hold on".to_string()).unwrap();
        }
        let held = Arc::clone(&gate);
        let running = Running::spawn("`count_with_pipeline`", move || {
            count_with_pipeline(input, COUNTERS, |counts, line| {
                if line == "hold on" {
                    held.wait();
                }
                count_line(counts, line);
            })
        });
        let counting = held_once_settled(
            &gate,
            &running,
            COUNTERS,
            "its first lines were held and its input was open and quiet",
            "every stage waits blocked in `recv`/`send`",
        );
        gate.open();
        assert_eq!(
            counting, COUNTERS,
            "{counting} of {COUNTERS} counters counted at the same time: start `counters` \
             threads that share the line Receiver, and keep each one's map to itself \
             while it counts"
        );
        // (If the reader stopped reading, nobody receives this: the next check says why.)
        let _ = tx.send("let go".to_string());
        drop(tx);
        running.until_finished("drop every Sender once its stage is done");
        let counts = running.join();
        assert_eq!((counts["hold"], counts["go"]), (COUNTERS, 1));
    }

    #[test]
    fn the_pipeline_waits_for_a_quiet_input_then_ends_when_it_does() {
        let (tx, input) = typed();
        tx.send("one fish two fish".to_string()).unwrap();
        let running = Running::spawn("`count_with_pipeline`", move || {
            count_with_pipeline(input, COUNTERS, count_line)
        });
        running.until_blocked(
            "its input was still open, with nothing to read",
            "a quiet input is not a finished one: wait for it to end (the reader's Sender \
             is dropped at end of input), not for a pause",
        );
        tx.send("red fish blue fish".to_string()).unwrap();
        drop(tx);
        running.until_finished(
            "the input has ended, but a stage is still waiting: the merger's loop ends only \
             when every partial-count Sender is gone, so drop the merger's own",
        );
        let counts = running.join();
        let expected = sequential(&["one fish two fish".into(), "red fish blue fish".into()]);
        assert_eq!(
            counts, expected,
            "every line, also the one sent after the pause"
        );
    }
}
