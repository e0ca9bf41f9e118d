// Windows work on the thread that opened them, on any thread.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::Window;
use std::thread;

fn main() {
    let editor = Window::open("editor");
    let terminal = Window::open("terminal");
    assert_eq!(editor.title(), "editor");
    assert_eq!(terminal.title(), "terminal");
    let elsewhere = thread::spawn(|| Window::open("viewer").title())
        .join()
        .unwrap();
    assert_eq!(elsewhere, "viewer");
}
