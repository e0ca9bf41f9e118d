// WRONG: the slice's own stable sort: right order, but sorted on one thread
use rayon::prelude::*;
use std::cmp::Ordering;

/// Sorts `items` by `compare` in parallel on the current pool, keeping items that compare
/// equal in the order they were in.
pub fn sort_stably_by<T, F>(items: &mut [T], compare: F)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    items.sort_by(compare);
}

/// An order of a shop, numbered in the order it was placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub number: u32,
    pub customer: String,
}

/// Sorts the orders by customer; each customer's orders stay in the order they were in.
pub fn sort_by_customer(orders: &mut [Order]) {
    sort_stably_by(orders, |a, b| a.customer.cmp(&b.customer));
}

/// Sorts the words by length, in parallel on the current pool; words of the same length
/// may come in any order.
pub fn sort_by_length(words: &mut [String]) {
    // Equal lengths may be reordered: unstable is fine here, and needs no buffer.
    words.par_sort_unstable_by_key(String::len);
}

fn main() {
    let mut orders: Vec<Order> = [(1, "Zoe"), (2, "Ann"), (3, "Zoe"), (4, "Bob"), (5, "Ann")]
        .into_iter()
        .map(|(number, customer)| Order {
            number,
            customer: customer.to_string(),
        })
        .collect();
    sort_by_customer(&mut orders);
    for order in &orders {
        println!("{:>4} #{}", order.customer, order.number);
    }
    let mut words: Vec<String> = "the quick brown fox jumps over the lazy dog"
        .split(' ')
        .map(String::from)
        .collect();
    sort_by_length(&mut words);
    println!("{words:?}");
}
