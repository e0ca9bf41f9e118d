//! # The `DashMap` deadlock: a guard held while writing to its shard
//!
//! What `DashMap::get` returns is not a value but a `Ref`: a guard that holds a read lock
//! on the key's shard for as long as it lives (`get_mut` returns a `RefMut` with a write
//! lock; `iter` and `iter_mut` lock each shard while their items live). Call `insert`,
//! `get_mut` or `remove` on the *same* shard while such a guard is alive, and the write
//! waits for the guard, which waits for the end of your block, which never comes: the
//! thread deadlocks on its own. On a *different* shard it works, which is why the bug can
//! hide until two keys happen to share a shard.
//!
//! The cures: update in place through the guard you already hold (`get_mut`,
//! `iter_mut`, `alter`), or copy what you need out of the `Ref` and drop it before you
//! write. Look out for the guard that outlives its line: `if let Some(price) =
//! map.get(..) { ... }` keeps `price` alive to the closing brace.
//!
//! The stub deadlocks. Run it: the grader names the blocked thread and the line of your
//! file where it waits.
//!
//! - dashmap: <https://docs.rs/dashmap/6/dashmap/struct.DashMap.html#method.get>
//!   ("Locking behaviour: May deadlock if called when holding any sort of reference into
//!   the map.")
//! - rust_howto, concurrent data structures:
//!   <https://john-cd.com/rust_howto/categories/concurrency/concurrent_data_structures.html>

use dashmap::DashMap;

/// `price` less `percent` percent, rounded down.
fn discounted(price: u64, percent: u64) -> u64 {
    price * (100 - percent.min(100)) / 100
}

/// Prices in cents, shared by any number of threads.
pub struct PriceBook {
    prices: DashMap<String, u64>,
}

impl PriceBook {
    pub fn new() -> Self {
        PriceBook {
            prices: DashMap::new(),
        }
    }

    pub fn set(&self, item: &str, cents: u64) {
        self.prices.insert(item.to_owned(), cents);
    }

    pub fn price(&self, item: &str) -> Option<u64> {
        // The `Ref` is dropped at the end of this line: the value is copied out.
        self.prices.get(item).map(|price| *price)
    }

    /// Takes `percent` off `item`'s price and returns the new price; an unknown item
    /// stays unknown.
    pub fn discount(&self, item: &str, percent: u64) -> Option<u64> {
        // One write guard, updated in place: no second call on the shard it locks.
        let mut price = self.prices.get_mut(item)?;
        *price = discounted(*price, percent);
        Some(*price)
    }

    /// Takes `percent` off every price.
    pub fn discount_all(&self, percent: u64) {
        // `iter_mut` write-locks each shard in turn, and its items update in place.
        for mut price in self.prices.iter_mut() {
            *price = discounted(*price, percent);
        }
    }
}

impl Default for PriceBook {
    fn default() -> Self {
        Self::new()
    }
}

fn main() {
    let book = PriceBook::new();
    book.set("tea", 400);
    book.set("cake", 350);
    println!("tea on sale: {:?}", book.discount("tea", 25));
    book.discount_all(10);
    println!("tea {:?}, cake {:?}", book.price("tea"), book.price("cake"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discount_lowers_one_price() {
        let book = PriceBook::new();
        book.set("tea", 400);
        book.set("cake", 350);
        assert_eq!(book.discount("tea", 25), Some(300));
        assert_eq!(book.price("tea"), Some(300));
        assert_eq!(book.price("cake"), Some(350), "only tea is on sale");
    }

    #[test]
    fn a_discount_of_an_unknown_item_changes_nothing() {
        let book = PriceBook::new();
        book.set("tea", 400);
        assert_eq!(book.discount("coffee", 50), None);
        assert_eq!(
            book.price("coffee"),
            None,
            "an unknown item must not be added"
        );
        assert_eq!(book.price("tea"), Some(400));
    }

    #[test]
    fn discount_all_lowers_every_price() {
        let book = PriceBook::new();
        for cents in 1..=64 {
            book.set(&format!("item {cents}"), cents * 100);
        }
        book.discount_all(50);
        for cents in 1..=64 {
            assert_eq!(book.price(&format!("item {cents}")), Some(cents * 50));
        }
    }

    #[test]
    fn discounts_from_many_threads_all_apply() {
        let book = PriceBook::new();
        book.set("tea", 1 << 20);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..5 {
                        book.discount("tea", 50);
                    }
                });
            }
        });
        assert_eq!(book.price("tea"), Some(1), "20 halvings of 2^20");
    }
}
