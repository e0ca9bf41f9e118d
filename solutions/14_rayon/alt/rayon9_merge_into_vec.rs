// ALT: merges both halves into a new Vec, then clones it back over the slice
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
    // The two halves are disjoint `&mut` slices, so they can be sorted at the same time.
    rayon::join(
        || merge_sort_by(left, cutoff, compare),
        || merge_sort_by(right, cutoff, compare),
    );
    merge(items, mid, compare);
}

/// Merges the sorted `items[..mid]` and `items[mid..]` into one sorted slice, stably (on
/// a tie, the left item first).
fn merge<T, F>(items: &mut [T], mid: usize, compare: &F)
where
    T: Clone,
    F: Fn(&T, &T) -> Ordering,
{
    let (left, right) = items.split_at(mid);
    let mut merged = Vec::with_capacity(items.len());
    let (mut left, mut right) = (left.iter().peekable(), right.iter().peekable());
    while let (Some(l), Some(r)) = (left.peek(), right.peek()) {
        if compare(r, l) == Ordering::Less {
            merged.push((*r).clone());
            right.next();
        } else {
            merged.push((*l).clone());
            left.next();
        }
    }
    merged.extend(left.cloned());
    merged.extend(right.cloned());
    items.clone_from_slice(&merged);
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
