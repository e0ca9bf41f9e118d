//! Grading: build → run → judge, for one exercise or a batch.
//!
//! Owns: the order of the steps, the limits a test run gets, where the reference tests
//! come from, and the [`Event`]s that tell a [`Listener`] what is happening as it happens
//! (a build starting and finishing, each test starting and finishing with its duration,
//! each exercise graded). It hands back a [`Graded`] for each exercise: learner failure
//! is data.
//!
//! Must not: decide *what* to grade or when (the drivers do), print (the report sinks
//! listen to the events), write state (`progress` does), or start a process other than
//! through `build` and `run`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::build::{BuildOutput, Cargo};
use crate::compile_fail;
use crate::course::{Course, Exercise, Mode, Side};
use crate::error::Error;
use crate::finding::Finding;
use crate::git;
use crate::libtest;
use crate::model_check;
use crate::run::{self, Captured, Limits, ResultsChannel, Spec, StdoutObserver};
use crate::submission::Submission;
use crate::tamper;
use crate::verdict::{self, Judgement, Verdict};

/// Writable memory a learner's test process may use.
pub const MEMORY_LIMIT_BYTES: u64 = 1024 * 1024 * 1024;
/// Largest file a learner's test may write.
const FILE_LIMIT_BYTES: u64 = 256 * 1024 * 1024;
/// Output kept of each stream of a test run (half from the start, half from the end).
const TEST_OUTPUT_CAP: usize = 64 * 1024;

/// The result of grading one exercise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graded {
    pub exercise: String,
    pub side: Side,
    pub judgement: Judgement,
    /// What the test process wrote to stderr outside the tests' captured output (panics
    /// in spawned threads after the test ended, runtime errors), when it matters.
    pub stderr: Option<String>,
    /// Things the learner should know that are not about their code (a compiler that is
    /// not the course's, ...).
    pub notes: Vec<String>,
    /// Content hash of the file that was graded.
    pub content_hash: String,
    pub duration: Duration,
}

impl Graded {
    pub fn verdict(&self) -> &Verdict {
        &self.judgement.verdict
    }
}

/// Where the reference tests (the specification a learner's file is checked against) are
/// read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceSource {
    /// The committed course (`HEAD:solutions/...`), which the working tree — and learner
    /// code that writes to it — cannot change. Falls back to the working tree, with a
    /// note, when the course is not a git checkout or the solution is not committed. For
    /// learner-facing grading: `run`, `verify`, watch.
    Committed,
    /// `solutions/` as it is on disk: for course authors (`dev check`), who edit solutions
    /// before committing them.
    WorkingTree,
}

/// Grades a submission's exercises against one course: the graded files come from the
/// [`Submission`], the reference tests from the [`Course`].
#[derive(Debug)]
pub struct Engine<'a> {
    pub course: &'a Course,
    /// The files being graded (a learner's checkout: the course's own tree).
    pub submission: Submission,
    pub cargo: Cargo,
    /// Show full backtraces of panics (`RUST_BACKTRACE=1`) in failure messages.
    pub backtrace: bool,
    /// Parallel test runs in a batch.
    pub jobs: usize,
    pub reference: ReferenceSource,
    /// Reference tests already read, per exercise (with the notes they came with).
    references: Mutex<BTreeMap<String, Arc<Reference>>>,
    /// The fallback for a course that is not a git checkout has been noted once.
    said_no_repository: AtomicBool,
    /// Tests may read only the system and their own executable (classroom grading: no
    /// other student's files, none of the instructor's), where Landlock allows.
    pub confine_reads: bool,
}

