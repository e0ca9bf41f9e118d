//! The learner's progress: the only place the grader writes state.
//!
//! `.threadlings/state.json` records, per exercise, the last verdict and the content hash
//! of the file it was given for. An exercise is done when that verdict is a pass *for the
//! content now on disk*, so editing a finished exercise reopens it. Every update is a
//! read-modify-write under an exclusive lock, written to a temporary file and renamed over
//! the old one: two graders at once cannot corrupt it, and a crash leaves the old or the
//! new state, never half of one. A state file that does not parse, or is not a file, is
//! set aside (never deleted) and rebuilt, with a warning.
//!
//! The state file lives in the checkout, where the learner's code can reach it, so each
//! verdict record carries an HMAC-SHA256 over the exercise, the content hash and the
//! verdict, keyed by a secret the grader generates once and keeps outside the checkout
//! (`$XDG_STATE_HOME/threadlings/key`, else `~/.local/state/threadlings/key`, else
//! `%LOCALAPPDATA%\threadlings\key`; only when none of these exists, `.threadlings/key`).
//! A record that does not verify — forged, edited, or written by a grader before records
//! were signed — is ignored with a warning: `progress`, `list` and watch count only
//! exercises this grader passed. Unsigned records are not migrated (signing them would
//! sign forged ones too); `threadlings verify` grades them again in one batch.
//!
//! Must not: print (warnings come back as data for the sinks), grade, or start processes
//! but through `git`/`run` (for a reset's original).

use std::collections::BTreeMap;
use std::env;
use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::course::{Course, Exercise, Side};
use crate::engine::{Graded, content_hash};
use crate::error::Error;
use crate::git;
use crate::submission::Submission;
use crate::verdict::VerdictKind;

/// Version 2 signs verdict records; version 1 files are read, their records ignored.
const STATE_VERSION: u32 = 2;
const UNSIGNED_STATE_VERSION: u32 = 1;
/// Bytes of the signing key.
const KEY_BYTES: usize = 32;

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
    /// HMAC-SHA256 (hex) of the exercise name, `hash` and `verdict` under the grader's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
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

/// The progress store of one learner's checkout (a [`Submission`] of the course).
#[derive(Debug)]
pub struct Progress {
    /// The files whose progress this is.
    submission: Submission,
    dir: PathBuf,
    /// Where the record-signing key is kept (created on first use).
    key_file: PathBuf,
}

