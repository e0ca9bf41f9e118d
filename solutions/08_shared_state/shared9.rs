//! # Global state: a lazily initialised `static`
//!
//! Some state belongs to the whole program: a configuration, a cache, the request quotas
//! every handler checks. Passing an `Arc` to every function that needs it is often best;
//! when it is not, a `static` holds it. A `static`'s initial value must be computed at
//! compile time, and `Mutex::new` is `const`, but loading quotas from a file is not. And a
//! `static` is shared by every thread, so it must be `Sync`: mutable global state needs a
//! lock (or atomics), never `static mut`.
//!
//! `std::sync::LazyLock<T>` computes its value on first use, *exactly once* even when many
//! threads race to use it first: one runs the initialiser, the others wait, blocked, and
//! then all see the same value. `static QUOTAS: LazyLock<Mutex<Quotas>> =
//! LazyLock::new(|| Mutex::new(load()));` is the "global mutable state" recipe.
//! `OnceLock<T>` is its more flexible sibling (`get_or_init`, `set`): the hook below is one.
//!
//! - std, `LazyLock`: <https://doc.rust-lang.org/std/sync/struct.LazyLock.html>
//! - std, `OnceLock`: <https://doc.rust-lang.org/std/sync/struct.OnceLock.html>
//! - rust_howto, global mutable state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock};
use std::thread;

/// How many requests each user may still make.
#[derive(Debug)]
pub struct Quotas {
    per_user: u32,
    remaining: HashMap<String, u32>,
}

impl Quotas {
    /// Every user starts with `per_user` requests.
    pub fn new(per_user: u32) -> Quotas {
        Quotas {
            per_user,
            remaining: HashMap::new(),
        }
    }

    /// Takes one request from `user`'s quota; `false` once it is used up.
    pub fn take(&mut self, user: &str) -> bool {
        let remaining = self
            .remaining
            .entry(user.to_string())
            .or_insert(self.per_user);
        if *remaining == 0 {
            return false;
        }
        *remaining -= 1;
        true
    }
}

/// The quota every user starts with.
pub const PER_USER: u32 = 5;

/// How many times the quotas were loaded.
pub static LOADS: AtomicUsize = AtomicUsize::new(0);

/// Called at the start of every load, if set (for tracing, and for the tests).
pub static ON_LOAD: OnceLock<fn()> = OnceLock::new();

/// Loads the quotas (in real life from a file or a database: slow, and it must happen once).
fn load_quotas() -> Quotas {
    if let Some(hook) = ON_LOAD.get() {
        hook();
    }
    LOADS.fetch_add(1, Ordering::SeqCst);
    Quotas::new(PER_USER)
}

/// The program's quotas: loaded on first use, by exactly one thread; any thread may change
/// them, one at a time.
static QUOTAS: LazyLock<Mutex<Quotas>> = LazyLock::new(|| Mutex::new(load_quotas()));

/// Runs `f` on the program's quotas, loading them first if no thread has used them yet.
pub fn with_quotas<R>(f: impl FnOnce(&mut Quotas) -> R) -> R {
    // The first use runs the initialiser; threads that race it wait until it is done.
    let mut quotas = QUOTAS.lock().expect("a thread panicked with the quotas");
    f(&mut quotas)
}

/// Takes one request from `user`'s quota, in the program's quotas.
pub fn take(user: &str) -> bool {
    with_quotas(|quotas| quotas.take(user))
}

fn main() {
    let handlers: Vec<_> = (0..3)
        .map(|handler| {
            thread::spawn(move || {
                let served = (0..3).filter(|_| take("ada")).count();
                println!("handler {handler} served ada {served} times");
            })
        })
        .collect();
    for handler in handlers {
        handler.join().expect("a handler panicked");
    }
    println!(
        "the quotas were loaded {} time(s)",
        LOADS.load(Ordering::SeqCst)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, LazyLock};
    use threadlings_testkit::{Gate, Rendezvous, Running};

    static LOAD_GATE: LazyLock<Gate> = LazyLock::new(|| Gate::new("the loading of the quotas"));

    fn hold_the_load() {
        LOAD_GATE.wait();
    }

    // The only test that uses the global quotas: a `static` is initialised once per
    // process, so this test must be the first (and only) to touch it.
    #[test]
    fn the_global_quotas_load_once_and_every_thread_shares_them() {
        const THREADS: usize = 8;
        let _release = LOAD_GATE.open_on_drop();
        ON_LOAD
            .set(hold_the_load)
            .expect("only this test sets the hook");
        assert_eq!(
            LOADS.load(Ordering::SeqCst),
            0,
            "the quotas were loaded before anyone used them"
        );
        let meeting = Arc::new(Rendezvous::new(
            THREADS,
            "the threads did not race for the quotas at once",
        ));
        let first_uses = Running::spawn("the first uses of `take`", move || {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    let meeting = Arc::clone(&meeting);
                    thread::spawn(move || {
                        meeting.arrive();
                        take("ada")
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("a thread panicked"))
                .collect::<Vec<bool>>()
        });
        LOAD_GATE.wait_for_held(1, "no thread loaded the quotas");
        first_uses.until_blocked(
            "one thread was loading the quotas",
            "the threads that lose the race for the first use must wait for the winner's \
             load, blocked",
        );
        let loading = LOAD_GATE.waiting();
        assert_eq!(
            loading, 1,
            "{loading} threads were loading the quotas at the same time: one load must \
             serve every thread (a `static` `LazyLock`, or `OnceLock::get_or_init`; not a \
             check then a set, not a `thread_local!`, not a load outside the lock)"
        );
        LOAD_GATE.open();
        let served = first_uses.join();
        assert_eq!(
            LOADS.load(Ordering::SeqCst),
            1,
            "the quotas were loaded more than once"
        );
        let granted = served.iter().filter(|&&granted| granted).count();
        assert_eq!(
            granted, PER_USER as usize,
            "{THREADS} threads asked for ada's {PER_USER} requests and {granted} were \
             granted: every thread must use the same quotas, kept between calls"
        );
        assert!(!take("ada"), "ada's quota is used up");
        assert!(take("grace"), "grace has her own quota");
        assert_eq!(
            LOADS.load(Ordering::SeqCst),
            1,
            "the quotas were loaded again"
        );
    }

    #[test]
    fn a_quota_runs_out() {
        let mut quotas = Quotas::new(2);
        assert!(quotas.take("ada"));
        assert!(quotas.take("ada"));
        assert!(!quotas.take("ada"));
        assert!(quotas.take("alan"));
    }
}
