//! Noticing saves: file-system events (notify), polling, or nothing (manual mode).
//!
//! Editors save in different ways: in place (a write, then a close), by writing a temporary
//! file and renaming it over the exercise (vim's backupcopy, JetBrains' safe write,
//! `sed -i`), or by renaming the old file to a backup and creating a new one (emacs). The
//! filter below takes every event that changes the current exercise's file and ignores
//! reads, which cargo and rustc cause on every build. A finished write (close after
//! writing, a rename into place) is reported at once; anything else waits for a short
//! quiet period, so a save made of several events is graded once.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, MetadataKind, ModifyKind, RenameMode};
use notify::{
    Event as FsEvent, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher,
};

use crate::error::Error;

/// How long a save may take, in events, before it is graded.
pub const DEBOUNCE: Duration = Duration::from_millis(150);
/// How often polling mode looks at the file.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// How often the watchdog checks for saves that produced no event.
pub const WATCHDOG_INTERVAL: Duration = Duration::from_secs(2);

/// How saves are noticed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detection {
    /// File-system events, with a watchdog that notices when none arrive.
    Events,
    /// Look at the file a few times a second (for file systems without events).
    Poll,
    /// Only when the learner presses `r`.
    Manual,
}

/// What the watcher tells the loop.
#[derive(Debug)]
pub enum Notice {
    /// The current exercise's file may have changed.
    Changed,
    /// Another exercise's file changed (the header, list and progress may be stale).
    Others,
    /// Time for the watchdog to compare the file with what the loop last saw.
    Watchdog,
}

/// Keeps the watcher alive; dropping it stops watching.
pub struct FileWatch {
    _watcher: Option<Box<dyn Watcher + Send>>,
}

/// Starts noticing saves of the file in `current` (which the loop changes when it moves
/// on), under `exercises_dir`, sending notices through `notify` (wrapped by `wrap`).
pub fn watch<E: Send + 'static>(
    detection: Detection,
    exercises_dir: &Path,
    current: Arc<Mutex<PathBuf>>,
    events: Sender<E>,
    wrap: fn(Notice) -> E,
) -> Result<FileWatch, Error> {
    if detection == Detection::Manual {
        return Ok(FileWatch { _watcher: None });
    }
    let (touch_tx, touch_rx) = mpsc::channel::<bool>();
    let debounce_events = events.clone();
    let others = events.clone();
    thread::spawn(move || debounce(&touch_rx, &debounce_events, wrap));

    let handler = move |result: notify::Result<FsEvent>| {
        let Ok(event) = result else { return };
        let current = current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(complete) = classify(&event, &current) {
            let _ = touch_tx.send(complete);
        } else if event.paths.iter().any(|path| {
            path.extension().is_some_and(|ext| ext == "rs") && classify(&event, path) == Some(true)
        }) {
            let _ = others.send(wrap(Notice::Others));
        }
    };
    let mut watcher: Box<dyn Watcher + Send> = match detection {
        Detection::Poll => Box::new(
            PollWatcher::new(
                handler,
                notify::Config::default()
                    .with_poll_interval(POLL_INTERVAL)
                    .with_compare_contents(true),
            )
            .map_err(|err| Error::Tool(format!("could not start polling: {err}")))?,
        ),
        _ => Box::new(
            RecommendedWatcher::new(handler, notify::Config::default()).map_err(|err| {
                Error::Tool(format!("could not watch for saves: {err}; try --poll"))
            })?,
        ),
    };
    watcher
        .watch(exercises_dir, RecursiveMode::Recursive)
        .map_err(|err| {
            Error::Tool(format!(
                "could not watch {}: {err}; try --poll",
                exercises_dir.display()
            ))
        })?;
    if detection == Detection::Events {
        thread::spawn(move || {
            loop {
                thread::sleep(WATCHDOG_INTERVAL);
                if events.send(wrap(Notice::Watchdog)).is_err() {
                    break;
                }
            }
        });
    }
    Ok(FileWatch {
        _watcher: Some(watcher),
    })
}

