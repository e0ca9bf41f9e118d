//! The watch loop: the learner's main screen. The whole feature is this folder: the
//! driver (here), the pure state machine ([`session`]), the screen's pure layout
//! ([`view`]), saves noticed (`files.rs`) and keys read (`terminal.rs`).
//!
//! One channel carries every [`Event`] (saves, keys, finished runs, ticks) to one loop,
//! which hands them to the pure [`session::Core`] and carries out the effects it asks for:
//! start or cancel a grading run (each on its own thread, so a hung exercise never freezes
//! the screen), record progress, reset a file, draw.
//!
//! Must not: print (a frame is drawn by `report::screen`, everything else is a
//! `report::watch::WatchEvent` the report sinks render), grade (the engine does), or
//! write state but through `progress`.

mod files;
pub mod session;
mod terminal;
pub mod view;

use std::collections::HashMap;
use std::fs;
use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

pub use self::files::Detection;
use self::files::Notice;
use self::session::{Building, Core, Effect, Input, Key, RunOutcome, Screen};
use crate::build::{self, Cargo};
use crate::course::{Course, Side};
use crate::engine::{Engine, Event as EngineEvent, Listen, content_hash};
use crate::error::Error;
use crate::program;
use crate::progress::{Progress, ResetOutcome};
use crate::report::screen::{self, RawScreen};
use crate::report::watch::{WatchEvent, WatchView};
use crate::report::{Format, Reporter};
use crate::submission::Submission;

/// What the first start builds.
const COURSE_CRATES: &str = "the course's crates";
/// What the first compile-fail lesson builds.
const HARNESS: &str = "the compile-fail harness (trybuild)";

/// The key of the check-all's cancel flag among the runs' (whose generations start at 1).
const CHECK_ALL: u64 = 0;
/// How often a running check's elapsed time is redrawn.
const TICK: Duration = Duration::from_millis(250);
/// A change older than this that no file event announced means events do not work here.
const MISSED_EVENT_AGE: Duration = Duration::from_secs(1);

/// Everything the loop reacts to, on one channel.
#[derive(Debug)]
enum Event {
    Files(Notice),
    Input(Input),
}

/// How the loop was asked to run.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub detection: Detection,
    /// JSON lines for editors and scripts instead of a screen.
    pub events_json: bool,
    pub color: bool,
    pub backtrace: bool,
}

/// Runs the loop until the learner quits.
pub fn run(course: &Course, reporter: &Reporter, options: Options) -> Result<ExitCode, Error> {
    let interactive =
        !options.events_json && io::stdout().is_terminal() && io::stdin().is_terminal();
    // `--events json` is the JSON format's rendering of the loop's events.
    let json = Reporter::new(Format::json());
    let reporter = if options.events_json { &json } else { reporter };
    let view = WatchView::new(interactive, reporter);
    // The learner's checkout is both the course and the files being graded.
    let checkout = Submission::checkout(course);
    let progress = Progress::new(&checkout);
    let loaded = progress.load()?;
    if let Some(warning) = loaded.warning {
        view.notice(&warning);
    }
    let state = loaded.state;
    let done = progress.done_flags(course, &state);
    let names = course
        .exercises
        .iter()
        .map(|exercise| exercise.name.clone())
        .collect();
    let hint_counts = course
        .exercises
        .iter()
        .map(|exercise| exercise.hints.len())
        .collect();
    // Without a keyboard nobody can press `n`: move on by itself after a pass.
    let mut core = Core::new(names, hint_counts, done, !interactive, Instant::now());
    core.set_screenless(!interactive);
    // The first start builds the course's crates: say so, and how far it has come.
    let crates = if build::course_crates_built(course, &checkout) {
        Vec::new()
    } else {
        build::course_crates(&Cargo::detect(false), course)
    };
    let first_build = build::crate_progress(&checkout, &crates);
    if !crates.is_empty() && !first_build.complete() {
        core.set_building(Some(Building {
            what: COURSE_CRATES,
            built: first_build.built,
            total: first_build.total,
        }));
        view.notice(&format!(
            "building the course's crates ({} libraries: rayon, crossbeam, dashmap, \
             parking_lot and what they use): first time only, a minute or two; the first \
             verdict follows",
            first_build.total
        ));
    }
    let hints = state
        .hints_shown
        .get(&core.names()[core.current()])
        .copied()
        .unwrap_or(0);
    core.hints_known(hints);
    if !state.welcomed
        && let Some(welcome) = &course.welcome_message
    {
        view.tell(&WatchEvent::Welcome {
            message: welcome.trim(),
        });
        // On the screen it stays until the first key.
        if interactive {
            core.tell(welcome.trim().to_owned());
        }
        if let Some(warning) = progress.mark_welcomed()? {
            view.notice(&warning);
        }
    }

    let (events, inbox) = mpsc::channel::<Event>();
    let current_path = Arc::new(Mutex::new(
        checkout.file(&course.exercises[core.current()], Side::Exercise),
    ));
    let _watch = files::watch(
        options.detection,
        &checkout.root().join(crate::course::EXERCISES_DIR),
        Arc::clone(&current_path),
        events.clone(),
        Event::Files,
    )?;
    let interrupt = events.clone();
    // Ctrl-C without a terminal, or a TERM from outside: stop the runs, then leave.
    let _ = ctrlc::set_handler(move || {
        let _ = interrupt.send(Event::Input(Input::Key(Key::Interrupt)));
    });
    let _terminal = if interactive {
        let raw = RawScreen::enter().map_err(Error::io("set up the terminal"))?;
        terminal::read_keys(
            events.clone(),
            |key| Event::Input(Input::Key(key)),
            || Event::Input(Input::Resized),
        );
        Some(raw)
    } else {
        terminal::read_lines(
            events.clone(),
            |key| Event::Input(Input::Key(key)),
            || Event::Input(Input::StdinClosed),
        );
        None
    };
    let ticker = events.clone();
    thread::spawn(move || {
        while ticker.send(Event::Input(Input::Tick)).is_ok() {
            thread::sleep(TICK);
        }
    });

    let driver = Driver {
        course,
        checkout: &checkout,
        screen: interactive,
        progress: &progress,
        view: &view,
        options,
        events,
        current_path,
        hints_recorded: std::cell::Cell::new(core.hints_shown()),
        crates: std::cell::RefCell::new(crates),
    };
    driver.run(&mut core, &inbox);
    Ok(ExitCode::SUCCESS)
}

