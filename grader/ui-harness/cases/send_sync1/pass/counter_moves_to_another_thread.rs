// A TicketCounter can move to another thread: it is Send.
#[path = "../lesson.rs"]
#[allow(dead_code)]
mod lesson;

use lesson::TicketCounter;

fn main() {
    let counter = TicketCounter::new();
    assert_eq!(counter.take(), 1);
    let handle = std::thread::spawn(move || counter.take());
    assert_eq!(handle.join().unwrap(), 2);
}
