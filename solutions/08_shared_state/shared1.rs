//! # Sharing ownership with `Arc`
//!
//! A spawned thread may outlive the function that started it, so it cannot borrow that
//! function's data: it must *own* what it uses. When several threads need the same value,
//! none of them can own it alone. `Arc<T>` ("atomically reference-counted") gives each
//! thread a handle that owns the value jointly: `Arc::clone(&shared)` copies the handle
//! (a pointer and a count increment), never the value, and the value is freed when the last
//! handle is dropped, whichever thread drops it.
//!
//! `start_readers` below hands the settings to every reader thread and returns at once,
//! while the readers may still be running. Give each reader its own handle.
//!
//! - std, `Arc`: <https://doc.rust-lang.org/std/sync/struct.Arc.html>
//! - The Rust book, 16.3: <https://doc.rust-lang.org/book/ch16-03-shared-state.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::sync::Arc;
use std::thread::{self, JoinHandle};

/// Read-only settings that every reader needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub limits: Vec<u32>,
}

/// Starts `readers` threads; reader `id` runs `read(id, &settings)`. Returns at once with
/// their handles: the readers keep the settings alive for as long as they run.
pub fn start_readers<R, F>(settings: Arc<Settings>, readers: usize, read: F) -> Vec<JoinHandle<R>>
where
    F: Fn(usize, &Settings) -> R + Clone + Send + 'static,
    R: Send + 'static,
{
    (0..readers)
        .map(|id| {
            // A new handle to the same settings: one count up, no copy of the value.
            let settings = Arc::clone(&settings);
            let read = read.clone();
            thread::spawn(move || read(id, &settings))
        })
        .collect()
    // `settings`, the caller's handle, is dropped here: from now on the readers own it.
}

fn main() {
    let settings = Arc::new(Settings {
        name: "production".to_string(),
        limits: vec![10, 20, 30],
    });
    let handles = start_readers(Arc::clone(&settings), 3, |id, settings: &Settings| {
        format!(
            "reader {id} sees {} limit {}",
            settings.name, settings.limits[id]
        )
    });
    println!(
        "handles to the settings right now: {}",
        Arc::strong_count(&settings)
    );
    for handle in handles {
        println!("{}", handle.join().expect("a reader panicked"));
    }
    println!(
        "handles once the readers are done: {}",
        Arc::strong_count(&settings)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Weak;
    use threadlings_testkit::{Gate, Rendezvous};

    const READERS: usize = 4;

    fn settings() -> Arc<Settings> {
        Arc::new(Settings {
            name: "test".to_string(),
            limits: vec![1, 2, 3, 4],
        })
    }

    /// Starts the readers with only a `Weak` left in the test; each reader meets the others,
    /// then waits at the gate inside `read`, and returns where its settings live.
    fn held_readers(gate: &Arc<Gate>) -> (Weak<Settings>, Vec<JoinHandle<usize>>) {
        let settings = settings();
        let weak = Arc::downgrade(&settings);
        let meeting = Arc::new(Rendezvous::new(
            READERS,
            "the readers did not run at the same time",
        ));
        let held = Arc::clone(gate);
        let handles = start_readers(settings, READERS, move |_, settings: &Settings| {
            meeting.arrive();
            held.wait();
            std::ptr::from_ref(settings) as usize
        });
        (weak, handles)
    }

    #[test]
    fn each_running_reader_holds_its_own_handle() {
        let gate = Arc::new(Gate::new("the readers"));
        let _release = gate.open_on_drop();
        let (weak, handles) = held_readers(&gate);
        gate.wait_for_held(READERS, "every reader must be running at once");
        assert_eq!(
            weak.strong_count(),
            READERS,
            "while {READERS} readers run and `start_readers` has returned, the settings \
             must have exactly {READERS} owners: one `Arc::clone` per reader, and no handle \
             leaked or kept anywhere else"
        );
        gate.open();
        for handle in handles {
            handle.join().expect("a reader panicked");
        }
    }

    #[test]
    fn every_reader_sees_the_one_shared_value() {
        let gate = Arc::new(Gate::new("the readers"));
        gate.open();
        let (weak, handles) = held_readers(&gate);
        let seen: Vec<usize> = handles
            .into_iter()
            .map(|handle| handle.join().expect("a reader panicked"))
            .collect();
        let original = weak.as_ptr() as usize;
        assert!(
            seen.iter().all(|&address| address == original),
            "a reader read a copy of the settings: `Arc::clone` copies the handle, \
             `Settings::clone` copies the value"
        );
    }

    #[test]
    fn the_settings_live_until_the_last_reader_drops_them() {
        let gate = Arc::new(Gate::new("the readers"));
        let _release = gate.open_on_drop();
        let (weak, handles) = held_readers(&gate);
        gate.wait_for_held(READERS, "every reader must be running at once");
        assert!(
            weak.upgrade().is_some(),
            "the settings were freed while the readers still used them"
        );
        gate.open();
        for handle in handles {
            handle.join().expect("a reader panicked");
        }
        assert!(
            weak.upgrade().is_none(),
            "every reader has ended, but the settings are still alive: a handle was \
             leaked (`Box::leak`, `mem::forget`) or kept somewhere"
        );
    }

    #[test]
    fn readers_get_their_own_ids() {
        let settings = settings();
        let handles = start_readers(settings, READERS, |id, settings: &Settings| {
            (id, settings.limits[id])
        });
        let mut seen: Vec<(usize, u32)> = handles
            .into_iter()
            .map(|handle| handle.join().expect("a reader panicked"))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, vec![(0, 1), (1, 2), (2, 3), (3, 4)]);
    }
}