struct Driver<'a> {
    course: &'a Course,
    /// The files being graded: the learner's checkout.
    checkout: &'a Submission,
    /// A full screen on a terminal (else lines or JSON events).
    screen: bool,
    progress: &'a Progress,
    view: &'a WatchView<'a>,
    options: Options,
    events: Sender<Event>,
    current_path: Arc<Mutex<PathBuf>>,
    /// Hints of the current exercise recorded as shown (on the screen, they count once
    /// they were drawn where the learner can see them).
    hints_recorded: std::cell::Cell<usize>,
    /// The libraries of a first-time build while it runs (for its progress).
    crates: std::cell::RefCell<Vec<String>>,
}

impl Driver<'_> {
    fn run(&self, core: &mut Core, inbox: &mpsc::Receiver<Event>) {
        let mut cancels: HashMap<u64, Arc<AtomicBool>> = HashMap::new();
        thread::scope(|scope| {
            let mut effects = core.start();
            'events: loop {
                for effect in std::mem::take(&mut effects) {
                    if !self.apply(effect, core, &mut cancels, scope) {
                        break 'events;
                    }
                }
                let Ok(event) = inbox.recv() else { break };
                effects = match event {
                    Event::Files(Notice::Others) => {
                        let done = self
                            .progress
                            .load()
                            .map(|loaded| self.progress.done_flags(self.course, &loaded.state));
                        match done {
                            Ok(done) => core.handle(Input::Refreshed { done }, Instant::now()),
                            Err(_) => Vec::new(),
                        }
                    }
                    Event::Files(notice) => self.file_event(&notice, core),
                    Event::Input(Input::Tick) if core.building().is_some() => {
                        let now = build::crate_progress(self.checkout, &self.crates.borrow());
                        core.building_progress(now.built, now.total);
                        core.handle(Input::Tick, Instant::now())
                    }
                    Event::Input(input) => {
                        if let Input::Checked { index, verdict, .. } = &input {
                            self.view.tell(&WatchEvent::Checked {
                                exercise: &self.course.exercises[*index],
                                verdict,
                            });
                        }
                        if let Input::ProgramRan { index, output } = &input {
                            self.view.tell(&WatchEvent::Program {
                                exercise: &self.course.exercises[*index],
                                output,
                            });
                        }
                        core.handle(input, Instant::now())
                    }
                };
            }
            // Leaving: stop whatever still runs; the scope waits for those threads, whose
            // processes are killed as they notice.
            for cancel in cancels.values() {
                cancel.store(true, Ordering::Relaxed);
            }
        });
    }

    /// Draws the whole screen (terminal only). Returns how many hints the learner can
    /// see on it, and clamps the session's scroll offset to the verdict's length.
    fn render(&self, core: &mut Core) -> Option<usize> {
        if !self.screen {
            return None;
        }
        let course = self.course;
        let (width, height) = screen::size();
        let exercise = &course.exercises[core.current()];
        let solution = (*core.screen() == Screen::Solution)
            .then(|| fs::read_to_string(course.path(exercise, Side::Solution)).ok())
            .flatten();
        let lesson = (core.running().is_some() && core.last().is_none())
            .then(|| fs::read_to_string(self.checkout.file(exercise, Side::Exercise)).ok())
            .flatten()
            .map(|source| view::lesson(&source));
        let frame = view::frame(
            core,
            course,
            view::Context {
                solution: solution.as_deref(),
                lesson: lesson.as_deref(),
                command: crate::invocation::command(),
            },
            width,
            height,
        );
        core.clamp_scroll(frame.max_scroll);
        screen::draw(&frame.lines);
        Some(frame.hints_visible)
    }

    fn record_hints(&self, core: &mut Core, index: usize, count: usize) {
        self.hints_recorded.set(count);
        if let Err(error) = self
            .progress
            .reveal_hints(&self.course.exercises[index], count)
        {
            self.tell(core, format!("could not remember the hint: {error}"));
        }
    }

    /// A notice for the learner: printed without a screen, on the screen's notice line
    /// with one (a line printed over the screen would garble it).
    fn tell(&self, core: &mut Core, notice: String) {
        if core.screenless() {
            self.view.notice(&notice);
        } else {
            core.tell(notice);
        }
    }

    /// Reads the current file after a notice; the watchdog also notices saves no event
    /// announced, and says once that polling would help.
    fn file_event(&self, notice: &Notice, core: &mut Core) -> Vec<Effect> {
        let path = self
            .current_path
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let Ok(bytes) = fs::read(&path) else {
            return Vec::new();
        };
        // Lossy, as the engine reads it: a file saved in another encoding is graded too.
        let hash = content_hash(&String::from_utf8_lossy(&bytes));
        if let Notice::Watchdog = notice {
            let settled = fs::metadata(&path)
                .and_then(|meta| meta.modified())
                .is_ok_and(|modified| {
                    SystemTime::now()
                        .duration_since(modified)
                        .unwrap_or_default()
                        > MISSED_EVENT_AGE
                });
            let missed = core.disk_hash().is_some_and(|seen| *seen != hash)
                && core.running().is_none()
                && settled;
            if !missed {
                return Vec::new();
            }
            core.tell(
                "a save was noticed late: this file system does not report changes (WSL /mnt/*, \
                 a network drive?); restart with `--poll`"
                    .to_owned(),
            );
        }
        core.handle(Input::FileChanged { hash }, Instant::now())
    }

    /// Carries out one effect; false when the loop should end.
    fn apply<'scope>(
        &'scope self,
        effect: Effect,
        core: &mut Core,
        cancels: &mut HashMap<u64, Arc<AtomicBool>>,
        scope: &'scope thread::Scope<'scope, '_>,
    ) -> bool {
        let course = self.course;
        match effect {
            Effect::Grade { index, generation } => {
                if course.exercises[index].mode == crate::course::Mode::CompileFail
                    && core.building().is_none()
                    && !build::harness_built(self.checkout)
                {
                    // The first compile-fail lesson builds trybuild: say so.
                    let crates = build::harness_crates(&Cargo::detect(false), course);
                    let now = build::crate_progress(self.checkout, &crates);
                    if !crates.is_empty() {
                        core.set_building(Some(Building {
                            what: HARNESS,
                            built: now.built,
                            total: now.total,
                        }));
                        *self.crates.borrow_mut() = crates;
                    }
                }
                let cancel = Arc::new(AtomicBool::new(false));
                cancels.insert(generation, Arc::clone(&cancel));
                let events = self.events.clone();
                let options = self.options;
                scope.spawn(move || {
                    let mut cargo = Cargo::detect(options.color && !options.events_json);
                    cargo.cancel = Some(cancel);
                    let engine = Engine::new(course, cargo, options.backtrace);
                    let on_test = Listen(|event: &EngineEvent<'_>| {
                        if let EngineEvent::TestStarted { test, .. } = event {
                            let _ = events.send(Event::Input(Input::TestStarted {
                                generation,
                                test: (*test).to_owned(),
                            }));
                        }
                    });
                    let exercise = &course.exercises[index];
                    let outcome = match engine.grade_one(exercise, Side::Exercise, &on_test) {
                        Ok(graded) => RunOutcome::Graded(Box::new(graded)),
                        Err(Error::Cancelled) => RunOutcome::Cancelled,
                        Err(error) => RunOutcome::Failed(error.to_string()),
                    };
                    let passed = matches!(&outcome, RunOutcome::Graded(graded)
                        if graded.verdict().passed());
                    let _ = events.send(Event::Input(Input::Graded {
                        generation,
                        outcome,
                    }));
                    // After a pass, the program itself runs, as rustlings shows it (a
                    // compile-fail lesson has no program of its own to show).
                    if passed
                        && exercise.mode == crate::course::Mode::Test
                        && let Ok(output) =
                            program::run_main(&engine.cargo, course, &engine.submission, exercise)
                    {
                        let _ = events.send(Event::Input(Input::ProgramRan {
                            index,
                            output: Box::new(output),
                        }));
                    }
                });
            }
            Effect::HintsShown { index, count } => {
                // Printed (no screen), or drawn by the render that follows: a hint counts
                // as shown once the learner could read it (see `Effect::Render`).
                if self.view.hint(&course.exercises[index], count) {
                    self.record_hints(core, index, count);
                }
            }
            Effect::PrintList => {
                let done = core.done();
                self.view.tell(&WatchEvent::List {
                    course,
                    done,
                    current: core.current(),
                });
            }
            Effect::PrintSolution { index } => {
                let exercise = &course.exercises[index];
                let solution = fs::read_to_string(course.path(exercise, Side::Solution))
                    .unwrap_or_else(|err| format!("(the solution could not be read: {err})"));
                self.view.tell(&WatchEvent::Solution {
                    exercise,
                    solution: &solution,
                });
            }
            Effect::Cancel { generation } => {
                if let Some(cancel) = cancels.remove(&generation) {
                    cancel.store(true, Ordering::Relaxed);
                }
            }
            Effect::Verdict { index, graded } => {
                if let Err(error) = self.progress.record(std::slice::from_ref(&graded)) {
                    self.tell(core, format!("progress not saved: {error}"));
                }
                self.view.tell(&WatchEvent::Verdict {
                    exercise: &course.exercises[index],
                    graded: &graded,
                });
            }
            Effect::AnnounceStart { index } => {
                self.view.tell(&WatchEvent::Started {
                    exercise: &course.exercises[index],
                });
            }
            Effect::AnnounceNext { index } => {
                let exercise = &course.exercises[index];
                self.hints_recorded.set(0);
                *self
                    .current_path
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) =
                    self.checkout.file(exercise, Side::Exercise);
                if let Ok(loaded) = self.progress.load() {
                    core.hints_known(
                        loaded
                            .state
                            .hints_shown
                            .get(&exercise.name)
                            .copied()
                            .unwrap_or(0),
                    );
                    self.hints_recorded.set(core.hints_shown());
                }
                self.view.tell(&WatchEvent::Next { exercise });
            }
            Effect::CheckAll => {
                let events = self.events.clone();
                let options = self.options;
                let progress = self.progress;
                let cancel = Arc::new(AtomicBool::new(false));
                cancels.insert(CHECK_ALL, Arc::clone(&cancel));
                scope.spawn(move || {
                    let mut cargo = Cargo::detect(false);
                    cargo.cancel = Some(Arc::clone(&cancel));
                    let engine = Engine::new(course, cargo, options.backtrace);
                    let all: Vec<_> = course.exercises.iter().collect();
                    let on_graded = |graded: &crate::engine::Graded| {
                        if let Some(index) = course
                            .exercises
                            .iter()
                            .position(|e| e.name == graded.exercise)
                        {
                            let _ = events.send(Event::Input(Input::Checked {
                                index,
                                passed: graded.verdict().passed(),
                                verdict: graded.verdict().kind().label().to_owned(),
                            }));
                        }
                    };
                    // A cancelled check (a quit, a save) records nothing: progress stays
                    // exactly as it was, whatever had finished by then.
                    if let Ok(results) = engine.grade_all(&all, Side::Exercise, &on_graded)
                        && !cancel.load(Ordering::Relaxed)
                    {
                        let _ = progress.record(&results);
                    }
                    let _ = events.send(Event::Input(Input::CheckFinished));
                });
            }
            Effect::Reset { index } => {
                let exercise = &course.exercises[index];
                let notice = match self.progress.reset(course, exercise, "HEAD") {
                    Ok(ResetOutcome::Restored { backup }) => {
                        core.was_reset();
                        format!(
                            "{} is back to its original; yours is saved as {}",
                            exercise.name,
                            backup.display()
                        )
                    }
                    Ok(ResetOutcome::AlreadyOriginal) => {
                        format!("{} is already as it was at HEAD", exercise.name)
                    }
                    Err(error) => format!("reset failed: {error}"),
                };
                core.tell(notice);
                let _ = self.render(core);
                self.hints_recorded.set(core.hints_shown());
            }
            Effect::Finish => {
                self.view.tell(&WatchEvent::Done {
                    message: course
                        .final_message
                        .as_deref()
                        .unwrap_or("Every exercise is done."),
                });
            }
            Effect::Render => {
                if core.screenless() {
                    if let Some(notice) = core.take_notice() {
                        self.view.notice(&notice);
                    }
                } else if let Some(visible) = self.render(core)
                    && visible > self.hints_recorded.get()
                {
                    let current = core.current();
                    self.record_hints(core, current, visible);
                }
            }
            Effect::Quit => return false,
        }
        true
    }
}
