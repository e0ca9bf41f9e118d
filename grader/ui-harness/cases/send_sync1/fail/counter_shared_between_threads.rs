// Two threads must not be able to use one TicketCounter at once: it is not Sync.
#[path = "../lesson.rs"]
#[allow(dead_code)]
mod lesson;

use lesson::TicketCounter;
use std::thread;

fn main() {
    let counter = TicketCounter::new();
    thread::scope(|scope| {
        scope.spawn(|| counter.take());
        scope.spawn(|| counter.take());
    });
}
