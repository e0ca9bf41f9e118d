//! The report sinks: the only part of the grader that prints.
//!
//! Owns: every output format. A format is a [`Sink`]: it follows the engine's
//! [`Event`]s (builds, tests, verdicts) as they happen, is told when a command's grading
//! ends, and renders the drivers' other results (the list, progress, the machine's
//! report); what a sink does not render itself is shown as human text. The formats are
//! registered in [`FORMATS`], by the name `--output-format` takes: a new format is one file in
//! this folder and its line there. [`Reporter`] is what the drivers hold: the chosen sink
//! and where it writes. Colour follows `--color`, `NO_COLOR` and whether stdout is a
//! terminal.
//!
//! Must not: grade, start processes or write state; sinks read the data they are given
//! and nothing else (no files, no clock beyond timestamps of events).

pub mod class;
pub mod human;
pub mod json;
pub mod screen;
pub mod verdicts;
pub mod watch;

use std::io::{self, IsTerminal, Write};
use std::sync::{Mutex, PoisonError};

use colored::Colorize;
use serde::Serialize;

use crate::course::{Course, Exercise};
use crate::engine::{Event, Graded, Listener};
use crate::error::Error;
use crate::problem::{CheckReport, Problem};

/// Every output format, by the name `--output-format` takes (the first is the default).
pub const FORMATS: &[Format] = &[human::FORMAT, json::FORMAT, verdicts::FORMAT];

/// One output format: its name and how to make its sink.
#[derive(Clone, Copy, Debug)]
pub struct Format {
    pub name: &'static str,
    make: fn() -> Box<dyn Sink>,
}

impl Format {
    /// A format named `name`, made by `make` (for a format's own file).
    pub const fn new(name: &'static str, make: fn() -> Box<dyn Sink>) -> Self {
        Format { name, make }
    }

    /// The registered format called `name`.
    pub fn named(name: &str) -> Option<Format> {
        FORMATS.iter().copied().find(|format| format.name == name)
    }

    pub fn human() -> Format {
        human::FORMAT
    }

    pub fn json() -> Format {
        json::FORMAT
    }

    /// Meant for people at a terminal: coloured compiler output, a passed program's
    /// output after its verdict.
    pub fn is_human(self) -> bool {
        self.name == human::FORMAT.name
    }
}

/// Whether a command graded one exercise or a batch (some formats print them differently:
/// one JSON object or an array).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    One,
    Batch,
}