/// Whether `event` changes `current`: `Some(true)` when the write is finished, `Some(false)`
/// when more events of the same save may follow, `None` when it is not a change of it.
pub fn classify(event: &FsEvent, current: &Path) -> Option<bool> {
    if !event.paths.iter().any(|path| path == current) {
        return None;
    }
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(true),
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => Some(true),
        EventKind::Access(_) => None,
        // Polling reports a newer modification time as metadata.
        EventKind::Create(CreateKind::File | CreateKind::Any)
        | EventKind::Modify(
            ModifyKind::Data(_)
            | ModifyKind::Any
            | ModifyKind::Name(_)
            | ModifyKind::Metadata(MetadataKind::WriteTime | MetadataKind::Any),
        )
        | EventKind::Any => Some(false),
        EventKind::Modify(ModifyKind::Metadata(_) | ModifyKind::Other)
        | EventKind::Create(_)
        | EventKind::Remove(_)
        | EventKind::Other => None,
    }
}

/// Turns bursts of touches into one notice: at once for a finished write, after
/// [`DEBOUNCE`] of quiet otherwise.
fn debounce<E>(touches: &Receiver<bool>, events: &Sender<E>, wrap: fn(Notice) -> E) {
    while let Ok(complete) = touches.recv() {
        if !complete {
            let mut deadline = Instant::now() + DEBOUNCE;
            loop {
                match touches.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(true) | Err(RecvTimeoutError::Timeout) => break,
                    Ok(false) => deadline = Instant::now() + DEBOUNCE,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        }
        if events.send(wrap(Notice::Changed)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, RemoveKind};

    fn event(kind: EventKind, path: &str) -> FsEvent {
        FsEvent::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn saves_are_recognised_and_reads_are_not() {
        let file = Path::new("/c/exercises/t/a.rs");
        let cases = [
            // vim/nano in place: data, then close-after-write.
            (
                EventKind::Modify(ModifyKind::Data(DataChange::Any)),
                Some(false),
            ),
            (
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                Some(true),
            ),
            // Rename over the file: JetBrains safe write, sed -i, vim backupcopy=no.
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                Some(true),
            ),
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                Some(true),
            ),
            // emacs: the old file renamed away, a new one created.
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                Some(false),
            ),
            (EventKind::Create(CreateKind::File), Some(false)),
            // Polling: a newer modification time.
            (
                EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime)),
                Some(false),
            ),
            (
                EventKind::Modify(ModifyKind::Metadata(MetadataKind::Permissions)),
                None,
            ),
            // cargo and rustc reading it.
            (EventKind::Access(AccessKind::Open(AccessMode::Any)), None),
            (EventKind::Access(AccessKind::Close(AccessMode::Read)), None),
            (EventKind::Remove(RemoveKind::File), None),
        ];
        for (kind, expected) in cases {
            assert_eq!(
                classify(&event(kind, "/c/exercises/t/a.rs"), file),
                expected,
                "{kind:?}"
            );
        }
        let other = event(
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            "/c/exercises/t/b.rs",
        );
        assert_eq!(
            classify(&other, file),
            None,
            "another file's save is not ours"
        );
    }

    #[test]
    fn a_burst_of_touches_is_one_notice() {
        let (touch_tx, touch_rx) = mpsc::channel();
        let (events_tx, events_rx) = mpsc::channel::<Notice>();
        // All touches are queued before the debouncer looks: it sees them as one burst
        // however slowly it is scheduled.
        for _ in 0..5 {
            touch_tx.send(false).unwrap();
        }
        touch_tx.send(true).unwrap();
        drop(touch_tx);
        debounce(&touch_rx, &events_tx, |notice| notice);
        drop(events_tx);
        let notices: Vec<Notice> = events_rx.iter().collect();
        assert_eq!(notices.len(), 1, "{notices:?}");
    }
}
