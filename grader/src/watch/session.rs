//! The state of a watch session: a state machine from [`Input`]s to [`Effect`]s. Pure: it
//! reads no files, starts nothing and prints nothing, and time is passed in, so every
//! behaviour (saves during a run, a hung exercise, keys, advancing) is testable without a
//! terminal or a clock.
//!
//! The rule it keeps: the screen never shows a verdict for content that is no longer on
//! disk. Every run carries a generation number and the content hash it started from; a
//! save during a run cancels it and queues one more, and a result that arrives for old
//! content is dropped.
//!
//! Must not: read files, start anything, print, or read the clock (time is an input). Its
//! state is private: the view and the driver read it through methods and change it
//! through inputs.

use std::time::{Duration, Instant};

use crate::engine::Graded;
use crate::program::ProgramOutput;

/// What the loop reacts to.
#[derive(Debug)]
pub enum Input {
    /// The current exercise's file may have changed; `hash` is its content now.
    FileChanged {
        hash: String,
    },
    Key(Key),
    /// A grading run finished (or was cancelled, or the grader failed).
    Graded {
        generation: u64,
        outcome: RunOutcome,
    },
    /// One exercise of a check-all finished.
    Checked {
        index: usize,
        passed: bool,
        verdict: String,
    },
    /// The check-all finished.
    CheckFinished,
    /// Time passed (redraw the elapsed time of a running check).
    Tick,
    /// Run `generation` started the test `test`.
    TestStarted {
        generation: u64,
        test: String,
    },
    /// The terminal changed size.
    Resized,
    /// Some exercise file changed: `done` is every exercise's status for what is on disk
    /// now (the current exercise's own status is the session's, and is kept).
    Refreshed {
        done: Vec<bool>,
    },
    /// Stdin ended (line mode): leave once the current check has ended.
    StdinClosed,
    /// The program (`main()`) of exercise `index` ran after it passed.
    ProgramRan {
        index: usize,
        output: Box<ProgramOutput>,
    },
}

/// How a grading run ended.
#[derive(Debug)]
pub enum RunOutcome {
    Graded(Box<Graded>),
    Cancelled,
    /// The grader itself failed (cargo would not run, ...): shown, not fatal.
    Failed(String),
}

/// A key press, as the loop understands it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Up,
    Down,
    Enter,
    Escape,
    Backspace,
    PageUp,
    PageDown,
    Interrupt,
}

/// What the driver must do.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// Grade exercise `index`; report back with `generation`.
    Grade {
        index: usize,
        generation: u64,
    },
    /// Stop the run with `generation` early.
    Cancel {
        generation: u64,
    },
    /// A verdict for exercise `index`: record it as progress and announce it.
    Verdict {
        index: usize,
        graded: Box<Graded>,
    },
    /// Show hint number `count` of exercise `index` (without a screen: print it), and
    /// remember it as shown once it was.
    HintsShown {
        index: usize,
        count: usize,
    },
    /// Without a screen: print the list of exercises.
    PrintList,
    /// Without a screen: print the reference solution of exercise `index`.
    PrintSolution {
        index: usize,
    },
    /// Tell editors and scripts (events mode) that a run started.
    AnnounceStart {
        index: usize,
    },
    /// The current exercise moved on to `index`.
    AnnounceNext {
        index: usize,
    },
    /// Grade every exercise, reporting each with `Input::Checked`.
    CheckAll,
    /// Restore the current exercise's original file (after confirmation).
    Reset {
        index: usize,
    },
    /// Every exercise is done: say so (final message, `done` event).
    Finish,
    /// Draw the screen again.
    Render,
    Quit,
}

/// What the main area of the screen shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    Exercise,
    /// The list of exercises; `filter` narrows it, `cursor` is the selected row among the
    /// filtered ones.
    List {
        filter: String,
        cursor: usize,
        typing: bool,
    },
    ConfirmReset,
    Solution,
    Check,
}

/// Status of one exercise in a check-all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    Waiting,
    Passed,
    Failed(String),
}

/// A first-time build: what is being built, and how many of its libraries are done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Building {
    pub what: &'static str,
    pub built: usize,
    pub total: usize,
}

/// The current run, if any.
#[derive(Clone, Debug)]
pub struct Running {
    pub generation: u64,
    pub started: Instant,
    /// The test running now, once libtest has started one.
    pub test: Option<String>,
}