/// What the engine is doing, as it happens: the stream a [`Listener`] (a report sink, the
/// watch loop, a classroom driver) follows. Events of different exercises of a batch
/// interleave; each carries the exercise it is about.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// One cargo call starts building the test binaries of `exercises`.
    BuildStarted {
        exercises: &'a [&'a Exercise],
        side: Side,
    },
    /// That build ended (the compile errors are in each exercise's verdict).
    BuildFinished {
        exercises: &'a [&'a Exercise],
        duration: Duration,
    },
    /// libtest started `test`.
    TestStarted {
        exercise: &'a Exercise,
        test: &'a str,
    },
    /// `test` ended, after `duration`, passing or not as libtest printed it (progress to
    /// show only: the verdict reads libtest's record, which test code cannot write).
    TestFinished {
        exercise: &'a Exercise,
        test: &'a str,
        passed: bool,
        duration: Duration,
    },
    /// Something the learner or the author should know about an exercise's grading that
    /// is not its verdict (the reference tests were read from the working tree, the file
    /// is not UTF-8, ...): each of the verdict's notes, as they are known, before it.
    Notice {
        exercise: &'a Exercise,
        note: &'a str,
    },
    /// An exercise's verdict.
    Graded {
        exercise: &'a Exercise,
        graded: &'a Graded,
    },
}

/// Follows the engine's [`Event`]s. Called from the grading threads, in the order things
/// happen.
pub trait Listener: Sync {
    fn event(&self, event: &Event<'_>);
}

/// Hears nothing.
#[derive(Debug)]
pub struct Unheard;

impl Listener for Unheard {
    fn event(&self, _: &Event<'_>) {}
}

/// A function as a listener.
#[derive(Debug)]
pub struct Listen<F>(pub F);

impl<F: Fn(&Event<'_>) + Sync> Listener for Listen<F> {
    fn event(&self, event: &Event<'_>) {
        (self.0)(event);
    }
}

/// The solution source the reference tests of one exercise come from (syntax trees are
/// not `Send`: they are parsed where they are used), and what the learner should know
/// about where it came from.
#[derive(Debug)]
struct Reference {
    source: String,
    /// Where `source` was read, for error messages.
    origin: String,
    notes: Vec<String>,
}

impl Reference {
    fn spec(&self) -> Result<tamper::ReferenceTests, Error> {
        parse_reference(&self.source, &self.origin)
    }
}

fn parse_reference(source: &str, origin: &str) -> Result<tamper::ReferenceTests, Error> {
    tamper::ReferenceTests::from_source(source).map_err(|why| {
        Error::Config(crate::error::ConfigError::plain(format!(
            "{origin}: cannot read the reference tests: {why}"
        )))
    })
}

impl<'a> Engine<'a> {
    pub fn new(course: &'a Course, cargo: Cargo, backtrace: bool) -> Self {
        let jobs = thread::available_parallelism().map_or(1, usize::from);
        Engine {
            course,
            submission: Submission::checkout(course),
            cargo,
            backtrace,
            jobs,
            reference: ReferenceSource::Committed,
            references: Mutex::new(BTreeMap::new()),
            said_no_repository: AtomicBool::new(false),
            confine_reads: false,
        }
    }

    /// Grades one exercise.
    pub fn grade(&self, exercise: &Exercise, side: Side) -> Result<Graded, Error> {
        self.grade_one(exercise, side, &Unheard)
    }

    /// Grades one exercise, telling `listener` what happens.
    pub fn grade_one(
        &self,
        exercise: &Exercise,
        side: Side,
        listener: &dyn Listener,
    ) -> Result<Graded, Error> {
        let mut graded = self.grade_each(&[exercise], side, listener)?;
        Ok(graded.remove(0))
    }

    /// Grades `exercises` (one build for all of them, then runs in parallel), calling
    /// `on_graded` as each finishes. Results come back in the order given.
    pub fn grade_all(
        &self,
        exercises: &[&Exercise],
        side: Side,
        on_graded: &(dyn Fn(&Graded) + Sync),
    ) -> Result<Vec<Graded>, Error> {
        let listener = Listen(|event: &Event<'_>| {
            if let Event::Graded { graded, .. } = event {
                on_graded(graded);
            }
        });
        self.grade_each(exercises, side, &listener)
    }