/// What `dev check` reports as it goes, and its result at the end.
#[derive(Clone, Copy, Debug)]
pub enum CheckEvent<'a> {
    /// What the check is doing now.
    Stage(&'a str),
    /// Something checked that is as it must be (a wrong answer rejected, ...).
    Passed(&'a str),
    /// A problem, as soon as it is found; `graded` is the grading behind it, when one is.
    Problem {
        problem: &'a Problem,
        graded: Option<(&'a Exercise, &'a Graded)>,
    },
    /// The check ended: every problem, and how much was checked.
    Finished(&'a CheckReport),
}

/// An output format. Every method but [`Sink::event`] has a default: human text for the
/// results that are not grading, nothing at the end of a command.
pub trait Sink: Send + Sync {
    /// Something the engine did, as it happens (a build, a test, a verdict).
    fn event(&self, out: &Out, event: &Event<'_>);

    /// A command's grading ended: `graded` are its results, in course order.
    fn finish(&self, out: &Out, graded: &[(&Exercise, &Graded)], shape: Shape) {
        let _ = (out, graded, shape);
    }

    /// `threadlings list`: every exercise and whether it is done.
    fn list(&self, out: &Out, course: &Course, done: &[bool]) {
        out.print(&human::list(course, done));
    }

    /// `threadlings progress`: per topic.
    fn progress(&self, out: &Out, course: &Course, done: &[bool], markdown: bool) {
        out.print(&human::progress(course, done, markdown));
    }

    /// `threadlings doctor`: what this machine enforces.
    fn doctor(&self, out: &Out, doctor: &Doctor) {
        out.print(&human::doctor(doctor));
    }

    /// What the watch loop tells the learner without a screen.
    fn watch(&self, out: &Out, event: &watch::WatchEvent<'_>) {
        if let Some(text) = watch::lines(event) {
            out.print(&with_newline(text));
        }
    }

    /// What `dev check` found, as it goes.
    fn check(&self, out: &Out, event: &CheckEvent<'_>) {
        out.print(&human::check(event));
    }
}

fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Where a sink writes: stdout, or any writer (a test's buffer, a file).
pub struct Out {
    to: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Out")
    }
}

impl Out {
    pub fn stdout() -> Self {
        Out::to(Box::new(io::stdout()))
    }

    pub fn to(writer: Box<dyn Write + Send>) -> Self {
        Out {
            to: Mutex::new(writer),
        }
    }

    pub fn print(&self, text: &str) {
        let mut to = self.to.lock().unwrap_or_else(PoisonError::into_inner);
        // A closed pipe (`threadlings list | head`) is not worth a panic.
        let _ = to.write_all(text.as_bytes());
        let _ = to.flush();
    }

    /// A value as indented JSON, on a line of its own.
    pub fn print_json(&self, value: &impl Serialize) {
        match serde_json::to_string_pretty(value) {
            Ok(json) => self.print(&format!("{json}\n")),
            Err(err) => print_error(&Error::Tool(format!("could not render JSON: {err}"))),
        }
    }
}

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Resolves `auto` against `NO_COLOR` and the terminal, and sets the global switch
    /// the `colored` crate reads.
    pub fn apply(self) -> bool {
        let color = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                    && io::stdout().is_terminal()
            }
        };
        colored::control::set_override(color);
        color
    }
}

/// What `doctor` found.
#[derive(Debug, Serialize)]
pub struct Doctor {
    pub course: std::path::PathBuf,
    pub rustc: Option<String>,
    pub containment: crate::run::Containment,
}

/// What the drivers print through: the chosen format's sink and where it writes.
pub struct Reporter {
    format: Format,
    sink: Box<dyn Sink>,
    out: Out,
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reporter({})", self.format.name)
    }
}

impl Reporter {
    pub fn new(format: Format) -> Self {
        Reporter::writing_to(format, Out::stdout())
    }

