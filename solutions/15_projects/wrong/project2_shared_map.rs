// WRONG: the counters share one map behind a Mutex and count while holding it: one counts at a time
use crossbeam::channel::bounded;
use rayon::ThreadPool;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Mutex;
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
    pool.install(|| {
        lines
            .par_iter()
            // One map per piece of work, no lock: each fold owns its map.
            .fold(Counts::new, |mut counts, line| {
                count(&mut counts, line);
                counts
            })
            // Merge the smaller map into the larger one: less rehashing.
            .reduce(Counts::new, |mut a, mut b| {
                if a.len() < b.len() {
                    std::mem::swap(&mut a, &mut b);
                }
                merge(&mut a, b);
                a
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
    let total = Mutex::new(Counts::new());
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
        // The counters share one Receiver: each line goes to whichever is free.
        for _ in 0..counters {
            let (lines, total) = (line_rx.clone(), &total);
            stages.spawn(move || {
                for line in lines {
                    count(&mut total.lock().unwrap(), &line);
                }
            });
        }
    });
    total.into_inner().unwrap()
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