/// The watch loop's state.
#[derive(Debug)]
pub struct Core {
    /// Exercise names, in course order.
    names: Vec<String>,
    /// Which are done (passed for the content on disk).
    done: Vec<bool>,
    current: usize,
    /// Advance to the next exercise by itself after a pass (no keyboard to press `n`).
    auto_advance: bool,
    running: Option<Running>,
    /// A run is wanted once the current one has ended.
    pending: bool,
    /// The latest verdict of the current exercise, for the content on disk.
    last: Option<Graded>,
    /// A grader failure to show instead of a verdict.
    fault: Option<String>,
    /// Content hash of the current exercise as last seen on disk.
    disk_hash: Option<String>,
    hints_shown: usize,
    hint_count: Vec<usize>,
    screen: Screen,
    check: Vec<CheckStatus>,
    checking: bool,
    /// A one-line message for the learner (a key that does nothing now, ...).
    notice: Option<String>,
    finished: bool,
    /// No screen (line mode, `--events json`): views that need one (the list, the
    /// solution, hints) are printed instead of opened.
    screenless: bool,
    /// First row shown of a verdict or solution longer than the screen.
    scroll: usize,
    /// Stdin has ended: quit as soon as no check runs.
    quit_when_idle: bool,
    /// What the current exercise's program printed after its last pass.
    program: Option<ProgramOutput>,
    /// A first-time build that comes with the running check (the course's crates, the
    /// compile-fail harness), while it runs: the driver updates it.
    building: Option<Building>,
    next_generation: u64,
    now: Instant,
}

/// What the view and the driver read of the state; it changes only through [`Core::handle`]
/// and the few facts the driver learns from outside (below).
impl Core {
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Which exercises are done (passed for the content on disk).
    pub fn done(&self) -> &[bool] {
        &self.done
    }
    pub fn current(&self) -> usize {
        self.current
    }
    pub fn running(&self) -> Option<&Running> {
        self.running.as_ref()
    }
    /// The latest verdict of the current exercise, for the content on disk.
    pub fn last(&self) -> Option<&Graded> {
        self.last.as_ref()
    }
    /// A grader failure to show instead of a verdict.
    pub fn fault(&self) -> Option<&str> {
        self.fault.as_deref()
    }
    /// Content hash of the current exercise as last seen on disk.
    pub fn disk_hash(&self) -> Option<&str> {
        self.disk_hash.as_deref()
    }
    pub fn hints_shown(&self) -> usize {
        self.hints_shown
    }
    pub fn screen(&self) -> &Screen {
        &self.screen
    }
    pub fn check(&self) -> &[CheckStatus] {
        &self.check
    }
    pub fn checking(&self) -> bool {
        self.checking
    }
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }
    pub fn finished(&self) -> bool {
        self.finished
    }
    /// No screen: views that need one are printed instead of opened.
    pub fn screenless(&self) -> bool {
        self.screenless
    }
    pub fn scroll(&self) -> usize {
        self.scroll
    }
    pub fn program(&self) -> Option<&ProgramOutput> {
        self.program.as_ref()
    }
    pub fn building(&self) -> Option<&Building> {
        self.building.as_ref()
    }

    /// There is no screen (line mode, `--events json`).
    pub fn set_screenless(&mut self, screenless: bool) {
        self.screenless = screenless;
    }

    /// A first-time build started with the next run (or ended: `None`).
    pub fn set_building(&mut self, building: Option<Building>) {
        self.building = building;
    }

    /// How far the first-time build has come.
    pub fn building_progress(&mut self, built: usize, total: usize) {
        if let Some(building) = &mut self.building {
            building.built = built;
            building.total = total;
        }
    }

    /// How many hints of the current exercise the learner has seen (from the state file).
    pub fn hints_known(&mut self, count: usize) {
        self.hints_shown = count;
    }

    /// A one-line message for the learner, on the screen's notice line.
    pub fn tell(&mut self, notice: String) {
        self.notice = Some(notice);
    }

    /// The notice to print (without a screen), once.
    pub fn take_notice(&mut self) -> Option<String> {
        self.notice.take()
    }

    /// The screen showed that the body scrolls no further than `max`.
    pub fn clamp_scroll(&mut self, max: usize) {
        self.scroll = self.scroll.min(max);
    }

    #[cfg(test)]
    pub(crate) fn set_last(&mut self, last: Option<Graded>) {
        self.last = last;
    }

    #[cfg(test)]
    pub(crate) fn set_screen(&mut self, screen: Screen) {
        self.screen = screen;
    }

    #[cfg(test)]
    pub(crate) fn scroll_to(&mut self, scroll: usize) {
        self.scroll = scroll;
    }
}

