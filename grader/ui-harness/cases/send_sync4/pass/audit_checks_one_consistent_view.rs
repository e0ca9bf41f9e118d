// `audit` sums the balances and counts the overdrawn accounts, and leaves the ledger
// unlocked when it returns.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::{Audit, Ledger};

fn main() {
    let ledger = Ledger::new(vec![120, -30, 45, -5, 0]);
    assert_eq!(
        ledger.audit(),
        Audit {
            total: 130,
            overdrawn: 2
        }
    );
    assert!(
        ledger.try_transfer(0, 3, 10),
        "the audit's view is gone: the ledger is unlocked"
    );
    assert_eq!(
        ledger.audit(),
        Audit {
            total: 130,
            overdrawn: 1
        }
    );
}
