// ALT: a `OnceLock<Mutex<_>>` initialised with `get_or_init`
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
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

static QUOTAS: OnceLock<Mutex<Quotas>> = OnceLock::new();

/// Runs `f` on the program's quotas, loading them first if no thread has used them yet.
pub fn with_quotas<R>(f: impl FnOnce(&mut Quotas) -> R) -> R {
    // `get_or_init` runs the closure once; racing callers wait for it.
    let quotas = QUOTAS.get_or_init(|| Mutex::new(load_quotas()));
    f(&mut quotas.lock().unwrap())
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