    /// Grades `exercises` (one build for all of them, then runs in parallel), telling
    /// `listener` everything that happens. Results come back in the order given.
    pub fn grade_each(
        &self,
        exercises: &[&Exercise],
        side: Side,
        listener: &dyn Listener,
    ) -> Result<Vec<Graded>, Error> {
        let started = Instant::now();
        let sources = exercises
            .iter()
            .map(|exercise| self.read_source(exercise, side))
            .collect::<Result<Vec<_>, _>>()?;
        listener.event(&Event::BuildStarted { exercises, side });
        let built = self
            .cargo
            .build_tests(self.course, &self.submission, side, exercises)?;
        listener.event(&Event::BuildFinished {
            exercises,
            duration: started.elapsed(),
        });
        let build_time = started.elapsed() / u32::try_from(exercises.len().max(1)).unwrap_or(1);

        in_parallel(self.jobs, exercises.len(), |index| {
            let exercise = exercises[index];
            let source = &sources[index];
            let graded = self
                .judge_built(exercise, side, &built, &source.text, listener)
                .map(|mut ran| {
                    if !source.utf8 {
                        ran.notes
                            .push(encoding_note(&self.submission.file(exercise, side)));
                    }
                    Graded {
                        exercise: exercise.name.clone(),
                        side,
                        judgement: ran.judgement,
                        stderr: ran.stderr,
                        notes: ran.notes,
                        content_hash: content_hash(&source.text),
                        duration: build_time + ran.duration,
                    }
                })?;
            for note in &graded.notes {
                listener.event(&Event::Notice { exercise, note });
            }
            listener.event(&Event::Graded {
                exercise,
                graded: &graded,
            });
            Ok(graded)
        })
        .into_iter()
        .collect()
    }

    /// Runs the already-built tests of `exercise` `times` times (in parallel) and returns
    /// the judgements of the runs that did not pass: flakes.
    pub fn stress(
        &self,
        exercise: &Exercise,
        executable: &Path,
        times: usize,
    ) -> Result<Vec<Judgement>, Error> {
        let expected = self.expected_tests(exercise)?;
        let stop = AtomicBool::new(false);
        let runs = in_parallel(self.jobs, times, |_| {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let learner_file = self.submission.file(exercise, Side::Solution);
            match self.run_tests(
                exercise,
                executable,
                &learner_file,
                &expected.tests,
                &Unheard,
            ) {
                Ok(ran) => Ok((!ran.judgement.verdict.passed()).then_some(ran.judgement)),
                Err(error) => {
                    // The grader failed, not the tests: the other workers stop too.
                    stop.store(true, Ordering::Relaxed);
                    Err(error)
                }
            }
        });
        Ok(runs
            .into_iter()
            .collect::<Result<Vec<_>, Error>>()?
            .into_iter()
            .flatten()
            .collect())
    }

    /// Builds the test binaries of `exercises` on `side`; for drivers that run them
    /// several times.
    pub fn build(&self, exercises: &[&Exercise], side: Side) -> Result<BuildOutput, Error> {
        self.cargo
            .build_tests(self.course, &self.submission, side, exercises)
    }

    /// The file as text. A file that is not UTF-8 (an editor that saved it as Latin-1 or
    /// UTF-16) is read lossily: rustc rejects it, and that is the learner's verdict.
    fn read_source(&self, exercise: &Exercise, side: Side) -> Result<Source, Error> {
        let path = self.submission.file(exercise, side);
        let bytes = fs::read(&path).map_err(Error::io(format!("read {}", path.display())))?;
        Ok(match String::from_utf8(bytes) {
            Ok(text) => Source { text, utf8: true },
            Err(err) => Source {
                text: String::from_utf8_lossy(err.as_bytes()).into_owned(),
                utf8: false,
            },
        })
    }

    /// The pristine tests of `exercise`, read from its solution (see [`ReferenceSource`]).
    pub fn expected_tests(&self, exercise: &Exercise) -> Result<tamper::ReferenceTests, Error> {
        self.reference(exercise)?.spec()
    }

