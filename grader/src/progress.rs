//! The learner's progress: the only place the grader writes state.
//!
//! `.threadlings/state.json` records, per exercise, the last verdict and the content hash
//! of the file it was given for. An exercise is done when that verdict is a pass *for the
//! content now on disk*, so editing a finished exercise reopens it. Every update is a
//! read-modify-write under an exclusive lock, written to a temporary file and renamed over
//! the old one: two graders at once cannot corrupt it, and a crash leaves the old or the
//! new state, never half of one. A state file that does not parse is set aside (never
//! deleted) and rebuilt, with a warning.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::course::{Course, Exercise, Side};
use crate::engine::{Graded, content_hash};
use crate::error::Error;
use crate::git;
use crate::verdict::VerdictKind;

const STATE_VERSION: u32 = 1;

/// What the grader remembers between runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub version: u32,
    /// The welcome message has been shown.
    #[serde(default)]
    pub welcomed: bool,
    #[serde(default)]
    pub exercises: BTreeMap<String, Record>,
    /// How many hints of each exercise the learner has seen.
    #[serde(default)]
    pub hints_shown: BTreeMap<String, usize>,
}

/// The last verdict of one exercise and the content it was given for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub hash: String,
    pub verdict: VerdictKind,
}

/// What `reset` did.
#[derive(Debug)]
pub enum ResetOutcome {
    /// The file already matched the original: nothing was touched.
    AlreadyOriginal,
    /// The original is back; the learner's file was saved here.
    Restored { backup: PathBuf },
}

/// Loaded state, and what went wrong loading it, if anything worth telling.
#[derive(Debug)]
pub struct Loaded {
    pub state: State,
    pub warning: Option<String>,
}

/// The progress store of one course.
#[derive(Debug)]
pub struct Progress {
    dir: PathBuf,
}

impl Progress {
    pub fn new(course: &Course) -> Progress {
        Progress {
            dir: course.state_dir(),
        }
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    /// Reads the state; a missing file is a fresh start, a corrupt one is set aside.
    pub fn load(&self) -> Result<Loaded, Error> {
        let path = self.state_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == ErrorKind::NotFound => {
                return Ok(Loaded {
                    state: State::fresh(),
                    warning: None,
                });
            }
            Err(err) => return Err(Error::io(format!("read {}", path.display()))(err)),
        };
        match serde_json::from_str::<State>(&text) {
            Ok(state) if state.version == STATE_VERSION => Ok(Loaded {
                state,
                warning: None,
            }),
            parsed => {
                let why = match parsed {
                    Ok(state) => format!("it has version {}", state.version),
                    Err(err) => err.to_string(),
                };
                let aside = path.with_extension("json.corrupt");
                fs::rename(&path, &aside)
                    .map_err(Error::io(format!("move {} aside", path.display())))?;
                Ok(Loaded {
                    state: State::fresh(),
                    warning: Some(format!(
                        "{} could not be read ({why}); it was moved to {} and progress \
                         starts over: `threadlings verify` finds every exercise you already \
                         solved",
                        path.display(),
                        aside.display()
                    )),
                })
            }
        }
    }

    /// Records the verdicts of learner files (solutions are not progress).
    pub fn record(&self, graded: &[Graded]) -> Result<Option<String>, Error> {
        let learner: Vec<&Graded> = graded
            .iter()
            .filter(|graded| graded.side == Side::Exercise)
            .collect();
        if learner.is_empty() {
            return Ok(None);
        }
        self.update(|state| {
            for graded in &learner {
                state.exercises.insert(
                    graded.exercise.clone(),
                    Record {
                        hash: graded.content_hash.clone(),
                        verdict: graded.verdict().kind(),
                    },
                );
            }
        })
    }

    /// Remembers that the welcome message was shown.
    pub fn mark_welcomed(&self) -> Result<Option<String>, Error> {
        self.update(|state| state.welcomed = true)
    }

    /// Reveals hints of `exercise` up to `count`; returns how many are now shown.
    pub fn reveal_hints(
        &self,
        exercise: &Exercise,
        count: usize,
    ) -> Result<(usize, Option<String>), Error> {
        let mut shown = 0;
        let warning = self.update(|state| {
            let seen = state.hints_shown.entry(exercise.name.clone()).or_default();
            *seen = (*seen).max(count).min(exercise.hints.len());
            shown = *seen;
        })?;
        Ok((shown, warning))
    }

    /// Restores the learner's file of `exercise` to its version at git revision `from`,
    /// after backing up what is there.
    pub fn reset(
        &self,
        course: &Course,
        exercise: &Exercise,
        from: &str,
    ) -> Result<ResetOutcome, Error> {
        let relative = format!(
            "{}/{}",
            crate::course::EXERCISES_DIR,
            exercise.relative_path().display()
        );
        let original = git::show(&course.root, from, &relative)?;
        let path = course.path(exercise, Side::Exercise);
        if fs::read_to_string(&path).is_ok_and(|current| current == original) {
            return Ok(ResetOutcome::AlreadyOriginal);
        }
        let backup = self.restore(exercise, &path, &original)?;
        Ok(ResetOutcome::Restored { backup })
    }

