//! The watching tools (`Watch`, `Running`, `CpuMeter`) see every thread of the process,
//! so their tests live in this binary of their own and run one at a time (as the grader
//! runs an exercise's tests).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use threadlings_testkit::{CpuMeter, Gate, POLLING_CPU, Running, Waited, Watch, thread_cpu_time};

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    threadlings_testkit::assume_tests_run_one_at_a_time();
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `body` on a new watched thread that gets `rx`; returns what the watch saw.
fn watch_receiver(body: fn(mpsc::Receiver<u32>)) -> Waited {
    let (tx, rx) = mpsc::channel();
    let watch = Watch::start();
    let handle = thread::spawn(move || body(rx));
    let waited = watch.wait(&|| handle.is_finished());
    drop(tx);
    let _ = handle.join();
    waited
}

fn panic_text(result: thread::Result<()>) -> String {
    let panic = result.expect_err("the check must fail");
    panic.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn a_blocking_receiver_is_blocked() {
    let _serial = serial();
    let waited = watch_receiver(|rx| {
        let _ = rx.recv();
    });
    assert!(matches!(waited, Waited::Blocked), "{waited:?}");
}

#[test]
fn a_spinning_receiver_polls() {
    let _serial = serial();
    let waited = watch_receiver(|rx| {
        while let Err(mpsc::TryRecvError::Empty) = rx.try_recv() {
            std::hint::spin_loop();
        }
    });
    match waited {
        Waited::Busy(seen) if cfg!(target_os = "linux") => {
            assert!(seen.contains("ms of CPU while waiting"), "{seen}");
        }
        Waited::Busy(_) => {}
        other => panic!("a spinning loop must not pass: {other:?}"),
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_timed_wait_and_a_sleep_wait_by_the_clock() {
    let _serial = serial();
    let waited = watch_receiver(|rx| {
        while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(Duration::from_millis(100))
        {
        }
    });
    assert!(
        matches!(&waited, Waited::Busy(seen) if seen.contains("timeout")),
        "{waited:?}"
    );
    let waited = watch_receiver(|rx| {
        while let Err(mpsc::TryRecvError::Empty) = rx.try_recv() {
            thread::sleep(Duration::from_millis(10));
        }
    });
    assert!(
        matches!(&waited, Waited::Busy(seen) if seen.contains("slept")),
        "{waited:?}"
    );
}

#[test]
fn code_that_returns_early_is_finished() {
    let _serial = serial();
    let waited = watch_receiver(drop);
    assert!(matches!(waited, Waited::Finished), "{waited:?}");
}

#[test]
fn threads_the_code_starts_are_watched_too() {
    let _serial = serial();
    let stop = Arc::new(AtomicBool::new(false));
    let spinning = Arc::clone(&stop);
    let watch = Watch::start();
    let outer = thread::spawn(move || {
        thread::spawn(move || {
            while !spinning.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        })
        .join()
        .unwrap();
    });
    let waited = watch.wait(&|| outer.is_finished());
    stop.store(true, Ordering::Relaxed);
    outer.join().unwrap();
    assert!(matches!(waited, Waited::Busy(_)), "{waited:?}");
}

#[test]
fn threads_held_at_a_gate_count_as_blocked() {
    let _serial = serial();
    let gate = Arc::new(Gate::new("the test"));
    let held = Arc::clone(&gate);
    let running = Running::spawn("the worker", move || held.wait());
    running.until_blocked("the gate is closed", "unused");
    assert!(!running.is_finished());
    gate.open();
    running.join();
}

#[test]
fn until_blocked_names_the_mistake() {
    let _serial = serial();
    let watch = Watch::start();
    let panic = thread::scope(|scope| {
        scope
            .spawn(|| {
                watch.until_blocked(&|| true, "your consumer", "a sender is open", "use recv");
            })
            .join()
    })
    .expect_err("finished code must fail");
    let message = panic.downcast_ref::<String>().unwrap();
    assert_eq!(
        message,
        "your consumer returned while a sender is open: use recv"
    );
}

#[test]
fn the_meter_sees_cpu_burned() {
    let _serial = serial();
    let meter = CpuMeter::start();
    // Spin until this thread has used 120 ms of CPU, however loaded the machine is.
    let start = thread_cpu_time();
    let until_wall = Instant::now() + Duration::from_secs(5);
    while let (Some(start), Some(now)) = (start, thread_cpu_time()) {
        if now - start >= Duration::from_millis(120) || Instant::now() > until_wall {
            break;
        }
        std::hint::spin_loop();
    }
    let (cpu, wall) = meter.used();
    let Some(cpu) = cpu else {
        return; // No CPU clock on this platform: nothing to judge.
    };
    assert!(cpu >= Duration::from_millis(100), "{cpu:?}");
    let judged = std::panic::catch_unwind(|| {
        meter.assert_idle("the spinner", "nothing", "block instead");
    });
    // The meter is generous on purpose: it calls polling only what used at least half the
    // wall time (a loaded machine may have given the spinner less).
    if cpu >= POLLING_CPU && cpu >= wall / 2 {
        let text = panic_text(judged);
        assert!(text.starts_with("the spinner used "), "{text}");
        assert!(text.ends_with("it polls; block instead"), "{text}");
    }
}

#[test]
fn a_consumer_that_blocks_passes_and_returns_its_result() {
    let _serial = serial();
    let (tx, rx) = mpsc::channel::<u32>();
    tx.send(2).unwrap();
    let consumer = Running::spawn("the consumer", move || rx.iter().sum::<u32>());
    consumer.until_blocked("the sender is open", "unused");
    tx.send(40).unwrap();
    drop(tx);
    assert_eq!(consumer.join(), 42);
}

#[test]
fn a_consumer_that_ends_on_an_idle_timeout_fails() {
    let _serial = serial();
    let (tx, rx) = mpsc::channel::<u32>();
    let consumer = Running::spawn("the consumer", move || {
        let mut total = 0;
        while let Ok(n) = rx.recv_timeout(Duration::from_millis(20)) {
            total += n;
        }
        total
    });
    let text = panic_text(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || {
            consumer.until_blocked("the sender is open and quiet", "block on `recv`");
        },
    )));
    drop(tx);
    assert!(text.starts_with("the consumer"), "{text}");
    assert!(text.ends_with("block on `recv`"), "{text}");
    consumer.join();
}

#[test]
fn join_re_raises_the_codes_panic() {
    let _serial = serial();
    let running = Running::spawn("it", || panic!("boom"));
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| running.join()))
        .expect_err("the panic comes back");
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"boom"));
}

