// WRONG: a sequential iter(): every item is costed on one thread, one after another

/// The sum of `cost(item)` over every item, computed in parallel on the current pool.
pub fn total_cost<T, F>(items: &[T], cost: F) -> u64
where
    T: Sync,
    F: Fn(&T) -> u64 + Send + Sync,
{
    items.iter().map(cost).sum()
}

/// The number of steps the Collatz sequence from `n` takes to reach 1: some numbers take
/// many more steps than their neighbours, so the work per item is uneven.
pub fn collatz_steps(mut n: u64) -> u64 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

fn main() {
    let numbers: Vec<u64> = (1..=100_000).collect();
    let steps = total_cost(&numbers, |&n| collatz_steps(n));
    println!(
        "the Collatz sequences of 1..=100000 take {steps} steps in all, on {} threads",
        rayon::current_num_threads()
    );
}