impl Progress {
    pub fn new(submission: &Submission) -> Progress {
        let dir = submission.state_dir();
        Progress {
            submission: submission.clone(),
            key_file: key_file().unwrap_or_else(|| dir.join("key")),
            dir,
        }
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    /// Reads the state; a missing file is a fresh start, a corrupt one (or a directory,
    /// or anything else that is not a file) is set aside. Records that do not verify are
    /// dropped, with a warning.
    /// A state file that cannot be read at all is a warning and a fresh start here (it is
    /// left as it is; only [`Progress::update`] would replace it).
    pub fn load(&self) -> Result<Loaded, Error> {
        let Loaded { mut state, warning } = match self.load_unverified() {
            Ok(loaded) => loaded,
            Err(error) => {
                return Ok(Loaded {
                    state: State::fresh(),
                    warning: Some(format!(
                        "progress cannot be read ({error}); nothing is counted as done"
                    )),
                });
            }
        };
        let dropped = self.drop_unverified(&mut state);
        Ok(Loaded {
            state,
            warning: join_warnings(warning, dropped),
        })
    }

    /// The state as the file has it, records unchecked.
    fn load_unverified(&self) -> Result<Loaded, Error> {
        let path = self.state_path();
        let parsed = match fs::symlink_metadata(&path) {
            Err(err) if err.kind() == ErrorKind::NotFound => {
                return Ok(Loaded {
                    state: State::fresh(),
                    warning: None,
                });
            }
            Ok(meta) if !meta.is_file() => Err("it is not a file".to_owned()),
            _ => match fs::read_to_string(&path) {
                Ok(text) => match serde_json::from_str::<State>(&text) {
                    Ok(state)
                        if state.version == STATE_VERSION
                            || state.version == UNSIGNED_STATE_VERSION =>
                    {
                        Ok(state)
                    }
                    Ok(state) => Err(format!("it has version {}", state.version)),
                    Err(err) => Err(err.to_string()),
                },
                Err(err) => return Err(Error::io(format!("read {}", path.display()))(err)),
            },
        };
        let state = match parsed {
            Ok(state) => state,
            Err(why) => {
                let aside = path.with_extension("json.corrupt");
                let moved = fs::remove_dir_all(&aside)
                    .or_else(|_| fs::remove_file(&aside))
                    .or(Ok::<(), std::io::Error>(()))
                    .and_then(|()| fs::rename(&path, &aside));
                let fate = match moved {
                    Ok(()) => format!("it was moved to {}", aside.display()),
                    Err(err) => format!("it could not be moved aside either ({err})"),
                };
                return Ok(Loaded {
                    state: State::fresh(),
                    warning: Some(format!(
                        "{} could not be read ({why}); {fate} and progress starts over: \
                         `threadlings verify` finds every exercise you already solved",
                        path.display(),
                    )),
                });
            }
        };
        let mut state = state;
        state.version = STATE_VERSION;
        Ok(Loaded {
            state,
            warning: None,
        })
    }

    /// Removes the records whose signature does not verify; says which, if any.
    fn drop_unverified(&self, state: &mut State) -> Option<String> {
        if state.exercises.is_empty() {
            return None;
        }
        let key = match self.key() {
            Ok(key) => key,
            Err(err) => {
                state.exercises.clear();
                return Some(format!(
                    "progress cannot be checked without the grader's key ({err}); \
                     `threadlings verify` grades every exercise again"
                ));
            }
        };
        let unsigned = state.exercises.values().all(|record| record.mac.is_none());
        let rejected: Vec<String> = state
            .exercises
            .iter()
            .filter(|(name, record)| !verifies(&key, name, record))
            .map(|(name, _)| name.clone())
            .collect();
        if rejected.is_empty() {
            return None;
        }
        for name in &rejected {
            state.exercises.remove(name);
        }
        Some(if unsigned {
            format!(
                "the progress in {} was written by an older grader and is not signed, so \
                 it is not counted; `threadlings verify` grades every exercise again",
                self.state_path().display()
            )
        } else {
            format!(
                "{} holds progress this grader did not record, which is ignored: {}",
                self.state_path().display(),
                rejected
                    .iter()
                    .map(|name| name.escape_debug().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }

    /// The signing key: read, or created on first use (readable by the user only).
    fn key(&self) -> Result<Vec<u8>, Error> {
        match fs::read(&self.key_file) {
            Ok(key) if key.len() == KEY_BYTES => return Ok(key),
            Ok(_) => {
                return Err(Error::Tool(format!(
                    "{} is not a key this grader wrote; delete it to start afresh",
                    self.key_file.display()
                )));
            }
            Err(err) if err.kind() == ErrorKind::NotFound => {}
            Err(err) => return Err(Error::io(format!("read {}", self.key_file.display()))(err)),
        }
        let mut key = vec![0; KEY_BYTES];
        getrandom::fill(&mut key)
            .map_err(|err| Error::Tool(format!("no randomness for a signing key: {err}")))?;
        let dir = self.key_file.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(Error::io(format!("create {}", dir.display())))?;
        let mut temp = tempfile::NamedTempFile::new_in(dir)
            .map_err(Error::io(format!("create a file in {}", dir.display())))?;
        temp.write_all(&key)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(Error::io(format!("write {}", temp.path().display())))?;
        // Two graders at once: the first key written wins, and both use it.
        match temp.persist_noclobber(&self.key_file) {
            Ok(_) => Ok(key),
            Err(err) if err.error.kind() == ErrorKind::AlreadyExists => fs::read(&self.key_file)
                .map_err(Error::io(format!("read {}", self.key_file.display()))),
            Err(err) => Err(Error::io(format!("create {}", self.key_file.display()))(
                err.error,
            )),
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
        let key = self.key()?;
        self.update(|state| {
            for graded in &learner {
                let mut record = Record {
                    hash: graded.content_hash.clone(),
                    verdict: graded.verdict().kind(),
                    mac: None,
                };
                record.mac = Some(mac(&key, &graded.exercise, &record));
                state.exercises.insert(graded.exercise.clone(), record);
            }
        })
    }

    /// Remembers that the welcome message was shown.
    /// Remembers that the welcome message was shown. Not being able to is worth a
    /// warning, not an end to the session.
    pub fn mark_welcomed(&self) -> Result<Option<String>, Error> {
        Ok(self
            .update(|state| state.welcomed = true)
            .unwrap_or_else(|error| {
                Some(format!(
                    "progress cannot be saved ({error}); verdicts are shown but not remembered"
                ))
            }))
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
        let path = self.submission.file(exercise, Side::Exercise);
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
        // Records that do not verify are dropped for good, but only when the key says so:
        // without it, they are kept for a later run that has it.
        let Loaded { mut state, warning } = self.load_unverified()?;
        let warning = if self.key().is_ok() {
            join_warnings(warning, self.drop_unverified(&mut state))
        } else {
            warning
        };
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

fn join_warnings(first: Option<String>, second: Option<String>) -> Option<String> {
    match (first, second) {
        (Some(first), Some(second)) => Some(format!("{first}\n{second}")),
        (first, second) => first.or(second),
    }
}

/// Where the signing key lives: outside the checkout, in the user's state directory.
fn key_file() -> Option<PathBuf> {
    let non_empty = |name: &str| env::var_os(name).filter(|value| !value.is_empty());
    let base = non_empty("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|home| Path::new(&home).join(".local/state")))
        .or_else(|| non_empty("LOCALAPPDATA").map(PathBuf::from))?;
    Some(base.join("threadlings").join("key"))
}

type HmacSha256 = Hmac<Sha256>;

fn signer(key: &[u8], exercise: &str, record: &Record) -> HmacSha256 {
    // `new_from_slice` takes keys of any length for HMAC.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in [
        "threadlings progress record v2",
        exercise,
        &record.hash,
        record.verdict.as_str(),
    ] {
        // Length-prefixed, so no two different records sign the same bytes.
        mac.update(&(part.len() as u64).to_le_bytes());
        mac.update(part.as_bytes());
    }
    mac
}

/// The signature of `record` for `exercise`, in hex.
fn mac(key: &[u8], exercise: &str, record: &Record) -> String {
    signer(key, exercise, record)
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether `record` carries a valid signature (compared in constant time).
fn verifies(key: &[u8], exercise: &str, record: &Record) -> bool {
    let Some(hex) = &record.mac else {
        return false;
    };
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|at| {
            hex.get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect();
    bytes.is_some_and(|bytes| signer(key, exercise, record).verify_slice(&bytes).is_ok())
}

impl Progress {
    /// Whether each exercise of the course is done, in course order: recorded as passed
    /// for the file as it is now.
    pub fn done_flags(&self, course: &Course, state: &State) -> Vec<bool> {
        course
            .exercises
            .iter()
            .map(|exercise| {
                fs::read_to_string(self.submission.file(exercise, Side::Exercise))
                    .is_ok_and(|source| state.is_done(exercise, &source))
            })
            .collect()
    }
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
            submission: Submission::at(dir.path().to_path_buf()),
            dir: dir.path().join(".threadlings"),
            key_file: dir.path().join("state-home/threadlings/key"),
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
                            .record(&[graded(
                                &format!("e{writer}-{round}"),
                                "",
                                crate::verdict::Verdict::Pass,
                            )])
                            .unwrap();
                    }
                });
            }
        });
        assert_eq!(progress.load().unwrap().state.exercises.len(), 80);
    }

    fn graded(exercise: &str, hash: &str, verdict: crate::verdict::Verdict) -> Graded {
        Graded {
            exercise: exercise.to_owned(),
            side: Side::Exercise,
            judgement: crate::verdict::Judgement {
                verdict,
                tests: Vec::new(),
            },
            stderr: None,
            notes: Vec::new(),
            content_hash: hash.to_owned(),
            duration: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn signed_records_verify_and_forged_ones_are_ignored_with_a_warning() {
        let (_dir, progress) = store();
        progress
            .record(&[
                graded("real", "aaaa", crate::verdict::Verdict::Pass),
                graded("failed", "bbbb", crate::verdict::Verdict::TestFailed),
            ])
            .unwrap();
        let loaded = progress.load().unwrap();
        assert_eq!(loaded.warning, None);
        assert_eq!(loaded.state.exercises.len(), 2);
        // A test rewrites the state file: its failed exercise becomes a pass, and it adds
        // one it never did.
        let text = fs::read_to_string(progress.state_path()).unwrap();
        let mut state: State = serde_json::from_str(&text).unwrap();
        state.exercises.get_mut("failed").unwrap().verdict = VerdictKind::Pass;
        let copied = state.exercises["real"].clone();
        state.exercises.insert("never".to_owned(), copied);
        fs::write(
            progress.state_path(),
            serde_json::to_string(&state).unwrap(),
        )
        .unwrap();
        let loaded = progress.load().unwrap();
        assert_eq!(loaded.state.exercises.keys().collect::<Vec<_>>(), ["real"]);
        let warning = loaded.warning.unwrap();
        assert!(
            warning.ends_with("did not record, which is ignored: failed, never"),
            "{warning}"
        );
        // The key is outside the checkout.
        assert!(!progress.key_file.starts_with(&progress.dir));
        assert_eq!(fs::read(&progress.key_file).unwrap().len(), KEY_BYTES);
    }

    #[test]
    fn an_unsigned_state_of_an_older_grader_keeps_hints_and_drops_verdicts() {
        let (_dir, progress) = store();
        fs::create_dir_all(&progress.dir).unwrap();
        fs::write(
            progress.state_path(),
            r#"{"version":1,"welcomed":true,"exercises":{"a":{"hash":"x","verdict":"pass"}},"hints_shown":{"a":1}}"#,
        )
        .unwrap();
        let loaded = progress.load().unwrap();
        assert!(loaded.state.exercises.is_empty());
        assert!(loaded.state.welcomed);
        assert_eq!(loaded.state.hints_shown["a"], 1);
        assert!(loaded.warning.unwrap().contains("older grader"));
    }

    #[test]
    fn a_state_file_that_is_a_directory_is_set_aside() {
        let (_dir, progress) = store();
        fs::create_dir_all(progress.state_path()).unwrap();
        let loaded = progress.load().unwrap();
        assert_eq!(loaded.state, State::fresh());
        assert!(loaded.warning.unwrap().contains("it is not a file"));
        assert!(progress.dir.join("state.json.corrupt").is_dir());
        progress.mark_welcomed().unwrap();
        assert!(progress.load().unwrap().state.welcomed);
    }
}
