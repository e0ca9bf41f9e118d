//! What the watch loop tells the learner besides its screen, as [`WatchEvent`]s that the
//! report sinks render: lines of text without a terminal (the human format), JSON lines
//! for editors and scripts (`--events json`, the JSON format; no terminal control codes).
//! Without a screen, whatever the screen would show on a key (a hint, the list, the
//! solution, a verdict's errors) is such an event. On a terminal the screen shows them
//! (`report::screen` draws what `watch::view` lays out) and only notices are printed.

use std::time::{SystemTime, UNIX_EPOCH};

use colored::Colorize;
use serde::Serialize;

use super::{Reporter, human, json};
use crate::course::{Course, Exercise, Side};
use crate::engine::Graded;
use crate::program::ProgramOutput;

/// Something the watch loop tells the learner, an editor or a script.
#[derive(Clone, Copy, Debug)]
pub enum WatchEvent<'a> {
    /// The course's welcome, the first time.
    Welcome { message: &'a str },
    /// Something worth knowing that is not a verdict.
    Notice { message: &'a str },
    /// A grading run started.
    Started { exercise: &'a Exercise },
    /// The current exercise moved on.
    Next { exercise: &'a Exercise },
    Verdict {
        exercise: &'a Exercise,
        graded: &'a Graded,
    },
    /// Hint `number` (from 1) of the exercise's hints.
    Hint {
        exercise: &'a Exercise,
        number: usize,
        hint: &'a str,
    },
    /// What the exercise's program printed after a pass.
    Program {
        exercise: &'a Exercise,
        output: &'a ProgramOutput,
    },
    /// One exercise of a check-all finished.
    Checked {
        exercise: &'a Exercise,
        verdict: &'a str,
    },
    /// The list of exercises (`l`).
    List {
        course: &'a Course,
        done: &'a [bool],
        current: usize,
    },
    /// The reference solution (`s`, once the exercise passes).
    Solution {
        exercise: &'a Exercise,
        solution: &'a str,
    },
    /// Every exercise is done.
    Done { message: &'a str },
}

/// A watch event as text lines (the human format's rendering, and every format's unless
/// it has its own); `None` when there is nothing to print.
pub fn lines(event: &WatchEvent<'_>) -> Option<String> {
    Some(match *event {
        WatchEvent::Welcome { message } | WatchEvent::Done { message } => message.to_owned(),
        WatchEvent::Notice { message } => format!("note: {message}"),
        WatchEvent::Started { .. } => return None,
        WatchEvent::Next { exercise } => format!(
            "→ {} ({})",
            exercise.name,
            exercise.display_path(Side::Exercise)
        ),
        // The whole verdict: its errors are what the learner acts on.
        WatchEvent::Verdict { exercise, graded } => {
            human::graded(graded, exercise, &exercise.display_path(Side::Exercise))
        }
        WatchEvent::Hint {
            exercise,
            number,
            hint,
        } => format!(
            "{} {hint}",
            format!("hint {number}/{}:", exercise.hints.len())
                .cyan()
                .bold()
        ),
        WatchEvent::Program { exercise, output } => human::program_output(&exercise.name, output),
        WatchEvent::Checked { exercise, verdict } => format!("  {} {verdict}", exercise.name),
        WatchEvent::List {
            course,
            done,
            current,
        } => {
            let mut out = String::new();
            for (index, (exercise, done)) in course.exercises.iter().zip(done).enumerate() {
                let mark = if *done { "✓" } else { "·" };
                let here = if index == current { "›" } else { " " };
                out.push_str(&format!(
                    "{here} {mark} {:<18} {}\n",
                    exercise.name,
                    exercise.display_path(Side::Exercise)
                ));
            }
            out
        }
        WatchEvent::Solution { exercise, solution } => {
            format!("// {}\n{solution}", exercise.display_path(Side::Solution))
        }
    })
}

/// A watch event as one JSON object on one line (`--events json`, documented in the
/// README), with the time it was printed.
pub fn json_line(event: &WatchEvent<'_>) -> Option<String> {
    fn line(event: &str, body: impl Serialize) -> Option<String> {
        serde_json::to_string(&EventLine {
            event,
            at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_millis()),
            body,
        })
        .ok()
    }
    match *event {
        WatchEvent::Welcome { message } => line("welcome", MessageBody { message }),
        WatchEvent::Notice { message } => line("notice", MessageBody { message }),
        WatchEvent::Done { message } => line("done", MessageBody { message }),
        WatchEvent::Started { exercise } => line(
            "started",
            ExerciseBody {
                exercise: &exercise.name,
                path: None,
            },
        ),
        WatchEvent::Next { exercise } => line(
            "next",
            ExerciseBody {
                exercise: &exercise.name,
                path: Some(exercise.display_path(Side::Exercise)),
            },
        ),
        WatchEvent::Verdict { exercise, graded } => {
            line("verdict", json::RunReport::new(exercise, graded))
        }
        WatchEvent::Hint {
            exercise,
            number,
            hint,
        } => line(
            "hint",
            HintBody {
                exercise: &exercise.name,
                number,
                total: exercise.hints.len(),
                hint,
            },
        ),
        WatchEvent::Program { exercise, output } => line(
            "output",
            ProgramBody {
                exercise: &exercise.name,
                stdout: &output.stdout,
                stderr: &output.stderr,
            },
        ),
        WatchEvent::Checked { exercise, verdict } => line(
            "checked",
            CheckedBody {
                exercise: &exercise.name,
                verdict,
            },
        ),
        WatchEvent::List { course, done, .. } => line(
            "list",
            ListBody {
                exercises: course
                    .exercises
                    .iter()
                    .zip(done)
                    .map(|(exercise, done)| json::ListEntry::new(exercise, *done))
                    .collect(),
            },
        ),
        WatchEvent::Solution { exercise, solution } => line(
            "solution",
            SolutionBody {
                exercise: &exercise.name,
                path: exercise.display_path(Side::Solution),
                solution,
            },
        ),
    }
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

#[derive(Serialize)]
struct ListBody<'a> {
    exercises: Vec<json::ListEntry<'a>>,
}

/// The loop's way to the learner: on a terminal the screen shows everything but notices;
/// without one, every event goes to the reporter's format.
#[derive(Debug)]
pub struct WatchView<'a> {
    screen: bool,
    reporter: &'a Reporter,
}

impl<'a> WatchView<'a> {
    /// `screen`: the loop draws a full screen on a terminal.
    pub fn new(screen: bool, reporter: &'a Reporter) -> Self {
        WatchView { screen, reporter }
    }

    /// Tells `event`; false when nothing was printed (the screen shows it instead).
    pub fn tell(&self, event: &WatchEvent<'_>) -> bool {
        match (self.screen, event) {
            (true, WatchEvent::Notice { message }) => {
                self.reporter.warning(message);
                true
            }
            (true, _) => false,
            (false, _) => {
                self.reporter.watch(event);
                true
            }
        }
    }

    pub fn notice(&self, message: &str) {
        self.tell(&WatchEvent::Notice { message });
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
        self.tell(&WatchEvent::Hint {
            exercise,
            number: count,
            hint,
        })
    }
}