    /// A reporter whose format writes to `out` instead of stdout.
    pub fn writing_to(format: Format, out: Out) -> Self {
        Reporter {
            format,
            sink: (format.make)(),
            out,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    fn print(&self, text: &str) {
        self.out.print(text);
    }

    /// The machine's report card.
    pub fn doctor(&self, doctor: &Doctor) {
        self.sink.doctor(&self.out, doctor);
    }

    /// One graded exercise, whole.
    pub fn graded(&self, _course: &Course, exercise: &Exercise, graded: &Graded) {
        self.sink
            .event(&self.out, &Event::Graded { exercise, graded });
        self.sink
            .finish(&self.out, &[(exercise, graded)], Shape::One);
    }

    /// The end of a command's grading: its results, in course order.
    pub fn finish(&self, graded: &[(&Exercise, &Graded)], shape: Shape) {
        self.sink.finish(&self.out, graded, shape);
    }

    /// Something the watch loop tells the learner (without a screen).
    pub fn watch(&self, event: &watch::WatchEvent<'_>) {
        self.sink.watch(&self.out, event);
    }

    /// `threadlings list`.
    pub fn list(&self, course: &Course, done: &[bool]) {
        self.sink.list(&self.out, course, done);
    }

    /// A problem `dev check` found, as soon as it is found, with the grading behind it.
    pub fn check_problem(&self, problem: &Problem, graded: Option<(&Exercise, &Graded)>) {
        self.sink
            .check(&self.out, &CheckEvent::Problem { problem, graded });
    }

    /// What `dev check` is doing now.
    pub fn check_stage(&self, stage: &str) {
        self.sink.check(&self.out, &CheckEvent::Stage(stage));
    }

    /// Something `dev check` checked that is as it must be.
    pub fn check_passed(&self, what: &str) {
        self.sink.check(&self.out, &CheckEvent::Passed(what));
    }

    /// The end of `dev check`: every problem, and how much was checked.
    pub fn check_finished(&self, report: &CheckReport) {
        self.sink.check(&self.out, &CheckEvent::Finished(report));
    }

    /// A question on the terminal (stderr, so stdout stays clean for results).
    pub fn prompt(&self, question: &str) {
        let mut stderr = io::stderr().lock();
        let _ = write!(stderr, "{question}");
        let _ = stderr.flush();
    }

    /// `threadlings progress`: per topic, as a table, JSON or Markdown.
    pub fn progress(&self, course: &Course, done: &[bool], markdown: bool) {
        self.sink.progress(&self.out, course, done, markdown);
    }

    /// Hints of one exercise, up to `count`.
    pub fn hints(&self, exercise: &Exercise, count: usize) {
        let more = format!(
            "`{} hint {}` again",
            crate::invocation::command(),
            exercise.name
        );
        self.print(&human::hints(exercise, count, &more));
    }

    /// Plain text: a message, a file's contents.
    pub fn text(&self, text: &str) {
        self.print(&with_newline(text.to_owned()));
    }

    /// Something worth knowing that is not a result (a rebuilt state file, ...); stderr,
    /// so it never corrupts JSON on stdout.
    /// Warnings and errors can quote what the learner's files hold (exercise names from
    /// a forged state file, cargo's words): their control characters are shown escaped.
    pub fn warning(&self, warning: &str) {
        eprintln!(
            "{} {}",
            "warning:".yellow().bold(),
            human::escape_controls(warning)
        );
    }

    /// What the grader is busy with (a long first build), on stderr.
    pub fn status(&self, status: &str) {
        eprintln!("{}", status.dimmed());
    }

    /// A student of a class graded (`grade`), on stderr: the class's progress.
    pub fn class_progress(&self, progress: &crate::gradebook::Progress<'_>) {
        let crate::gradebook::Progress::Graded {
            student,
            done,
            total,
            cached,
        } = progress;
        let result = match student.error() {
            Some(reason) => format!("not graded: {reason}").red().to_string(),
            None => {
                let max: u32 = student
                    .exercises()
                    .iter()
                    .map(|grade| grade.max_score)
                    .sum();
                format!("{}/{max}", student.score())
            }
        };
        eprintln!(
            "{} {} {}{}",
            format!("[{done}/{total}]").dimmed(),
            human::escape_controls(&student.student),
            result,
            if *cached {
                " (kept from an earlier run)".dimmed().to_string()
            } else {
                String::new()
            }
        );
    }

    /// A graded class: who got what, and where the reports are.
    pub fn class_summary(
        &self,
        book: &crate::gradebook::Gradebook,
        written: &[std::path::PathBuf],
    ) {
        let max = book.max_score();
        let graded: Vec<_> = book
            .students
            .iter()
            .filter(|s| s.error().is_none())
            .collect();
        let full = graded
            .iter()
            .filter(|student| student.score() == max)
            .count();
        let mut text = format!(
            "{} student(s) graded on {} exercise(s) in {:.1} s: {} with full marks ({max} points), \
             {} not graded\n",
            graded.len(),
            book.assignment.len(),
            book.seconds,
            full,
            book.students.len() - graded.len()
        );
        for path in written {
            text.push_str(&format!("  wrote {}\n", path.display()));
        }
        self.print(&text);
    }

    /// A grader fault, on stderr.
    pub fn error(&self, error: &Error) {
        print_error(error);
    }
}

/// The engine's events go to the sink as they happen.
impl Listener for Reporter {
    fn event(&self, event: &Event<'_>) {
        self.sink.event(&self.out, event);
    }
}

fn print_error(error: &Error) {
    eprintln!(
        "{} {}",
        "error:".red().bold(),
        human::escape_controls(&error.to_string())
    );
}
