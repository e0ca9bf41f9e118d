//! # Receiving until the channel closes
//!
//! A `Receiver` is an iterator: `for msg in rx { ... }` takes messages one by one and ends
//! when the channel is *disconnected*, that is, when it is empty and every `Sender` has
//! been dropped. That is how a consumer thread learns that the work is over: nobody sends
//! a "stop" message, the producers simply let go of their senders.
//!
//! The flip side: as long as one `Sender` is alive, the loop waits for more, forever. The
//! logger below runs `for line in rx` on its own thread, and the caller sends it lines,
//! then waits for the logger to finish. But the caller still holds `tx`, so the logger
//! keeps waiting for a line that never comes, and the caller keeps waiting for the
//! logger: a deadlock. Tell the logger you are done.
//!
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/struct.Receiver.html#method.iter>
//! - std, `drop`: <https://doc.rust-lang.org/std/mem/fn.drop.html>
//! - rust_howto, message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use std::sync::mpsc;
use std::thread;

/// Starts a logger thread that numbers every line it receives (`"1: ..."`, `"2: ..."`),
/// sends it `lines` from the caller, and returns what the logger wrote, once it has
/// finished.
pub fn log_all<I>(lines: I) -> Vec<String>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let (tx, rx) = mpsc::channel::<String>();
    let logger = thread::spawn(move || {
        let mut written = Vec::new();
        // Ends when the channel is empty and every Sender is gone.
        for (number, line) in rx.into_iter().enumerate() {
            written.push(format!("{}: {line}", number + 1));
        }
        written
    });

    for line in lines {
        tx.send(line.as_ref().to_string())
            .expect("the logger stopped early");
    }
    // TODO: the logger's loop ends only when every Sender is gone, and the caller still
    // holds one. Joining the logger now waits forever.

    logger.join().expect("the logger panicked")
}

fn main() {
    for line in log_all(&["starting up", "listening on port 8080", "shutting down"]) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn the_logger_writes_every_line_in_order() {
        assert_eq!(
            log_all(&["alpha", "beta", "gamma"]),
            vec!["1: alpha", "2: beta", "3: gamma"]
        );
    }

    #[test]
    fn the_logger_stops_when_the_channel_closes() {
        // Returning at all proves that the logger's loop ended.
        let many: Vec<String> = (0..500).map(|i| format!("line {i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let written = log_all(&many);
        assert_eq!(written.len(), 500);
        assert_eq!(written[499], "500: line 499");
    }

    #[test]
    fn the_logger_waits_for_a_slow_caller_blocked_on_the_channel() {
        // The caller is held before its third line until the test lets it go: meanwhile
        // the logger has nothing to do, and must wait for the next line blocked in `recv`.
        let gate = Arc::new(Gate::new("the caller's third line"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let lines = ["one", "two", "three"].into_iter().inspect(move |&line| {
            if line == "three" {
                held.wait();
            }
        });
        let running = Running::spawn("`log_all`", move || log_all(lines));
        running.until_blocked(
            "the caller was slow to send its third line",
            "the logger ends when the channel closes (every Sender dropped): an idle \
             timeout, a sleep or a `try_recv` loop only guesses when the caller is done",
        );
        gate.open();
        assert_eq!(running.join(), ["1: one", "2: two", "3: three"]);
    }

    #[test]
    fn lines_that_look_like_end_markers_are_logged_too() {
        // A special "last line" is a guess about the data: any line may be sent.
        let markers = [
            "", "EOF", "eof", "END", "end", "DONE", "done", "QUIT", "quit", "exit", "STOP", "stop",
            "\0", "\u{4}", "shutdown", "close", "-1",
        ];
        let written = log_all(markers);
        assert_eq!(
            written.len(),
            markers.len(),
            "the logger stopped early, at a line it took for an end marker: end on the \
             closed channel instead ({written:?})"
        );
    }

    #[test]
    fn an_empty_log_ends_at_once() {
        assert_eq!(log_all(Vec::<String>::new()), Vec::<String>::new());
    }
}
