// ALT: a raw-pointer marker in both, and `Send` given back to `Connection` with an `unsafe impl` and its safety argument: the same verdicts
use std::cell::RefCell;
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
    // Neither `Send` nor `Sync`, and then `Send` back by hand (below).
    _not_send_or_sync: PhantomData<*const ()>,
}

// SAFETY: the library allows a connection on any thread, one thread at a time. Moving the
// `Connection` moves its only owner; it stays not `Sync`, so no two threads can use it at
// once.
unsafe impl Send for Connection {}

impl Connection {
    pub fn open() -> Connection {
        Connection {
            handle: ffi::db_open(),
            _not_send_or_sync: PhantomData,
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
