//! What the watch loop shows: a full screen in a terminal (laid out by `screen.rs`, drawn
//! here), plain text without one, or JSON lines for editors and scripts (`--events json`,
//! no terminal control codes). Without a screen, whatever the screen would show on a key
//! (a hint, the list, the solution, a verdict's errors) is printed instead.

use std::fs;
use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use colored::Colorize;
use crossterm::{cursor, execute, queue, terminal};
use serde::Serialize;

use super::screen::{self, Context};
use super::{Reporter, human, json};
use crate::course::{Course, Exercise, Side};
use crate::engine::Graded;
use crate::session::{Core, Screen};

/// Where the loop's output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Terminal,
    Lines,
    Events,
}

/// The loop's view.
#[derive(Debug)]
pub struct WatchView<'a> {
    output: Output,
    reporter: &'a Reporter,
}

#[derive(Serialize)]
struct EventLine<'a, T: Serialize> {
    event: &'a str,
    at_ms: u128,
    #[serde(flatten)]
    body: T,
}

#[derive(Serialize)]
struct ExerciseBody<'a> {
    exercise: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

#[derive(Serialize)]
struct MessageBody<'a> {
    message: &'a str,
}

#[derive(Serialize)]
struct HintBody<'a> {
    exercise: &'a str,
    number: usize,
    total: usize,
    hint: &'a str,
}

#[derive(Serialize)]
struct ProgramBody<'a> {
    exercise: &'a str,
    stdout: &'a str,
    stderr: &'a str,
}

#[derive(Serialize)]
struct CheckedBody<'a> {
    exercise: &'a str,
    verdict: &'a str,
}

#[derive(Serialize)]
struct SolutionBody<'a> {
    exercise: &'a str,
    path: String,
    solution: &'a str,
}

/// While it lives, the terminal is in raw mode on the alternate screen; dropping it (on
/// quit, Ctrl-C or a panic) puts the terminal back as it was.
#[derive(Debug)]
pub struct RawScreen {
    _private: (),
}

impl Drop for RawScreen {
    fn drop(&mut self) {
        leave_screen();
    }
}

fn leave_screen() {
    let _ = execute!(io::stdout(), cursor::Show, terminal::LeaveAlternateScreen);
    let _ = terminal::disable_raw_mode();
    let _ = io::stdout().flush();
}

impl<'a> WatchView<'a> {
    pub fn new(output: Output, reporter: &'a Reporter) -> Self {
        WatchView { output, reporter }
    }