    fn reference(&self, exercise: &Exercise) -> Result<Arc<Reference>, Error> {
        if let Some(known) = self
            .references
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&exercise.name)
        {
            return Ok(Arc::clone(known));
        }
        let reference = Arc::new(self.read_reference(exercise)?);
        self.references
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(exercise.name.clone(), Arc::clone(&reference));
        Ok(reference)
    }

    fn read_reference(&self, exercise: &Exercise) -> Result<Reference, Error> {
        let path = self.course.path(exercise, Side::Solution);
        let relative = exercise.display_path(Side::Solution);
        let working_tree =
            || fs::read_to_string(&path).map_err(Error::io(format!("read {}", path.display())));
        let mut notes = Vec::new();
        if self.reference == ReferenceSource::Committed {
            match git::committed(&self.course.root, &relative) {
                git::Committed::File(source) => {
                    let origin = format!("{relative} at git HEAD");
                    let spec = parse_reference(&source, &origin)?;
                    let same = working_tree()
                        .ok()
                        .and_then(|source| tamper::ReferenceTests::from_source(&source).ok())
                        .is_some_and(|on_disk| on_disk.same_tests(&spec));
                    if !same {
                        notes.push(format!(
                            "{relative} differs from the committed course; graded against \
                             the committed tests"
                        ));
                    }
                    return Ok(Reference {
                        source,
                        origin,
                        notes,
                    });
                }
                git::Committed::Untracked => notes.push(format!(
                    "{relative} is not in the committed course (git HEAD); its tests were \
                     read from the working tree"
                )),
                git::Committed::NoRepository(why) => {
                    if !self.said_no_repository.swap(true, Ordering::Relaxed) {
                        notes.push(format!(
                            "the course has no committed copy to check the tests against \
                             ({why}); they were read from solutions/ in the working tree"
                        ));
                    }
                }
            }
        }
        let source = working_tree()?;
        let origin = path.display().to_string();
        parse_reference(&source, &origin)?;
        Ok(Reference {
            source,
            origin,
            notes,
        })
    }

    fn judge_built(
        &self,
        exercise: &Exercise,
        side: Side,
        built: &BuildOutput,
        source: &str,
        listener: &dyn Listener,
    ) -> Result<Ran, Error> {
        let executable = match built.result(&exercise.name) {
            Ok(executable) => executable,
            // What classroom grading forbids could change the result: tampered, with the
            // lines, rather than a compile error the student might take for their own.
            Err(_) if built.forbidden.contains_key(&exercise.name) => {
                return Ok(Ran::judged(Judgement {
                    verdict: Verdict::Tampered {
                        findings: built.forbidden[&exercise.name]
                            .iter()
                            .cloned()
                            .map(Finding::Forbidden)
                            .collect(),
                    },
                    tests: Vec::new(),
                }));
            }
            Err(errors) => {
                return Ok(Ran::judged(Judgement {
                    verdict: Verdict::CompileError {
                        errors: errors.to_owned(),
                    },
                    tests: Vec::new(),
                }));
            }
        };
        if exercise.mode == Mode::CompileFail {
            let ran = compile_fail::grade(
                self.course,
                &self.submission,
                &self.cargo,
                exercise,
                source,
                compile_fail::Expectations::Check,
            )?;
            return Ok(Ran {
                judgement: ran.judgement,
                stderr: None,
                notes: ran.notes,
                duration: ran.duration,
            });
        }
        let reference = self.reference(exercise)?;
        let spec = reference.spec()?;
        let learner_file = self.submission.file(exercise, side);
        let unseen = match exercise.mode {
            Mode::ModelCheck => model_check::unseen_by_the_model(source),
            Mode::Test | Mode::CompileFail => Vec::new(),
        };
        let mut ran = match verdict::judge_tampering(&spec.check(source)) {
            Some(judgement) => Ran::judged(judgement),
            // Synchronisation the model checker cannot see would make its tests check
            // nothing: a changed meaning, like a shadowed assertion.
            None if !unseen.is_empty() => Ran::judged(Judgement {
                verdict: Verdict::Tampered { findings: unseen },
                tests: Vec::new(),
            }),
            None => self.run_tests(exercise, executable, &learner_file, &spec.tests, listener)?,
        };
        ran.notes.extend(reference.notes.iter().cloned());
        Ok(ran)
    }

