//! The reporting layer: the only part of the grader that prints.
//!
//! Drivers hand it data (graded exercises, the course, check results) and it renders them
//! in the chosen format: human text (see `human.rs`) or JSON (see `json.rs`). Colour
//! follows `--color`, `NO_COLOR` and whether stdout is a terminal.

pub mod class;
pub mod human;
pub mod json;
pub mod screen;
pub mod watch;

use std::io::{self, IsTerminal, Write};

use colored::Colorize;
use serde::Serialize;

use crate::course::{Course, Exercise, Side};
use crate::engine::Graded;
use crate::error::Error;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
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

/// Prints results.
#[derive(Debug)]
pub struct Reporter {
    pub format: Format,
}

impl Reporter {
    pub fn new(format: Format) -> Self {
        Reporter { format }
    }

    fn print(&self, text: &str) {
        let mut stdout = io::stdout().lock();
        // A closed pipe (`threadlings list | head`) is not worth a panic.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    fn print_json(&self, value: &impl Serialize) {
        match serde_json::to_string_pretty(value) {
            Ok(json) => self.print(&format!("{json}\n")),
            Err(err) => self.error(&Error::Tool(format!("could not render JSON: {err}"))),
        }
    }

    /// The machine's report card.
    pub fn doctor(&self, doctor: &Doctor) {
        match self.format {
            Format::Human => self.print(&human::doctor(doctor)),
            Format::Json => self.print_json(doctor),
        }
    }

    /// One graded exercise.
    pub fn graded(&self, course: &Course, exercise: &Exercise, graded: &Graded) {
        match self.format {
            Format::Human => self.print(&human::graded(
                graded,
                exercise,
                &display_path(course, exercise, graded.side),
            )),
            Format::Json => self.print_json(&json::RunReport::new(graded)),
        }
    }

    /// A batch: each exercise as it is graded (human), or one JSON array at the end.
    pub fn graded_live(&self, course: &Course, exercise: &Exercise, graded: &Graded) {
        if self.format == Format::Human {
            self.graded(course, exercise, graded);
        }
    }

    /// The end of a batch.
    pub fn batch_summary(&self, results: &[Graded]) {
        match self.format {
            Format::Human => {
                let passed = results
                    .iter()
                    .filter(|graded| graded.verdict().passed())
                    .count();
                let line = format!("{passed} of {} exercises pass", results.len());
                let line = if passed == results.len() {
                    line.green().bold()
                } else {
                    line.yellow().bold()
                };
                self.print(&format!("\n{line}\n"));
            }
            Format::Json => {
                let reports: Vec<json::RunReport<'_>> =
                    results.iter().map(json::RunReport::new).collect();
                self.print_json(&reports);
            }
        }
    }

    /// `threadlings list`.
    pub fn list(&self, course: &Course, done: &[bool]) {
        match self.format {
            Format::Json => {
                let entries: Vec<json::ListEntry<'_>> = course
                    .exercises
                    .iter()
                    .zip(done)
                    .map(|(exercise, done)| json::ListEntry::new(exercise, *done))
                    .collect();
                self.print_json(&entries);
            }
            Format::Human => {
                let mut out = String::new();
                let mut topic = "";
                for (exercise, done) in course.exercises.iter().zip(done) {
                    if exercise.topic != topic {
                        topic = &exercise.topic;
                        out.push_str(&format!("\n{}\n", topic.bold()));
                    }
                    let mark = if *done { "✓".green() } else { "·".dimmed() };
                    out.push_str(&format!(
                        "  {mark} {:<16} exercises/{}/{}.rs\n",
                        exercise.name, exercise.dir, exercise.name
                    ));
                }
                let finished = done.iter().filter(|done| **done).count();
                out.push_str(&format!("\n{finished} of {} done\n", done.len()));
                self.print(&out);
            }
        }
    }

    /// A problem `dev check` found, as soon as it is found.
    pub fn check_problem(&self, problem: &str) {
        self.print(&format!("{} {problem}\n", "✗".red().bold()));
    }

    /// What `dev check` is doing now.
    pub fn check_stage(&self, stage: &str) {
        self.print(&format!("{} {stage}\n", "::".cyan().bold()));
    }

    /// The end of `dev check`: how many problems, and how much was checked.
    pub fn check_summary(
        &self,
        problems: usize,
        solutions: usize,
        stubs: usize,
        stress_runs: usize,
    ) {
        let counts = format!("{solutions} solutions, {stubs} stubs, {stress_runs} stress runs");
        let line = if problems == 0 {
            format!("{} the course is consistent ({counts})", "✓".green().bold())
        } else {
            format!("{} {problems} problem(s) ({counts})", "✗".red().bold())
        };
        self.print(&format!("{line}\n"));
    }

    /// A question on the terminal (stderr, so stdout stays clean for results).
    pub fn prompt(&self, question: &str) {
        let mut stderr = io::stderr().lock();
        let _ = write!(stderr, "{question}");
        let _ = stderr.flush();
    }

    /// `threadlings progress`: per topic, as a table, JSON or Markdown.
    pub fn progress(&self, course: &Course, done: &[bool], markdown: bool) {
        let topics = json::ProgressReport::new(course, done);
        if self.format == Format::Json {
            self.print_json(&topics);
            return;
        }
        let mut out = String::new();
        if markdown {
            out.push_str("| Topic | Done | Progress |\n|---|---:|---|\n");
            for topic in &topics.topics {
                out.push_str(&format!(
                    "| {} | {}/{} | {} |\n",
                    topic.topic,
                    topic.done,
                    topic.total,
                    text_bar(topic.done, topic.total, 10)
                ));
            }
            out.push_str(&format!(
                "| **all** | **{}/{}** | {} |\n",
                topics.done,
                topics.total,
                text_bar(topics.done, topics.total, 10)
            ));
        } else {
            for topic in &topics.topics {
                let line = format!(
                    "{:<24} {} {}/{}",
                    topic.topic,
                    text_bar(topic.done, topic.total, 20),
                    topic.done,
                    topic.total
                );
                out.push_str(&if topic.done == topic.total {
                    line.green().to_string()
                } else {
                    line
                });
                out.push('\n');
            }
            out.push_str(&format!(
                "\n{} of {} exercises done\n",
                topics.done, topics.total
            ));
        }
        self.print(&out);
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
        let mut text = text.to_owned();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.print(&text);
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
    pub fn class_progress(&self, progress: &crate::classroom::grade::Progress<'_>) {
        let crate::classroom::grade::Progress::Graded {
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
        eprintln!(
            "{} {}",
            "error:".red().bold(),
            human::escape_controls(&error.to_string())
        );
    }
}

fn text_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// The path a learner would open, relative to the course root.
pub fn display_path(_course: &Course, exercise: &Exercise, side: Side) -> String {
    format!("{}/{}/{}.rs", side.dir(), exercise.dir, exercise.name)
}
