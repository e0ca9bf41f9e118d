// A crew of workers shares one `JobQueue` by reference, and every job is done exactly once.
// The jobs are `Cell`s, `Send` but not `Sync`: a job moves to one worker, and nothing else
// is asked of it.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::{JobQueue, run_crew};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::mpsc;

fn main() {
    let (tx, rx) = mpsc::channel();
    for job in 1..=20 {
        tx.send(Cell::new(job)).unwrap();
    }
    drop(tx);
    let queue: JobQueue<Cell<u32>> = JobQueue::new(rx);
    let done = Mutex::new(Vec::new());
    run_crew(&queue, 3, |job: Cell<u32>| {
        done.lock().unwrap().push(job.get())
    });
    let mut done = done.into_inner().unwrap();
    done.sort_unstable();
    assert_eq!(
        done,
        (1..=20).collect::<Vec<u32>>(),
        "every job, exactly once"
    );
    assert!(
        queue.next().is_none(),
        "the queue is empty, and every Sender gone"
    );
}
