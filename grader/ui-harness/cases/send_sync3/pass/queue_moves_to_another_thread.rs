// A `JobQueue` can move to another thread (it is `Send`), and waits there for jobs sent
// after it left.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::JobQueue;
use std::sync::mpsc;
use std::thread;

fn main() {
    let (tx, rx) = mpsc::channel::<String>();
    let queue = JobQueue::new(rx);
    let consumer = thread::spawn(move || {
        let mut jobs = Vec::new();
        while let Some(job) = queue.next() {
            jobs.push(job);
        }
        jobs
    });
    tx.send(String::from("first")).unwrap();
    tx.send(String::from("second")).unwrap();
    drop(tx);
    assert_eq!(consumer.join().unwrap(), ["first", "second"]);
}
