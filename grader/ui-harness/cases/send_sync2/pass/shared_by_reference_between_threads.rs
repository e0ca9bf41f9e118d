// A `&Shared<T>` can be used by several threads at once (`Shared<String>` is `Sync`).
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::Shared;
use std::thread;

fn main() {
    let greeting = Shared::new(String::from("hello"));
    let lengths: Vec<usize> = thread::scope(|scope| {
        let workers: Vec<_> = (0..2).map(|_| scope.spawn(|| greeting.len())).collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap())
            .collect()
    });
    assert_eq!(lengths, [5, 5]);
    assert_eq!(greeting.handles(), 1);
}
