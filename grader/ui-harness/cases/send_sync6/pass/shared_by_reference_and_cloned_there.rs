// A `&MyArc<T>` can be used by several threads at once (`MyArc<Mutex<u64>>` is `Sync`), and
// a handle cloned there counts like any other.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::MyArc;
use std::sync::Mutex;
use std::thread;

fn main() {
    let total = MyArc::new(Mutex::new(0_u64));
    thread::scope(|scope| {
        for add in 1..=4 {
            let total = &total;
            scope.spawn(move || {
                let mine = total.clone();
                *mine.lock().unwrap() += add;
            });
        }
    });
    assert_eq!(*total.lock().unwrap(), 10);
    assert_eq!(MyArc::count(&total), 1);
}