#[test]
fn a_receiving_loop_nobody_closes_is_stuck_and_one_that_ends_finishes() {
    let _serial = serial();
    let (tx, rx) = mpsc::channel::<u32>();
    let kept = tx.clone();
    tx.send(1).unwrap();
    drop(tx);
    let stuck = Running::spawn("the loop", move || rx.iter().sum::<u32>());
    let text = panic_text(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || stuck.until_finished("drop the last Sender"),
    )));
    assert!(text.starts_with("the loop is blocked forever"), "{text}");
    assert!(text.ends_with("drop the last Sender"), "{text}");
    drop(kept);
    assert_eq!(stuck.join(), 1);

    let busy = Running::spawn("the work", || {
        let until = Instant::now() + Duration::from_millis(80);
        while Instant::now() < until {
            std::hint::spin_loop();
        }
        7
    });
    busy.until_finished("unused");
    assert_eq!(busy.join(), 7);
}

#[test]
fn code_that_sleeps_on_its_way_to_finishing_is_caught() {
    let _serial = serial();
    let sleeper = Running::spawn("the sleeper", || thread::sleep(Duration::from_millis(200)));
    let text = panic_text(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || sleeper.finishes_blocking("wait for the workers"),
    )));
    assert!(text.contains("slept"), "{text}");
    sleeper.join();
    let joiner = Running::spawn("the joiner", || {
        thread::spawn(|| (0..1000_u64).sum::<u64>()).join().unwrap()
    });
    joiner.finishes_blocking("unused");
    assert_eq!(joiner.join(), 499_500);
}
