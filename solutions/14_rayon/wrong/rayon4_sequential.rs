// WRONG: a sequential fold: one summary, but every item is added on one thread
use std::collections::HashMap;

/// Summarises `items` in parallel on the current pool: each piece of work starts a summary
/// with `empty()` and `add`s its items into it, and the pieces' summaries are `merge`d.
pub fn summarise<T, S, E, A, M>(items: &[T], empty: E, add: A, merge: M) -> S
where
    T: Sync,
    S: Send,
    E: Fn() -> S + Send + Sync,
    A: Fn(S, &T) -> S + Send + Sync,
    M: Fn(S, S) -> S + Send + Sync,
{
    let _ = &merge;
    items.iter().fold(empty(), add)
}

/// How many times each word (in lower case) appears in `lines`.
pub fn word_counts(lines: &[&str]) -> HashMap<String, usize> {
    summarise(
        lines,
        HashMap::new,
        |mut counts, line| {
            for word in line.split_whitespace() {
                *counts.entry(word.to_lowercase()).or_insert(0) += 1;
            }
            counts
        },
        |mut counts: HashMap<String, usize>, other| {
            for (word, count) in other {
                *counts.entry(word).or_insert(0) += count;
            }
            counts
        },
    )
}

fn main() {
    let text = [
        "The quick brown fox jumps over the lazy dog",
        "the dog sleeps",
        "A fox is quick",
    ];
    let mut counts: Vec<_> = word_counts(&text).into_iter().collect();
    counts.sort_by(|(a, m), (b, n)| n.cmp(m).then(a.cmp(b)));
    for (word, count) in counts {
        println!("{word:>6} {count}");
    }
}