impl Core {
    /// A loop over `names` (with their hint counts), `done` flags, starting at the first
    /// exercise not done.
    pub fn new(
        names: Vec<String>,
        hint_count: Vec<usize>,
        done: Vec<bool>,
        auto_advance: bool,
        now: Instant,
    ) -> Core {
        let current = done
            .iter()
            .position(|done| !done)
            .unwrap_or(names.len().saturating_sub(1));
        let check = vec![CheckStatus::Waiting; names.len()];
        Core {
            names,
            done,
            current,
            auto_advance,
            running: None,
            pending: false,
            last: None,
            fault: None,
            disk_hash: None,
            hints_shown: 0,
            hint_count,
            screen: Screen::Exercise,
            check,
            checking: false,
            notice: None,
            finished: false,
            screenless: false,
            scroll: 0,
            quit_when_idle: false,
            building: None,
            program: None,
            next_generation: 1,
            now,
        }
    }

    /// The effects to start with: grade the current exercise, or finish if all are done.
    pub fn start(&mut self) -> Vec<Effect> {
        if self.done.iter().all(|done| *done) {
            return self.finish_course();
        }
        let mut effects = vec![Effect::AnnounceNext {
            index: self.current,
        }];
        effects.extend(self.grade_now());
        effects
    }

    /// How long the current run has been going.
    pub fn elapsed(&self) -> Option<Duration> {
        self.running
            .as_ref()
            .map(|running| self.now.saturating_duration_since(running.started))
    }

    /// Whether the latest verdict is a pass.
    pub fn passed(&self) -> bool {
        self.last
            .as_ref()
            .is_some_and(|graded| graded.verdict().passed())
    }

    /// Reacts to one input at `now`.
    pub fn handle(&mut self, input: Input, now: Instant) -> Vec<Effect> {
        self.now = now;
        match input {
            Input::Tick => {
                if self.running.is_some() {
                    vec![Effect::Render]
                } else {
                    Vec::new()
                }
            }
            Input::Resized => vec![Effect::Render],
            Input::ProgramRan { index, output } => {
                if index == self.current && self.passed() {
                    self.program = Some(*output);
                    vec![Effect::Render]
                } else {
                    Vec::new()
                }
            }
            Input::Refreshed { done } => {
                for (index, flag) in done.into_iter().enumerate() {
                    if index != self.current
                        && let Some(slot) = self.done.get_mut(index)
                    {
                        *slot = flag;
                    }
                }
                vec![Effect::Render]
            }
            Input::StdinClosed => {
                if self.running.is_none() && !self.checking {
                    vec![Effect::Quit]
                } else {
                    self.quit_when_idle = true;
                    Vec::new()
                }
            }
            Input::FileChanged { hash } => self.file_changed(hash),
            Input::TestStarted { generation, test } => match &mut self.running {
                Some(running) if running.generation == generation => {
                    running.test = Some(test);
                    vec![Effect::Render]
                }
                // A test of a run that was replaced: nothing to show.
                _ => Vec::new(),
            },
            Input::Graded {
                generation,
                outcome,
            } => self.graded(generation, outcome),
            Input::Key(key) => self.key(key),
            Input::Checked {
                index,
                passed,
                verdict,
            } => {
                if let Some(status) = self.check.get_mut(index) {
                    *status = if passed {
                        CheckStatus::Passed
                    } else {
                        CheckStatus::Failed(verdict)
                    };
                }
                if let Some(done) = self.done.get_mut(index) {
                    *done = passed;
                }
                vec![Effect::Render]
            }
            Input::CheckFinished => {
                self.checking = false;
                let mut effects = if self.done.iter().all(|done| *done) {
                    self.finish_course()
                } else {
                    vec![Effect::Render]
                };
                if self.quit_when_idle && self.running.is_none() {
                    effects.push(Effect::Quit);
                }
                effects
            }
        }
    }