    /// Runs a built test binary once, under the limits, and judges the run.
    fn run_tests(
        &self,
        exercise: &Exercise,
        executable: &Path,
        learner_file: &Path,
        expected: &[String],
        listener: &dyn Listener,
    ) -> Result<Ran, Error> {
        let results =
            ResultsChannel::new().map_err(Error::io("create the channel for test results"))?;
        let cores = thread::available_parallelism().map_or(1, usize::from) as u64;
        let mut spec = Spec::new(executable, exercise.timeout);
        for (key, value) in libtest::env(self.backtrace) {
            spec = spec.env(key, value);
        }
        if exercise.mode == Mode::ModelCheck {
            for (key, value) in self.course.model_bounds(exercise).env() {
                spec = spec.env(key, value);
            }
        }
        spec.args = libtest::args(results.path());
        spec.contain = true;
        if self.confine_reads {
            let mut readable: Vec<PathBuf> = run::SYSTEM_DIRS.iter().map(PathBuf::from).collect();
            readable.push(executable.to_path_buf());
            spec.readable = Some(readable);
        }
        spec.results = Some(results);
        spec.output_cap = TEST_OUTPUT_CAP;
        spec.diagnose_timeout = true;
        // What libtest prints as tests start and end goes to a thread of this call, which
        // tells the listener (the observer itself must outlive any borrow).
        let (pieces, stdout_pieces) = mpsc::channel::<Vec<u8>>();
        spec.on_stdout = Some(StdoutObserver(Arc::new(move |bytes: &[u8]| {
            let _ = pieces.send(bytes.to_vec());
        })));
        spec.sources = Some(run::Sources {
            executable: executable.to_owned(),
            learner_file: learner_file.to_owned(),
        });
        // A deadlock is reported as soon as it is certain, not at the time limit (the
        // benchmark turns this off to measure the difference, in the grader and in the
        // testkit's bounded waits, which read it from the test's environment).
        const NO_EARLY_DEADLOCK: &str = "THREADLINGS_NO_EARLY_DEADLOCK";
        if std::env::var_os(NO_EARLY_DEADLOCK).is_none() {
            spec.watch_threads = Some(run::ThreadWatch::new());
        } else {
            spec.env.push((NO_EARLY_DEADLOCK.into(), "1".into()));
        }
        spec.cancel.clone_from(&self.cargo.cancel);
        spec.limits = Some(Limits {
            memory_bytes: MEMORY_LIMIT_BYTES,
            // Every core spinning for the whole time limit, and then some: the wall clock
            // fires first unless something is badly wrong.
            cpu_secs: exercise.timeout.as_secs() * cores + 5,
            file_bytes: FILE_LIMIT_BYTES,
        });
        let (output, durations) = thread::scope(|scope| {
            let follower = scope.spawn(move || follow_tests(&stdout_pieces, exercise, listener));
            let output = run::run(&spec);
            // Its observer was the last sender: the follower ends with it.
            drop(spec);
            (output, follower.join().unwrap_or_default())
        });
        let output = output.map_err(|err| Error::Tool(err.to_string()))?;
        if output.exit == run::Exit::Cancelled {
            // A cancelled run judged nothing: it must never become a verdict.
            return Err(Error::Cancelled);
        }
        let recorded = output
            .results
            .as_ref()
            .map(Captured::text)
            .unwrap_or_default();
        let mut judgement = verdict::judge_run(expected, &output, &recorded, exercise.timeout);
        for test in &mut judgement.tests {
            test.duration = durations.get(&test.name).copied();
        }
        if let Verdict::TimedOut { diagnosis, .. } = &mut judgement.verdict {
            let literals = fs::read_to_string(learner_file)
                .map(|source| verdict::string_literals(&source))
                .unwrap_or_default();
            verdict::full_thread_names(diagnosis, expected, &literals);
        }
        if exercise.mode == Mode::ModelCheck {
            verdict::explain_model_failures(&mut judgement, &output.stderr.text());
        }
        Ok(Ran {
            judgement,
            stderr: useful_stderr(&output.stderr.text()),
            notes: Vec::new(),
            duration: output.duration,
        })
    }
}

