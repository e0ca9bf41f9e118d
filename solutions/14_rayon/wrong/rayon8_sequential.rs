// WRONG: a sequential map over the source: items are processed one at a time

use std::io::BufRead;

/// `process` applied to every item `source` yields, in parallel on the current pool, each
/// item as soon as it arrives. The results come back in no particular order.
pub fn process_stream<I, R, F>(source: I, process: F) -> Vec<R>
where
    I: Iterator + Send,
    I::Item: Send,
    R: Send,
    F: Fn(I::Item) -> R + Send + Sync,
{
    source.map(process).collect()
}

/// How many words `reader` holds, its lines counted in parallel as they are read.
pub fn total_words(reader: impl BufRead + Send) -> usize {
    let counts = process_stream(reader.lines().map_while(Result::ok), |line| {
        line.split_whitespace().count()
    });
    counts.into_iter().sum()
}

fn main() {
    let text = "the quick brown fox\njumps over\nthe lazy dog\n".repeat(1000);
    println!(
        "{} words",
        total_words(std::io::Cursor::new(text.into_bytes()))
    );
}
