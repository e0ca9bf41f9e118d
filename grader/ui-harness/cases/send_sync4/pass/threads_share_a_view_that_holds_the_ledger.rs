// Several threads can read one `View` at once (it is `Sync`), and while it lives it holds the
// ledger: a transfer gives up. Once it is dropped, transfers go through.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::Ledger;
use std::thread;

fn main() {
    let ledger = Ledger::new(vec![100, -20, 30]);
    let view = ledger.view();
    let sums: Vec<i64> = thread::scope(|scope| {
        let readers: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| view.balances().iter().sum::<i64>()))
            .collect();
        readers
            .into_iter()
            .map(|reader| reader.join().unwrap())
            .collect()
    });
    assert_eq!(sums, [110, 110, 110]);
    assert!(
        !ledger.try_transfer(0, 1, 50),
        "a view holds the ledger: no transfer while it lives"
    );
    assert_eq!(view.balances(), [100, -20, 30]);
    drop(view);
    assert!(
        ledger.try_transfer(0, 1, 50),
        "the view is gone: transfers go through"
    );
    assert_eq!(ledger.view().balances(), [50, 30, 30]);
}
