// WRONG: one join at the top, then each half sorted sequentially: two threads at most
use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably: a merge sort whose halves are sorted at the same
/// time on the current pool. A slice of at most `cutoff` items is sorted sequentially,
/// on the calling thread, without splitting it.
pub fn merge_sort_by<T, F>(items: &mut [T], cutoff: usize, compare: &F)
where
    T: Clone + Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    if items.len() <= cutoff.max(1) {
        // Short enough: splitting it across threads would cost more than it saves.
        items.sort_by(compare);
        return;
    }
    let mid = items.len() / 2;
    let (left, right) = items.split_at_mut(mid);
    rayon::join(|| left.sort_by(compare), || right.sort_by(compare));
    merge(items, mid, compare);
}

/// Merges the sorted `items[..mid]` and `items[mid..]` into one sorted slice, stably (on
/// a tie, the left item first).
fn merge<T, F>(items: &mut [T], mid: usize, compare: &F)
where
    T: Clone,
    F: Fn(&T, &T) -> Ordering,
{
    let left = items[..mid].to_vec();
    let (mut from_left, mut from_right, mut to) = (0, mid, 0);
    // `to` never passes `from_right`: no right item is overwritten before it is read.
    while from_left < left.len() && from_right < items.len() {
        if compare(&items[from_right], &left[from_left]) == Ordering::Less {
            items[to] = items[from_right].clone();
            from_right += 1;
        } else {
            items[to] = left[from_left].clone();
            from_left += 1;
        }
        to += 1;
    }
    // What is left of the right half is already in place.
    for item in &left[from_left..] {
        items[to] = item.clone();
        to += 1;
    }
}

fn main() {
    let mut numbers: Vec<u64> = (0..1_000_000).map(|n| n * 7_919 % 1_000_003).collect();
    merge_sort_by(&mut numbers, 1000, &u64::cmp);
    println!(
        "sorted {} numbers: {:?} ... {:?}",
        numbers.len(),
        &numbers[..3],
        &numbers[numbers.len() - 3..]
    );
}