    /// Enters raw mode and the alternate screen, and makes sure a panic leaves them.
    pub fn enter_screen(&self) -> io::Result<RawScreen> {
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            leave_screen();
            previous(info);
        }));
        Ok(RawScreen { _private: () })
    }

    fn event(&self, event: &str, body: impl Serialize) {
        let line = EventLine {
            event,
            at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_millis()),
            body,
        };
        if let Ok(json) = serde_json::to_string(&line) {
            self.reporter.text(&json);
        }
    }

    /// The course's welcome, the first time. On the terminal it is shown on the screen
    /// (see [`screen`]), so nothing is printed here.
    pub fn welcome(&self, message: &str) {
        match self.output {
            Output::Events => self.event("welcome", MessageBody { message }),
            Output::Lines => self.reporter.text(message),
            Output::Terminal => {}
        }
    }

    /// Something the learner should know that is not a verdict.
    pub fn notice(&self, message: &str) {
        match self.output {
            Output::Events => self.event("notice", MessageBody { message }),
            Output::Lines => self.reporter.text(&format!("note: {message}")),
            Output::Terminal => self.reporter.warning(message),
        }
    }

    pub fn started(&self, exercise: &Exercise) {
        if self.output == Output::Events {
            self.event(
                "started",
                ExerciseBody {
                    exercise: &exercise.name,
                    path: None,
                },
            );
        }
    }

    pub fn next(&self, course: &Course, exercise: &Exercise) {
        let path = super::display_path(course, exercise, Side::Exercise);
        match self.output {
            Output::Events => self.event(
                "next",
                ExerciseBody {
                    exercise: &exercise.name,
                    path: Some(path),
                },
            ),
            Output::Lines => self.reporter.text(&format!("→ {} ({path})", exercise.name)),
            Output::Terminal => {}
        }
    }

    pub fn verdict(&self, course: &Course, exercise: &Exercise, graded: &Graded) {
        match self.output {
            Output::Events => self.event("verdict", json::RunReport::new(exercise, graded)),
            Output::Lines => {
                // The whole verdict: its errors are what the learner acts on.
                let path = super::display_path(course, exercise, Side::Exercise);
                self.reporter.text(&human::graded(graded, exercise, &path));
            }
            Output::Terminal => {}
        }
    }

    /// Hint number `count` of `exercise` was asked for. Without a screen it is printed
    /// (true: the learner has it); on the screen the next frame shows it (false).
    pub fn hint(&self, exercise: &Exercise, count: usize) -> bool {
        let Some(hint) = count
            .checked_sub(1)
            .and_then(|index| exercise.hints.get(index))
        else {
            return false;
        };
        let total = exercise.hints.len();
        match self.output {
            Output::Events => self.event(
                "hint",
                HintBody {
                    exercise: &exercise.name,
                    number: count,
                    total,
                    hint,
                },
            ),
            Output::Lines => self.reporter.text(&format!(
                "{} {hint}",
                format!("hint {count}/{total}:").cyan().bold()
            )),
            Output::Terminal => return false,
        }
        true
    }

    /// What the exercise's program printed after a pass (without a screen; the screen
    /// shows it under the verdict).
    pub fn program(&self, exercise: &Exercise, output: &crate::program::ProgramOutput) {
        match self.output {
            Output::Events => self.event(
                "output",
                ProgramBody {
                    exercise: &exercise.name,
                    stdout: &output.stdout,
                    stderr: &output.stderr,
                },
            ),
            Output::Lines => self
                .reporter
                .text(&human::program_output(&exercise.name, output)),
            Output::Terminal => {}
        }
    }

    /// One exercise of a check-all finished (without a screen: a line or an event).
    pub fn checked(&self, exercise: &Exercise, verdict: &str) {
        match self.output {
            Output::Events => self.event(
                "checked",
                CheckedBody {
                    exercise: &exercise.name,
                    verdict,
                },
            ),
            Output::Lines => self
                .reporter
                .text(&format!("  {} {verdict}", exercise.name)),
            Output::Terminal => {}
        }
    }

    /// The list of exercises, without a screen (`l`).
    pub fn list(&self, course: &Course, done: &[bool], current: usize) {
        match self.output {
            Output::Events => {
                let entries: Vec<json::ListEntry<'_>> = course
                    .exercises
                    .iter()
                    .zip(done)
                    .map(|(exercise, done)| json::ListEntry::new(exercise, *done))
                    .collect();
                self.event("list", ListBody { exercises: entries });
            }
            Output::Lines => {
                let mut out = String::new();
                for (index, (exercise, done)) in course.exercises.iter().zip(done).enumerate() {
                    let mark = if *done { "✓" } else { "·" };
                    let here = if index == current { "›" } else { " " };
                    out.push_str(&format!(
                        "{here} {mark} {:<18} {}\n",
                        exercise.name,
                        super::display_path(course, exercise, Side::Exercise)
                    ));
                }
                self.reporter.text(&out);
            }
            Output::Terminal => {}
        }
    }

    /// The reference solution, without a screen (`s`, once the exercise passes).
    pub fn solution(&self, course: &Course, exercise: &Exercise, solution: &str) {
        let path = super::display_path(course, exercise, Side::Solution);
        match self.output {
            Output::Events => self.event(
                "solution",
                SolutionBody {
                    exercise: &exercise.name,
                    path,
                    solution,
                },
            ),
            Output::Lines => self.reporter.text(&format!("// {path}\n{solution}")),
            Output::Terminal => {}
        }
    }

    pub fn finish(&self, message: &str) {
        match self.output {
            Output::Events => self.event("done", MessageBody { message }),
            Output::Lines => self.reporter.text(message),
            Output::Terminal => {}
        }
    }

    /// Draws the whole screen (terminal only). Returns how many hints the learner can
    /// see on it, and clamps the session's scroll offset to the verdict's length.
    pub fn render(&self, core: &mut Core, course: &Course) -> Option<usize> {
        if self.output != Output::Terminal {
            return None;
        }
        let (width, height) = terminal::size().unwrap_or((100, 30));
        let exercise = &course.exercises[core.current];
        let solution = (core.screen == Screen::Solution)
            .then(|| fs::read_to_string(course.path(exercise, Side::Solution)).ok())
            .flatten();
        let lesson = (core.running.is_some() && core.last.is_none())
            .then(|| fs::read_to_string(course.path(exercise, Side::Exercise)).ok())
            .flatten()
            .map(|source| lesson(&source));
        let frame = screen::frame(
            core,
            course,
            Context {
                solution: solution.as_deref(),
                lesson: lesson.as_deref(),
                command: crate::invocation::command(),
            },
            usize::from(width),
            usize::from(height),
        );
        core.scroll = core.scroll.min(frame.max_scroll);
        let mut stdout = io::stdout().lock();
        let _ = queue!(stdout, cursor::MoveTo(0, 0));
        for (row, line) in frame.lines.iter().enumerate() {
            if row > 0 {
                // Raw mode: a line feed does not return the carriage.
                let _ = stdout.write_all(b"\r\n");
            }
            let _ = stdout.write_all(line.as_bytes());
            let _ = queue!(
                stdout,
                crossterm::style::ResetColor,
                terminal::Clear(terminal::ClearType::UntilNewLine)
            );
        }
        let _ = queue!(stdout, terminal::Clear(terminal::ClearType::FromCursorDown));
        let _ = stdout.flush();
        Some(frame.hints_visible)
    }
}

/// The lesson at the top of an exercise file: its leading `//!` comment, as text.
fn lesson(source: &str) -> String {
    let lines: Vec<&str> = source
        .lines()
        .map_while(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect();
    human::escape_controls(&lines.join("\n"))
}

#[derive(Serialize)]
struct ListBody<'a> {
    exercises: Vec<json::ListEntry<'a>>,
}
