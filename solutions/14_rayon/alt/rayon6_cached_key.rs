// ALT: orders sorted with par_sort_by_cached_key (one key clone per order), words with a stable sort
use rayon::prelude::*;
use std::cmp::Ordering;

/// Sorts `items` by `compare` in parallel on the current pool, keeping items that compare
/// equal in the order they were in.
pub fn sort_stably_by<T, F>(items: &mut [T], compare: F)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    // A merge sort: stable, at the cost of a buffer as large as the slice.
    items.par_sort_by(compare);
}

/// An order of a shop, numbered in the order it was placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub number: u32,
    pub customer: String,
}

/// Sorts the orders by customer; each customer's orders stay in the order they were in.
pub fn sort_by_customer(orders: &mut [Order]) {
    orders.par_sort_by_cached_key(|order| order.customer.clone());
}

/// Sorts the words by length, in parallel on the current pool; words of the same length
/// may come in any order.
pub fn sort_by_length(words: &mut [String]) {
    words.par_sort_by_key(String::len);
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