    fn file_changed(&mut self, hash: String) -> Vec<Effect> {
        if self.disk_hash.as_deref() == Some(hash.as_str()) {
            // Saved without changes, or an event for an access: nothing new to grade.
            return Vec::new();
        }
        self.disk_hash = Some(hash);
        self.last = None;
        self.fault = None;
        if let Some(done) = self.done.get_mut(self.current) {
            // Editing a finished exercise reopens it until it passes again.
            *done = false;
        }
        self.finished = false;
        self.grade_now()
    }

    /// Grades the current exercise now, or as soon as the current run has stopped.
    fn grade_now(&mut self) -> Vec<Effect> {
        if let Some(running) = &self.running {
            self.pending = true;
            return vec![
                Effect::Cancel {
                    generation: running.generation,
                },
                Effect::Render,
            ];
        }
        let generation = self.next_generation;
        self.next_generation += 1;
        self.program = None;
        self.running = Some(Running {
            generation,
            started: self.now,
            test: None,
        });
        self.pending = false;
        vec![
            Effect::Grade {
                index: self.current,
                generation,
            },
            Effect::AnnounceStart {
                index: self.current,
            },
            Effect::Render,
        ]
    }

    fn graded(&mut self, generation: u64, outcome: RunOutcome) -> Vec<Effect> {
        if self
            .running
            .as_ref()
            .is_none_or(|running| running.generation != generation)
        {
            return Vec::new();
        }
        self.running = None;
        // Whatever the outcome, the build that came with it is over.
        self.building = None;
        if self.pending {
            return self.grade_now();
        }
        let quit = self.quit_when_idle && !self.checking;
        let mut effects = match outcome {
            RunOutcome::Cancelled => vec![Effect::Render],
            RunOutcome::Failed(fault) => {
                self.fault = Some(fault);
                vec![Effect::Render]
            }
            RunOutcome::Graded(graded) => {
                // A save noticed during the run has already made it obsolete (`pending`,
                // above); one noticed later compares its hash with this one.
                self.disk_hash = Some(graded.content_hash.clone());
                let passed = graded.verdict().passed();
                self.last = Some((*graded).clone());
                self.scroll = 0;
                if let Some(done) = self.done.get_mut(self.current) {
                    *done = passed;
                }
                let mut effects = vec![Effect::Verdict {
                    index: self.current,
                    graded,
                }];
                if passed && self.auto_advance && !quit {
                    effects.extend(self.advance());
                } else {
                    effects.push(Effect::Render);
                }
                effects
            }
        };
        if quit {
            // Stdin ended during this check: its verdict was the last thing to wait for.
            effects.push(Effect::Quit);
        }
        effects
    }

    /// Moves to the next exercise not done (after the current one, then from the start).
    fn advance(&mut self) -> Vec<Effect> {
        let count = self.names.len();
        let next = (1..=count)
            .map(|step| (self.current + step) % count)
            .find(|index| !self.done[*index]);
        match next {
            Some(index) => self.jump(index),
            None => {
                // The last exercise passed: a full check confirms the whole course.
                self.checking = true;
                self.screen = Screen::Check;
                self.check = vec![CheckStatus::Waiting; count];
                vec![Effect::CheckAll, Effect::Render]
            }
        }
    }