/// Tells `listener` of each test libtest starts and ends, from its stdout as it comes;
/// returns how long each test that ended took.
fn follow_tests(
    pieces: &mpsc::Receiver<Vec<u8>>,
    exercise: &Exercise,
    listener: &dyn Listener,
) -> BTreeMap<String, Duration> {
    let mut lines = libtest::TestLines::default();
    let mut since = Instant::now();
    let mut durations = BTreeMap::new();
    for piece in pieces {
        for line in lines.feed(&piece) {
            match line {
                libtest::TestLine::Started(test) => {
                    since = Instant::now();
                    listener.event(&Event::TestStarted {
                        exercise,
                        test: &test,
                    });
                }
                libtest::TestLine::Finished { name, passed } => {
                    let duration = since.elapsed();
                    listener.event(&Event::TestFinished {
                        exercise,
                        test: &name,
                        passed,
                        duration,
                    });
                    durations.insert(name, duration);
                }
            }
        }
    }
    durations
}

/// Runs `task` for every index in `0..count` on up to `jobs` threads (this one included),
/// each taking the next index as it becomes free; the results come back in index order.
fn in_parallel<T: Send>(jobs: usize, count: usize, task: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Mutex<BTreeMap<usize, T>> = Mutex::new(BTreeMap::new());
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= count {
                break;
            }
            let result = task(index);
            results
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(index, result);
        }
    };
    thread::scope(|scope| {
        for _ in 1..jobs.min(count) {
            scope.spawn(work);
        }
        work();
    });
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_values()
        .collect()
}

/// An exercise file as read for grading.
struct Source {
    text: String,
    /// Whether the file was valid UTF-8 (`text` is a lossy reading when not).
    utf8: bool,
}

/// What to do about a file that is not UTF-8.
fn encoding_note(path: &Path) -> String {
    format!(
        "{} is not UTF-8 text: your editor may have saved it as Latin-1 (ISO-8859-1, \
         Windows-1252) or UTF-16. Rust reads source files only as UTF-8: save it again \
         with the encoding set to UTF-8 (often in the status bar, or \"Save with \
         Encoding\").",
        path.display()
    )
}

/// What grading a built exercise found.
struct Ran {
    judgement: Judgement,
    stderr: Option<String>,
    notes: Vec<String>,
    duration: Duration,
}

impl Ran {
    /// Judged without running anything.
    fn judged(judgement: Judgement) -> Ran {
        Ran {
            judgement,
            stderr: None,
            notes: Vec::new(),
            duration: Duration::ZERO,
        }
    }
}

/// The test process's stderr without libtest's own noise, if anything is left.
fn useful_stderr(stderr: &str) -> Option<String> {
    let text = libtest::without_noise(stderr);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// A hash of an exercise file's contents that is stable across runs and toolchains
/// (FNV-1a): enough to tell whether the file changed since it last passed.
pub fn content_hash(source: &str) -> String {
    crate::course::content_hash(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_parallel_runs_every_index_once_and_keeps_their_order() {
        let calls = AtomicUsize::new(0);
        let squares = in_parallel(3, 50, |index| {
            calls.fetch_add(1, Ordering::Relaxed);
            index * index
        });
        assert_eq!(squares, (0..50).map(|i| i * i).collect::<Vec<_>>());
        assert_eq!(calls.into_inner(), 50);
        assert!(in_parallel(4, 0, |index| index).is_empty());
    }
}
