// A `Connection` can move to another thread (it is `Send`), and works there.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::Connection;
use std::thread;

fn main() {
    let connection = Connection::open();
    let here = connection.query("SELECT 1");
    let there = thread::spawn(move || connection.query("SELECT 1"))
        .join()
        .unwrap();
    assert_eq!(here, there, "the same connection, on another thread");
}
