// WRONG: a parallel `fold` that starts each piece from the opening balance, then sums the pieces
use rayon::prelude::*;

/// `opening` plus the `amount` of every entry that `keep` accepts, computed in parallel
/// on the current pool.
pub fn closing_balance<T, K, A>(opening: i64, entries: &[T], keep: K, amount: A) -> i64
where
    T: Sync,
    K: Fn(&T) -> bool + Send + Sync,
    A: Fn(&T) -> i64 + Send + Sync,
{
    entries
        .par_iter()
        .filter(|entry| keep(entry))
        .map(amount)
        .fold(|| opening, |a, b| a + b)
        .sum()
}

/// A line of a bank statement.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// In cents: positive for money in, negative for money out.
    pub amount: i64,
    /// Whether the bank has cleared it yet.
    pub cleared: bool,
}

/// The balance once every cleared entry is counted.
pub fn cleared_balance(opening: i64, entries: &[Entry]) -> i64 {
    closing_balance(
        opening,
        entries,
        |entry| entry.cleared,
        |entry| entry.amount,
    )
}

fn main() {
    let entries: Vec<Entry> = (1..=10_000)
        .map(|n| Entry {
            amount: if n % 3 == 0 { -n } else { n },
            cleared: n % 7 != 0,
        })
        .collect();
    println!(
        "opening 1000, cleared balance {}",
        cleared_balance(1000, &entries)
    );
}