    /// Puts `original` back as the learner's file at `path`, after copying what is there to
    /// `.threadlings/backups/`. Returns the backup's path.
    pub fn restore(
        &self,
        exercise: &Exercise,
        path: &Path,
        original: &str,
    ) -> Result<PathBuf, Error> {
        let backups = self.dir.join("backups");
        fs::create_dir_all(&backups).map_err(Error::io(format!("create {}", backups.display())))?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let mut backup = backups.join(format!("{}-{stamp}.rs", exercise.name));
        let mut attempt = 1;
        while backup.exists() {
            attempt += 1;
            backup = backups.join(format!("{}-{stamp}-{attempt}.rs", exercise.name));
        }
        fs::copy(path, &backup).map_err(Error::io(format!("back up {}", path.display())))?;
        write_text_atomically(path, original)?;
        Ok(backup)
    }

    /// Read, change and write the state under the lock. Returns a load warning, if any.
    fn update(&self, change: impl FnOnce(&mut State)) -> Result<Option<String>, Error> {
        fs::create_dir_all(&self.dir)
            .map_err(Error::io(format!("create {}", self.dir.display())))?;
        let lock_path = self.dir.join("state.lock");
        let lock = File::create(&lock_path)
            .map_err(Error::io(format!("create {}", lock_path.display())))?;
        lock.lock()
            .map_err(Error::io(format!("lock {}", lock_path.display())))?;
        let Loaded { mut state, warning } = self.load()?;
        change(&mut state);
        write_atomically(&self.state_path(), &state)?;
        Ok(warning)
    }
}

impl State {
    fn fresh() -> State {
        State {
            version: STATE_VERSION,
            ..State::default()
        }
    }

    /// Whether `exercise` passed with the content `source` has now.
    pub fn is_done(&self, exercise: &Exercise, source: &str) -> bool {
        self.exercises.get(&exercise.name).is_some_and(|record| {
            record.verdict == VerdictKind::Pass && record.hash == content_hash(source)
        })
    }
}

/// Whether each exercise of the course is done, in course order.
pub fn done_flags(course: &Course, state: &State) -> Vec<bool> {
    course
        .exercises
        .iter()
        .map(|exercise| {
            fs::read_to_string(course.path(exercise, Side::Exercise))
                .is_ok_and(|source| state.is_done(exercise, &source))
        })
        .collect()
}

fn write_atomically(path: &Path, state: &State) -> Result<(), Error> {
    let json = serde_json::to_string_pretty(state).map_err(|err| Error::Tool(err.to_string()))?;
    write_text_atomically(path, &json)
}

/// Writes `text` to a temporary file next to `path` and renames it over `path`: readers
/// see the old contents or the new, never a mix.
fn write_text_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(Error::io(format!(
        "create a temporary file in {}",
        dir.display()
    )))?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(Error::io(format!("write {}", temp.path().display())))?;
    temp.persist(path)
        .map_err(|err| Error::io(format!("replace {}", path.display()))(err.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Progress) {
        let dir = tempfile::tempdir().unwrap();
        let progress = Progress {
            dir: dir.path().join(".threadlings"),
        };
        (dir, progress)
    }

    #[test]
    fn updates_survive_a_reload() {
        let (_dir, progress) = store();
        progress.mark_welcomed().unwrap();
        assert!(progress.load().unwrap().state.welcomed);
    }

    #[test]
    fn a_corrupt_state_is_set_aside_and_rebuilt() {
        let (_dir, progress) = store();
        fs::create_dir_all(&progress.dir).unwrap();
        fs::write(progress.state_path(), "{ not json").unwrap();
        let loaded = progress.load().unwrap();
        assert_eq!(loaded.state, State::fresh());
        assert!(loaded.warning.unwrap().contains("moved to"));
        assert_eq!(
            fs::read_to_string(progress.dir.join("state.json.corrupt")).unwrap(),
            "{ not json"
        );
    }

    #[test]
    fn concurrent_writers_lose_no_update() {
        let (_dir, progress) = store();
        std::thread::scope(|scope| {
            for writer in 0..8 {
                let progress = &progress;
                scope.spawn(move || {
                    for round in 0..10 {
                        progress
                            .update(|state| {
                                state.exercises.insert(
                                    format!("e{writer}-{round}"),
                                    Record {
                                        hash: String::new(),
                                        verdict: VerdictKind::Pass,
                                    },
                                );
                            })
                            .unwrap();
                    }
                });
            }
        });
        assert_eq!(progress.load().unwrap().state.exercises.len(), 80);
    }
}
