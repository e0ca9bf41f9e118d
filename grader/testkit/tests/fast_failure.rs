//! A lone party gives up as soon as nobody else can arrive, not at the bound. Its own test
//! binary: the only test running, so no other test's thread keeps the process busy.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use threadlings_testkit::Rendezvous;

#[test]
fn a_sequential_answer_fails_well_before_the_bound() {
    let meeting = Arc::new(
        Rendezvous::new(2, "each thread was joined right after it was spawned")
            .with_bound(Duration::from_secs(20)),
    );
    let started = Instant::now();
    // Spawn, then join at once: the second party is never spawned while the first waits.
    let first = {
        let meeting = Arc::clone(&meeting);
        thread::spawn(move || meeting.arrive())
    };
    let panic = first.join().expect_err("a lone party must give up");
    let took = started.elapsed();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(message.contains("only 1 of 2 threads"), "{message}");
    assert!(
        message.ends_with("each thread was joined right after it was spawned"),
        "{message}"
    );
    if cfg!(target_os = "linux") {
        assert!(
            message.contains("every other thread was blocked"),
            "{message}"
        );
        // Loose on purpose (the bound is 20 s; a quiet machine takes ~0.3 s).
        assert!(took < Duration::from_secs(10), "took {took:?}");
    }
}

#[test]
fn parties_that_sleep_before_arriving_are_waited_for() {
    // A party asleep on a timer can still arrive: never cut short.
    let meeting = Arc::new(Rendezvous::new(2, "unused"));
    let late = {
        let meeting = Arc::clone(&meeting);
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(1200));
            meeting.arrive();
        })
    };
    meeting.arrive();
    late.join().expect("the late party arrived");
}
