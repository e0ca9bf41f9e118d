// WRONG: inserts while iterating: the iterator's item holds a read lock on its shard, and the insert into that same shard waits for it forever

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
        for price in self.prices.iter() {
            self.prices
                .insert(price.key().clone(), discounted(*price.value(), percent));
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