    fn jump(&mut self, index: usize) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(running) = self.running.take() {
            effects.push(Effect::Cancel {
                generation: running.generation,
            });
        }
        self.pending = false;
        self.current = index;
        self.last = None;
        self.fault = None;
        self.disk_hash = None;
        self.hints_shown = 0;
        self.scroll = 0;
        self.screen = Screen::Exercise;
        effects.push(Effect::AnnounceNext { index });
        effects.extend(self.grade_now());
        effects
    }

    fn finish_course(&mut self) -> Vec<Effect> {
        self.finished = true;
        self.screen = Screen::Exercise;
        vec![Effect::Finish, Effect::Render]
    }

    fn key(&mut self, key: Key) -> Vec<Effect> {
        self.notice = None;
        if key == Key::Interrupt {
            return vec![Effect::Quit];
        }
        if self.screenless {
            // No screen to open or leave: every key acts on the exercise.
            return self.exercise_key(key);
        }
        match self.screen.clone() {
            Screen::List {
                filter,
                cursor,
                typing,
            } => self.list_key(key, filter, cursor, typing),
            Screen::ConfirmReset => {
                self.screen = Screen::Exercise;
                if key == Key::Char('y') {
                    vec![
                        Effect::Reset {
                            index: self.current,
                        },
                        Effect::Render,
                    ]
                } else {
                    self.notice = Some("reset cancelled: your file is unchanged".to_owned());
                    vec![Effect::Render]
                }
            }
            Screen::Solution if self.scrolls(key) => vec![Effect::Render],
            Screen::Solution | Screen::Check if !self.checking => {
                self.screen = Screen::Exercise;
                self.scroll = 0;
                if key == Key::Char('q') {
                    vec![Effect::Quit]
                } else {
                    vec![Effect::Render]
                }
            }
            Screen::Check => {
                if key == Key::Char('q') {
                    vec![Effect::Quit]
                } else {
                    Vec::new()
                }
            }
            Screen::Exercise | Screen::Solution => self.exercise_key(key),
        }
    }

    /// Scrolls a long verdict or solution; false for keys that do not scroll.
    fn scrolls(&mut self, key: Key) -> bool {
        const PAGE: usize = 10;
        match key {
            Key::Up | Key::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            Key::Down | Key::Char('j') => self.scroll += 1,
            Key::PageUp => self.scroll = self.scroll.saturating_sub(PAGE),
            Key::PageDown | Key::Char(' ') => self.scroll += PAGE,
            Key::Char('g') => self.scroll = 0,
            _ => return false,
        }
        true
    }

    fn exercise_key(&mut self, key: Key) -> Vec<Effect> {
        if !self.screenless && self.scrolls(key) {
            return vec![Effect::Render];
        }
        match key {
            Key::Char('q') => vec![Effect::Quit],
            Key::Char('n') => {
                if self.passed() || self.finished {
                    self.advance()
                } else {
                    self.notice = Some("`n` moves on once this exercise passes".to_owned());
                    vec![Effect::Render]
                }
            }
            Key::Char('h') => {
                let total = self.hint_count.get(self.current).copied().unwrap_or(0);
                if self.hints_shown < total {
                    self.hints_shown += 1;
                    vec![
                        Effect::HintsShown {
                            index: self.current,
                            count: self.hints_shown,
                        },
                        Effect::Render,
                    ]
                } else {
                    self.notice = Some("that was the last hint".to_owned());
                    vec![Effect::Render]
                }
            }
            Key::Char('r') => {
                self.last = None;
                self.fault = None;
                self.grade_now()
            }
            Key::Char('s') => {
                if self.passed() && self.screenless {
                    return vec![Effect::PrintSolution {
                        index: self.current,
                    }];
                }
                if self.passed() {
                    self.screen = Screen::Solution;
                    self.scroll = 0;
                } else {
                    self.notice = Some("the solution opens once this exercise passes".to_owned());
                }
                vec![Effect::Render]
            }
            Key::Char('x') => {
                if self.screenless {
                    self.notice = Some(
                        "reset needs a confirmation: use the `reset` command instead".to_owned(),
                    );
                    return vec![Effect::Render];
                }
                self.screen = Screen::ConfirmReset;
                vec![Effect::Render]
            }
            Key::Char('l') if self.screenless => vec![Effect::PrintList],
            Key::Char('l') => {
                self.screen = Screen::List {
                    filter: String::new(),
                    cursor: self.current,
                    typing: false,
                };
                vec![Effect::Render]
            }
            Key::Char('c') => {
                if self.checking {
                    return Vec::new();
                }
                self.checking = true;
                if !self.screenless {
                    self.screen = Screen::Check;
                }
                self.check = vec![CheckStatus::Waiting; self.names.len()];
                vec![Effect::CheckAll, Effect::Render]
            }
            _ => Vec::new(),
        }
    }

    /// The exercises the list shows: indices into `names`, filtered.
    pub fn listed(&self, filter: &str) -> Vec<usize> {
        (0..self.names.len())
            .filter(|index| self.names[*index].contains(filter))
            .collect()
    }

    fn list_key(
        &mut self,
        key: Key,
        mut filter: String,
        cursor: usize,
        typing: bool,
    ) -> Vec<Effect> {
        let shown = self.listed(&filter);
        let mut cursor = cursor.min(shown.len().saturating_sub(1));
        let mut typing = typing;
        match key {
            Key::Escape if typing => typing = false,
            Key::Escape | Key::Char('q') if !typing => {
                self.screen = Screen::Exercise;
                return vec![Effect::Render];
            }
            Key::Enter => {
                return match shown.get(cursor) {
                    Some(&index) => self.jump(index),
                    None => vec![Effect::Render],
                };
            }
            Key::Up => cursor = cursor.saturating_sub(1),
            Key::Down => cursor = (cursor + 1).min(shown.len().saturating_sub(1)),
            Key::Backspace if typing => {
                filter.pop();
                cursor = 0;
            }
            Key::Char('/') if !typing => typing = true,
            Key::Char('k') if !typing => cursor = cursor.saturating_sub(1),
            Key::Char('j') if !typing => cursor = (cursor + 1).min(shown.len().saturating_sub(1)),
            Key::Char(c) if typing => {
                filter.push(c);
                cursor = 0;
            }
            _ => return Vec::new(),
        }
        self.screen = Screen::List {
            filter,
            cursor,
            typing,
        };
        vec![Effect::Render]
    }

    /// Called after the driver reset the current exercise's file: its verdict is gone.
    pub fn was_reset(&mut self) {
        self.last = None;
        self.hints_shown = 0;
        self.scroll = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::Side;
    use crate::verdict::{Judgement, Verdict};

    fn core(done: &[bool], auto_advance: bool) -> (Core, Instant) {
        let now = Instant::now();
        let names = (1..=done.len()).map(|n| format!("e{n}")).collect();
        (
            Core::new(names, vec![2; done.len()], done.to_vec(), auto_advance, now),
            now,
        )
    }

    fn graded(name: &str, hash: &str, verdict: Verdict) -> RunOutcome {
        RunOutcome::Graded(Box::new(Graded {
            exercise: name.to_owned(),
            side: Side::Exercise,
            judgement: Judgement {
                verdict,
                tests: Vec::new(),
            },
            stderr: None,
            notes: Vec::new(),
            content_hash: hash.to_owned(),
            duration: Duration::ZERO,
        }))
    }

    fn failed() -> Verdict {
        Verdict::TestFailed
    }

    fn grades(effects: &[Effect]) -> Vec<(usize, u64)> {
        effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Grade { index, generation } => Some((*index, *generation)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn it_starts_at_the_first_exercise_not_done_and_grades_it() {
        let (mut core, _) = core(&[true, false, false], false);
        let effects = core.start();
        assert_eq!(core.current, 1);
        assert_eq!(grades(&effects), [(1, 1)]);
    }

    #[test]
    fn a_save_during_a_run_cancels_it_and_queues_exactly_one_more() {
        let (mut core, now) = core(&[false], false);
        core.start();
        let effects = core.handle(Input::FileChanged { hash: "b".into() }, now);
        assert!(effects.contains(&Effect::Cancel { generation: 1 }));
        assert!(
            grades(&effects).is_empty(),
            "no second run while the first is alive"
        );
        core.handle(Input::FileChanged { hash: "c".into() }, now);
        // The cancelled run reports back (with a result for old content): it is dropped and
        // the queued run starts.
        let effects = core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", Verdict::Pass),
            },
            now,
        );
        assert_eq!(grades(&effects), [(0, 2)]);
        assert!(core.last.is_none(), "the stale verdict is never shown");
        let effects = core.handle(
            Input::Graded {
                generation: 2,
                outcome: graded("e1", "c", failed()),
            },
            now,
        );
        assert!(effects.contains(&Effect::Render));
        assert_eq!(core.last.as_ref().unwrap().content_hash, "c");
    }

    #[test]
    fn a_late_notice_of_a_save_the_run_already_graded_does_not_regrade() {
        let (mut core, now) = core(&[false], false);
        core.start();
        core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "b", failed()),
            },
            now,
        );
        assert!(
            core.handle(Input::FileChanged { hash: "b".into() }, now)
                .is_empty()
        );
        let effects = core.handle(Input::FileChanged { hash: "c".into() }, now);
        assert_eq!(grades(&effects), [(0, 2)]);
    }

    #[test]
    fn r_grades_what_is_on_disk_once_even_if_no_save_was_noticed() {
        let (mut core, now) = core(&[false], false);
        core.start();
        core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", failed()),
            },
            now,
        );
        let effects = core.handle(Input::Key(Key::Char('r')), now);
        assert_eq!(grades(&effects), [(0, 2)]);
        let effects = core.handle(
            Input::Graded {
                generation: 2,
                outcome: graded("e1", "b", Verdict::Pass),
            },
            now,
        );
        assert!(
            grades(&effects).is_empty(),
            "manual mode never sees saves: the run's content is the truth"
        );
        assert!(core.passed());
    }

    #[test]
    fn saving_without_changes_does_not_regrade() {
        let (mut core, now) = core(&[false], false);
        core.start();
        core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", failed()),
            },
            now,
        );
        assert!(
            core.handle(Input::FileChanged { hash: "a".into() }, now)
                .is_empty()
        );
    }

    #[test]
    fn a_pass_waits_for_n_with_a_keyboard_and_moves_on_by_itself_without() {
        let (mut manual, now) = core(&[false, false], false);
        manual.start();
        let effects = manual.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", Verdict::Pass),
            },
            now,
        );
        assert!(matches!(effects[0], Effect::Verdict { index: 0, .. }));
        assert_eq!(manual.current, 0);
        let effects = manual.handle(Input::Key(Key::Char('n')), now);
        assert_eq!(manual.current, 1);
        assert!(effects.contains(&Effect::AnnounceNext { index: 1 }));

        let (mut auto, now) = core(&[false, false], true);
        auto.start();
        let effects = auto.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", Verdict::Pass),
            },
            now,
        );
        assert_eq!(auto.current, 1);
        assert_eq!(grades(&effects), [(1, 2)]);
    }

    #[test]
    fn n_before_a_pass_explains_itself() {
        let (mut core, now) = core(&[false, false], false);
        core.start();
        core.handle(Input::Key(Key::Char('n')), now);
        assert_eq!(core.current, 0);
        assert!(
            core.notice
                .as_deref()
                .unwrap()
                .contains("once this exercise passes")
        );
    }

    #[test]
    fn the_last_pass_triggers_a_full_check_and_then_the_finish() {
        let (mut core, now) = core(&[true, false], true);
        core.start();
        let effects = core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e2", "a", Verdict::Pass),
            },
            now,
        );
        assert!(effects.contains(&Effect::CheckAll));
        core.handle(
            Input::Checked {
                index: 0,
                passed: true,
                verdict: "pass".into(),
            },
            now,
        );
        core.handle(
            Input::Checked {
                index: 1,
                passed: true,
                verdict: "pass".into(),
            },
            now,
        );
        let effects = core.handle(Input::CheckFinished, now);
        assert!(effects.contains(&Effect::Finish));
        assert!(core.finished);
    }

    #[test]
    fn editing_a_finished_exercise_reopens_it() {
        let (mut core, now) = core(&[false], false);
        core.start();
        core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", Verdict::Pass),
            },
            now,
        );
        assert!(core.done[0]);
        core.handle(Input::FileChanged { hash: "b".into() }, now);
        assert!(!core.done[0]);
    }

    #[test]
    fn the_running_test_is_shown_only_for_the_current_run() {
        let (mut core, now) = core(&[false], true);
        core.start();
        let started = |generation: u64| Input::TestStarted {
            generation,
            test: "tests::a".into(),
        };
        assert_eq!(core.handle(started(1), now), [Effect::Render]);
        assert_eq!(
            core.running.as_ref().and_then(|run| run.test.as_deref()),
            Some("tests::a")
        );
        assert!(core.handle(started(7), now).is_empty());
    }

    #[test]
    fn a_hung_run_shows_its_elapsed_time_and_keys_still_work() {
        let (mut core, start) = core(&[false], false);
        core.start();
        let later = start + Duration::from_secs(7);
        assert_eq!(core.handle(Input::Tick, later), [Effect::Render]);
        assert_eq!(core.elapsed(), Some(Duration::from_secs(7)));
        core.handle(Input::Key(Key::Char('h')), later);
        assert_eq!(core.hints_shown, 1);
        assert_eq!(
            core.handle(Input::Key(Key::Char('q')), later),
            [Effect::Quit]
        );
    }

    #[test]
    fn hints_are_revealed_one_per_press_up_to_the_last() {
        let (mut core, now) = core(&[false], false);
        for _ in 0..3 {
            core.handle(Input::Key(Key::Char('h')), now);
        }
        assert_eq!(core.hints_shown, 2);
        assert_eq!(core.notice.as_deref(), Some("that was the last hint"));
    }

    #[test]
    fn the_solution_opens_only_after_a_pass() {
        let (mut core, now) = core(&[false], false);
        core.start();
        core.handle(Input::Key(Key::Char('s')), now);
        assert_eq!(core.screen, Screen::Exercise);
        core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", Verdict::Pass),
            },
            now,
        );
        core.handle(Input::Key(Key::Char('s')), now);
        assert_eq!(core.screen, Screen::Solution);
    }

    #[test]
    fn reset_needs_a_yes() {
        let (mut core, now) = core(&[false], false);
        core.handle(Input::Key(Key::Char('x')), now);
        assert_eq!(
            core.handle(Input::Key(Key::Char('n')), now),
            [Effect::Render]
        );
        core.handle(Input::Key(Key::Char('x')), now);
        assert_eq!(
            core.handle(Input::Key(Key::Char('y')), now),
            [Effect::Reset { index: 0 }, Effect::Render]
        );
    }

    #[test]
    fn the_list_filters_and_jumps() {
        let (mut core, now) = core(&[false, false, false], false);
        core.start();
        core.handle(Input::Key(Key::Char('l')), now);
        for key in [Key::Char('/'), Key::Char('3'), Key::Escape, Key::Enter] {
            core.handle(Input::Key(key), now);
        }
        assert_eq!(core.current, 2);
        assert_eq!(core.screen, Screen::Exercise);
    }

    #[test]
    fn the_end_of_stdin_quits_after_the_running_check_without_moving_on() {
        let (mut idle, now) = core(&[false], true);
        assert_eq!(idle.handle(Input::StdinClosed, now), [Effect::Quit]);
        let (mut core, now) = core(&[false, false], true);
        core.screenless = true;
        core.start();
        assert!(core.handle(Input::StdinClosed, now).is_empty());
        let effects = core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", Verdict::Pass),
            },
            now,
        );
        assert!(matches!(effects[0], Effect::Verdict { index: 0, .. }));
        assert_eq!(effects.last(), Some(&Effect::Quit));
        assert!(grades(&effects).is_empty(), "no next check: {effects:?}");
    }

    #[test]
    fn without_a_screen_the_list_and_solution_are_printed_and_q_always_quits() {
        let (mut core, now) = core(&[false, false], true);
        core.screenless = true;
        core.start();
        assert_eq!(
            core.handle(Input::Key(Key::Char('l')), now),
            [Effect::PrintList]
        );
        assert_eq!(core.screen, Screen::Exercise);
        assert_eq!(core.handle(Input::Key(Key::Char('q')), now), [Effect::Quit]);
        core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", Verdict::Pass),
            },
            now,
        );
        // Moved on to e2 by itself; its check runs. `c` starts a check-all.
        core.handle(Input::Key(Key::Char('c')), now);
        assert_eq!(core.screen, Screen::Exercise);
        assert_eq!(core.handle(Input::Key(Key::Char('q')), now), [Effect::Quit]);
    }

    #[test]
    fn a_resize_redraws_and_another_file_s_change_refreshes_the_others_status() {
        let (mut core, now) = core(&[false, false, false], false);
        core.start();
        assert_eq!(core.handle(Input::Resized, now), [Effect::Render]);
        core.handle(
            Input::Refreshed {
                done: vec![true, true, false],
            },
            now,
        );
        assert_eq!(
            core.done,
            [false, true, false],
            "the current one is the session's"
        );
    }

    #[test]
    fn arrows_scroll_the_verdict_and_a_new_verdict_starts_at_the_top() {
        let (mut core, now) = core(&[false], false);
        core.start();
        core.handle(Input::Key(Key::Down), now);
        core.handle(Input::Key(Key::PageDown), now);
        assert_eq!(core.scroll, 11);
        core.handle(Input::Key(Key::Char('k')), now);
        assert_eq!(core.scroll, 10);
        core.handle(
            Input::Graded {
                generation: 1,
                outcome: graded("e1", "a", failed()),
            },
            now,
        );
        assert_eq!(core.scroll, 0);
    }

    #[test]
    fn a_result_from_a_run_that_was_replaced_is_ignored() {
        let (mut core, now) = core(&[false, false], false);
        core.start();
        core.handle(Input::Key(Key::Char('l')), now);
        core.handle(Input::Key(Key::Down), now);
        core.handle(Input::Key(Key::Enter), now); // jumps to e2: generation 2
        assert!(
            core.handle(
                Input::Graded {
                    generation: 1,
                    outcome: graded("e1", "a", Verdict::Pass)
                },
                now
            )
            .is_empty()
        );
        assert!(core.last.is_none());
    }
}
