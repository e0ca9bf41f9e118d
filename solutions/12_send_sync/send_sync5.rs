//! # Opting out: `PhantomData` markers for what the fields cannot say
//!
//! The compiler derives `Send` and `Sync` from a type's fields, and a field that is a plain
//! number (an index, a handle from a C library) is both. Sometimes that is a lie: the number
//! means something only on one thread, or the library behind it is not thread-safe. Then
//! the type must opt out, with a zero-sized marker field that has the traits you want:
//!
//! - `PhantomData<*const ()>`: neither `Send` nor `Sync` (raw pointers are neither);
//! - `PhantomData<Cell<()>>`: `Send` but not `Sync` (a `Cell` may move, not be shared).
//!
//! (`impl !Send for T {}` says it directly, but is not stable Rust.) A marker costs nothing
//! at run time, and it is safe: opting *out* cannot cause a data race; opting in
//! (`unsafe impl`) can.
//!
//! `Window` below indexes a per-thread table of windows, so it means nothing on another
//! thread. `Connection` wraps a handle of a C library that allows a connection on any
//! thread, but on one thread at a time. Both are `Send` and `Sync` as they stand: give each
//! exactly the traits it may have. Graded by trybuild: the snippets in
//! `grader/ui-harness/cases/send_sync5/` must (`pass/`) or must not (`fail/`) compile against
//! your file.
//!
//! - std: <https://doc.rust-lang.org/std/marker/struct.PhantomData.html>
//! - The Rustonomicon, Send and Sync: <https://doc.rust-lang.org/nomicon/send-and-sync.html>
//! - rust_howto, Send and Sync: <https://john-cd.com/rust_howto/categories/concurrency/send_sync.html>

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::thread;

thread_local! {
    /// The window system's table: each thread has its own, as with most GUI toolkits.
    static WINDOWS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// A window, usable only on the thread that opened it.
pub struct Window {
    /// Its row in *this thread's* `WINDOWS`: on another thread, it names another window, or
    /// none at all.
    index: usize,
    // Neither `Send` nor `Sync`: a window must not move to another thread, and must not be
    // used from another one through a reference either.
    _not_send_or_sync: PhantomData<*const ()>,
}

impl Window {
    pub fn open(title: &str) -> Window {
        WINDOWS.with_borrow_mut(|windows| {
            windows.push(title.to_owned());
            Window {
                index: windows.len() - 1,
                _not_send_or_sync: PhantomData,
            }
        })
    }

    pub fn title(&self) -> String {
        WINDOWS.with_borrow(|windows| windows[self.index].clone())
    }
}

/// Stands in for a C database library, whose documentation says: "a connection may be
/// used from any thread, but from one thread at a time". The compiler cannot read that:
/// only your types can tell it.
mod ffi {
    use std::sync::atomic::{AtomicU32, Ordering};

    static NEXT_HANDLE: AtomicU32 = AtomicU32::new(1);

    pub fn db_open() -> u32 {
        NEXT_HANDLE.fetch_add(1, Ordering::Relaxed)
    }

    pub fn db_query(handle: u32, sql: &str) -> String {
        format!("connection {handle} ran `{sql}`")
    }
}

/// A database connection: it may move to another thread, but two threads must never use
/// it at once.
pub struct Connection {
    handle: u32,
    // `Send` but not `Sync`: the connection may move, but not be shared.
    _not_sync: PhantomData<Cell<()>>,
}

impl Connection {
    pub fn open() -> Connection {
        Connection {
            handle: ffi::db_open(),
            _not_sync: PhantomData,
        }
    }

    pub fn query(&self, sql: &str) -> String {
        ffi::db_query(self.handle, sql)
    }
}

fn main() {
    let window = Window::open("threadlings");
    println!("window: {}", window.title());
    let connection = Connection::open();
    let answer = thread::spawn(move || connection.query("SELECT 1"))
        .join()
        .unwrap();
    println!("{answer}, on another thread");
}
