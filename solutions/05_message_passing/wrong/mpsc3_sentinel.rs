// WRONG: ends the log with an in-band "EOF" line instead of closing the channel
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
        for (number, line) in rx.iter().enumerate() {
            if line == "EOF" {
                break;
            }
            written.push(format!("{}: {line}", number + 1));
        }
        written
    });

    for line in lines {
        tx.send(line.as_ref().to_string())
            .expect("the logger stopped early");
    }
    // The caller's Sender is the last one: dropping it closes the channel, which ends the
    // logger's loop once it has written every line already sent.
    tx.send("EOF".to_string())
        .expect("the logger stopped early");

    logger.join().expect("the logger panicked")
}

fn main() {
    for line in log_all(&["starting up", "listening on port 8080", "shutting down"]) {
        println!("{line}");
    }
}
