//! # Copy-on-write snapshots with `Arc::make_mut`
//!
//! Readers often want a *snapshot*: a value that stays the same while they work on it,
//! whatever writers do meanwhile. Copying the value for every reader is safe but costly.
//! Sharing it is cheap: the store keeps an `Arc<T>`, and a snapshot is one more handle to
//! it. A writer must then never change a value that a reader still holds.
//!
//! `Arc::make_mut(&mut arc)` does exactly that: it returns `&mut T`, and if other handles
//! share the value it first clones it into a new `Arc` of its own (copy-on-write); if this
//! handle is the only one it changes the value in place, no copy at all. So old snapshots
//! keep the old value, and a writer copies only when someone is looking.
//! `Arc::ptr_eq` and `Arc::strong_count` let you see which happened.
//!
//! - std, `Arc::make_mut`: <https://doc.rust-lang.org/std/sync/struct.Arc.html#method.make_mut>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::sync::{Arc, Mutex};
use std::thread;

/// A value that many readers take snapshots of while writers change it.
#[derive(Debug, Default)]
pub struct Published<T> {
    current: Mutex<Arc<T>>,
}

impl<T: Clone> Published<T> {
    pub fn new(value: T) -> Published<T> {
        Published {
            current: Mutex::new(Arc::new(value)),
        }
    }

    /// The value now, as a snapshot that later updates never change. No copy is made.
    pub fn snapshot(&self) -> Arc<T> {
        // TODO: safe, but every snapshot copies the whole value.
        let current = self.current.lock().unwrap();
        Arc::new(T::clone(&current))
    }

    /// Changes the value. The value is copied first only if a snapshot of it is out.
    pub fn update(&self, change: impl FnOnce(&mut T)) {
        // TODO: safe, but every update copies the whole value, even when nobody shares it.
        let mut current = self.current.lock().unwrap();
        let mut value = T::clone(&current);
        change(&mut value);
        *current = Arc::new(value);
    }
}

fn main() {
    let routes = Published::new(vec!["/home".to_string()]);
    let before = routes.snapshot();
    routes.update(|routes| routes.push("/about".to_string()));
    let after = routes.snapshot();
    println!("old snapshot: {before:?}, new snapshot: {after:?}");
    drop(before);
    drop(after);
    let address = Arc::as_ptr(&routes.snapshot());
    routes.update(|routes| routes.push("/contact".to_string()));
    let same = std::ptr::eq(address, Arc::as_ptr(&routes.snapshot()));
    println!("with no snapshot out, the update changed the value in place: {same}");
    let reader = thread::spawn(move || routes.snapshot().len());
    println!("a reader thread sees {} routes", reader.join().unwrap());
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_testkit::Gate;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn snapshots_share_the_value_until_an_update() {
        let store = Published::new(names(&["a", "b"]));
        let first = store.snapshot();
        let second = store.snapshot();
        assert!(
            Arc::ptr_eq(&first, &second),
            "two snapshots with no update between them must be handles to the same value, \
             not copies"
        );
        assert_eq!(
            Arc::strong_count(&first),
            3,
            "the store and the two snapshots share the value"
        );
    }

    #[test]
    fn a_snapshot_never_changes() {
        const READERS: usize = 4;
        let store = Arc::new(Published::new(names(&["a", "b"])));
        let gate = Arc::new(Gate::new("the readers, holding their snapshots"));
        let _release = gate.open_on_drop();
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                let (store, gate) = (Arc::clone(&store), Arc::clone(&gate));
                thread::spawn(move || {
                    let snapshot = store.snapshot();
                    gate.wait();
                    snapshot.to_vec()
                })
            })
            .collect();
        gate.wait_for_held(READERS, "the readers did not all take a snapshot");
        store.update(|names| {
            names[0] = "changed".to_string();
            names.push("c".to_string());
        });
        gate.open();
        for reader in readers {
            assert_eq!(
                reader.join().expect("a reader panicked"),
                names(&["a", "b"]),
                "an update changed a snapshot that a reader still held"
            );
        }
        assert_eq!(*store.snapshot(), names(&["changed", "b", "c"]));
    }

    #[test]
    fn an_update_copies_only_while_a_snapshot_is_out() {
        let store = Published::new(names(&["a"]));
        let before = Arc::as_ptr(&store.snapshot());
        store.update(|names| names.push("b".to_string()));
        let after = store.snapshot();
        assert!(
            std::ptr::eq(before, Arc::as_ptr(&after)),
            "no snapshot was out, yet the update copied the value: `Arc::make_mut` changes \
             it in place when the store holds the only handle"
        );

        // `after` is still out: this update must copy, and leave `after` alone.
        store.update(|names| names.push("c".to_string()));
        assert_eq!(*after, names(&["a", "b"]), "the update changed a snapshot");
        assert_eq!(
            Arc::strong_count(&after),
            1,
            "after copying, the store must hold the new value only"
        );
        let copied = store.snapshot();
        assert_eq!(*copied, names(&["a", "b", "c"]));
        assert!(!Arc::ptr_eq(&after, &copied));

        // The store's copy is its own again (`copied` is dropped first): no second copy.
        let copy_address = Arc::as_ptr(&copied);
        drop(copied);
        store.update(|names| names.push("d".to_string()));
        assert!(
            std::ptr::eq(copy_address, Arc::as_ptr(&store.snapshot())),
            "the update copied a value that no snapshot shared any more"
        );
        assert_eq!(*store.snapshot(), names(&["a", "b", "c", "d"]));
    }
}
