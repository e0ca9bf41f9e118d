//! The human forms of the grader's results: plain text, coloured when the terminal takes
//! it. Pure functions from data to `String`, so they can be snapshot-tested.
//!
//! Anything the learner's code printed (test messages, stderr, thread names) goes through
//! [`escape_controls`] before it reaches a terminal: a test cannot set the window title,
//! clear the screen or draw a fake verdict. Compiler diagnostics are rustc's, not the
//! learner's, and keep their colours.

use std::fmt::Write as _;
use std::time::Duration;

use colored::Colorize;

use super::{CheckEvent, Format, Out, Shape, Sink};
use crate::course::{Course, Exercise, Side};
use crate::engine::{Event, Graded};
use crate::model_check::{AccessKind, ModelFailure, Site};
use crate::run::{Diagnosis, Stacks, ThreadState, Wait};
use crate::verdict::{Crash, TestOutcome, Verdict};

/// Longest failure message shown per test, in lines; the rest is summarised.
const MESSAGE_LINES: usize = 40;

/// One graded exercise: the verdict line, then what the learner needs to act on it.
/// The default format: text for people, each verdict as it comes and a summary line at the
/// end of a batch.
pub const FORMAT: Format = Format::new("human", || Box::new(Human));

/// The sink of the human format.
#[derive(Debug)]
pub struct Human;

impl Sink for Human {
    fn event(&self, out: &Out, event: &Event<'_>) {
        if let Event::Graded { exercise, graded } = event {
            out.print(&self::graded(
                graded,
                exercise,
                &exercise.display_path(graded.side),
            ));
        }
    }

    fn finish(&self, out: &Out, results: &[(&Exercise, &Graded)], shape: Shape) {
        if shape == Shape::One {
            return;
        }
        let passed = results
            .iter()
            .filter(|(_, graded)| graded.verdict().passed())
            .count();
        let line = format!("{passed} of {} exercises pass", results.len());
        let line = if passed == results.len() {
            line.green().bold()
        } else {
            line.yellow().bold()
        };
        out.print(&format!("\n{line}\n"));
    }
}

/// `dev check` as it goes: a line per stage, per thing found right and per problem (with
/// the grading behind it), and the summary.
pub fn check(event: &CheckEvent<'_>) -> String {
    match event {
        CheckEvent::Stage(stage) => format!("{} {stage}\n", "::".cyan().bold()),
        CheckEvent::Passed(what) => format!("  {} {what}\n", "✓".green()),
        CheckEvent::Problem { problem, graded } => {
            let mut text = format!("{} {problem}\n", "✗".red().bold());
            if let Some((exercise, graded)) = graded {
                text.push_str(&self::graded(
                    graded,
                    exercise,
                    &exercise.display_path(graded.side),
                ));
            }
            text
        }
        CheckEvent::Finished(report) => {
            let counts = format!(
                "{} solutions, {} stubs, {} stress runs",
                report.solutions_checked, report.stubs_checked, report.stress_runs
            );
            let line = if report.is_clean() {
                format!("{} the course is consistent ({counts})", "✓".green().bold())
            } else {
                format!(
                    "{} {} problem(s) ({counts})",
                    "✗".red().bold(),
                    report.problems.len()
                )
            };
            format!("{line}\n")
        }
    }
}

/// `threadlings list`: per topic, a mark and a path per exercise.
pub fn list(course: &Course, done: &[bool]) -> String {
    let mut out = String::new();
    let mut topic = "";
    for (exercise, done) in course.exercises.iter().zip(done) {
        if exercise.topic != topic {
            topic = &exercise.topic;
            out.push_str(&format!("\n{}\n", topic.bold()));
        }
        let mark = if *done { "✓".green() } else { "·".dimmed() };
        out.push_str(&format!(
            "  {mark} {:<16} {}\n",
            exercise.name,
            exercise.display_path(Side::Exercise)
        ));
    }
    let finished = done.iter().filter(|done| **done).count();
    out.push_str(&format!("\n{finished} of {} done\n", done.len()));
    out
}

/// `threadlings progress`: per topic, as a table or in Markdown.
pub fn progress(course: &Course, done: &[bool], markdown: bool) -> String {
    let topics = super::json::ProgressReport::new(course, done);
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
    out
}

fn text_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// One graded exercise, whole: its verdict, what failed and what to do.
pub fn graded(graded: &Graded, exercise: &Exercise, path: &str) -> String {
    graded_with(
        graded,
        exercise,
        path,
        Words {
            command: crate::invocation::command(),
            keys: false,
        },
    )
}

/// How advice names what to do: commands as the learner started the grader, or the watch
/// screen's keys where there is one.
#[derive(Clone, Copy, Debug)]
pub struct Words<'a> {
    /// `cargo threadlings` or `threadlings`.
    pub command: &'a str,
    /// On the watch screen: name keys ("press x") where a key does it.
    pub keys: bool,
}

/// The same, with advice in `words`.
pub fn graded_with(graded: &Graded, exercise: &Exercise, path: &str, words: Words<'_>) -> String {
    let command = words.command;
    let mut out = String::new();
    let name = exercise.name.bold();
    let took = seconds(graded.duration);
    match graded.verdict() {
        Verdict::Pass => {
            let _ = writeln!(
                out,
                "{} {name} passed {}",
                "✓".green().bold(),
                took.dimmed()
            );
        }
        Verdict::CompileError { errors } => {
            let _ = writeln!(out, "{} {name} does not compile ({path})", "✗".red().bold());
            let _ = writeln!(out);
            out.push_str(errors.trim_end());
            out.push('\n');
        }
        Verdict::TestFailed => {
            let failed = graded
                .judgement
                .tests
                .iter()
                .filter(|test| test.outcome == TestOutcome::Failed)
                .count();
            let total = graded.judgement.tests.len();
            let _ = writeln!(
                out,
                "{} {name}: {failed} of {total} tests failed ({path})",
                "✗".red().bold()
            );
            tests(&mut out, graded, command);
        }
        Verdict::TimedOut {
            test,
            limit,
            diagnosis,
        } => {
            let in_test = test.as_deref().map_or_else(String::new, |test| {
                format!(" in test `{}`", escape_controls(test))
            });
            if let Diagnosis::Deadlock { early: true, .. } = diagnosis {
                let _ = writeln!(
                    out,
                    "{} {name} deadlocked{in_test}: stopped after {} instead of waiting \
                     for its {} limit ({path})",
                    "✗".red().bold(),
                    seconds(graded.duration),
                    seconds(*limit),
                );
            } else {
                let _ = writeln!(
                    out,
                    "{} {name} timed out after {}{in_test} ({path})",
                    "✗".red().bold(),
                    seconds(*limit),
                );
            }
            let _ = writeln!(
                out,
                "  {}",
                escape_controls(&diagnosis_summary(diagnosis)).yellow()
            );
            for line in thread_lines(diagnosis) {
                let _ = writeln!(out, "    {}", escape_controls(&line));
            }
            if let Diagnosis::Deadlock {
                stacks: Stacks::Unavailable(why),
                ..
            }
            | Diagnosis::BusyLoop {
                stacks: Stacks::Unavailable(why),
                ..
            }
            | Diagnosis::Waiting {
                stacks: Stacks::Unavailable(why),
                ..
            } = diagnosis
            {
                let _ = writeln!(
                    out,
                    "    {}",
                    format!("(where each thread waits is not known: {why})").dimmed()
                );
            }
            let _ = writeln!(out, "  {}", diagnosis_advice(diagnosis));
            tests(&mut out, graded, command);
        }
        Verdict::Crashed { test, cause } => {
            let _ = writeln!(
                out,
                "{} {name} crashed{}: {} ({path})",
                "✗".red().bold(),
                test.as_deref().map_or_else(String::new, |test| format!(
                    " in test `{}`",
                    escape_controls(test)
                )),
                crash_text(cause)
            );
            tests(&mut out, graded, command);
        }
        Verdict::Tampered { findings } => {
            let _ = writeln!(
                out,
                "{} {name} was not graded: its tests were changed or cut short ({path})",
                "✗".red().bold()
            );
            for finding in findings {
                let _ = writeln!(out, "  - {finding}");
            }
            let reset = if words.keys {
                "press x to restore".to_owned()
            } else {
                format!("`{command} reset {}` restores", exercise.name)
            };
            let _ = writeln!(
                out,
                "  The tests are the exercise's specification. You may add tests, but \
                 not change or remove the original ones: {reset} the original file \
                 (keeping a backup of yours)."
            );
        }
    }
    if let Some(stderr) = &graded.stderr
        && !graded.verdict().passed()
        && !matches!(graded.verdict(), Verdict::TestFailed)
    {
        let _ = writeln!(out, "  {}", "the test process wrote to stderr:".dimmed());
        let stderr = backtrace_advice(stderr, command, &graded.exercise);
        out.push_str(&indent(
            &truncate_lines(&escape_controls(&stderr), MESSAGE_LINES),
            "    ",
        ));
    }
    for note in &graded.notes {
        let _ = writeln!(out, "  {} {note}", "note:".cyan().bold());
    }
    out
}

fn tests(out: &mut String, graded: &Graded, command: &str) {
    for test in &graded.judgement.tests {
        let (mark, label) = match test.outcome {
            TestOutcome::Passed => ("✓".green(), "".normal()),
            TestOutcome::Failed => ("✗".red(), "".normal()),
            TestOutcome::Ignored => ("-".yellow(), " (ignored)".yellow()),
            TestOutcome::Interrupted => ("!".red(), " (was running)".red()),
            TestOutcome::NotRun => ("·".dimmed(), " (did not run)".dimmed()),
        };
        let _ = writeln!(out, "  {mark} {}{label}", escape_controls(&test.name));
        if let Some(found) = &test.model {
            out.push_str(&indent(
                &escape_controls(&model_failure(found, &graded.exercise)),
                "      ",
            ));
        }
        if let Some(message) = &test.message {
            if test.model.is_some() {
                let _ = writeln!(out, "      {}", "the model checker's report:".dimmed());
            }
            let message = backtrace_advice(message, command, &graded.exercise);
            out.push_str(&indent(
                &truncate_lines(&escape_controls(&message), MESSAGE_LINES),
                if test.model.is_some() {
                    "        "
                } else {
                    "      "
                },
            ));
        }
    }
}

/// What the model checker found, in the learner's terms: what went wrong, in which thread
/// and at which line, what usually causes it, and where the hint is.
fn model_failure(found: &ModelFailure, exercise: &str) -> String {
    let mut out = String::new();
    let thread = |number: Option<u32>| match number {
        Some(0) => "the test's thread (#0)".to_owned(),
        Some(number) => format!("spawned thread #{number}"),
        None => "a thread".to_owned(),
    };
    let at = |site: &Option<Site>| {
        site.as_ref().map_or_else(
            || " (line unknown)".to_owned(),
            |site| format!(" at {site}"),
        )
    };
    match found {
        ModelFailure::DataRace { created, accesses } => {
            let writes = accesses
                .iter()
                .filter(|access| access.kind == AccessKind::Write)
                .count();
            let what = if writes == accesses.len() && writes > 1 {
                "two writes"
            } else {
                "a read and a write"
            };
            let _ = writeln!(
                out,
                "{} {what} of the same data{} are not ordered: in one execution the \
                 memory model allows, neither happens-before the other.",
                "data race found by the model checker:".red().bold(),
                created.as_ref().map_or_else(String::new, |site| format!(
                    " (the `UnsafeCell` created at line {})",
                    site.line
                ))
            );
            for access in accesses {
                let kind = match access.kind {
                    AccessKind::Read => "read ",
                    AccessKind::Write => "write",
                };
                let _ = writeln!(
                    out,
                    "  {kind} by {}{}",
                    thread(access.thread),
                    at(&access.at)
                );
            }
            let _ = writeln!(
                out,
                "The data was published with a too-weak ordering, or without synchronisation: \
                 a write is visible to another thread only through a happens-before edge \
                 (a `Release` store or unlock read by an `Acquire` load or lock; a \
                 read-modify-write that claims it first). x86 would hide this; the memory \
                 model does not."
            );
        }
        ModelFailure::FailedAssertion { message, at: site } => {
            let first = message.lines().next().unwrap_or_default();
            let _ = writeln!(
                out,
                "{}{} in one of the executions the model checker explored: {first}",
                "assertion failed".red().bold(),
                at(site)
            );
            let _ = writeln!(
                out,
                "Some interleaving of the threads breaks it: look for two steps that another \
                 thread can come between (a `load` then a `store`, a check then an act) and \
                 make them one atomic step."
            );
        }
        ModelFailure::Deadlock { threads } => {
            let _ = writeln!(
                out,
                "{} in one interleaving every thread waits for another, forever.",
                "deadlock found by the model checker:".red().bold()
            );
            for blocked in threads {
                let _ = writeln!(
                    out,
                    "  {} waits{}",
                    thread(Some(blocked.thread)),
                    at(&blocked.at)
                );
            }
            let _ = writeln!(
                out,
                "Each waits for something only another waiting thread can give: a lock it \
                 holds (take locks in one global order), a wake-up that came before anyone \
                 waited (change the condition under the lock, then notify; wait in a \
                 `while` loop), a `join` on a thread that waits for you."
            );
        }
        ModelFailure::TooManyBranches => {
            let _ = writeln!(
                out,
                "{} one execution went on past the model checker's bound: a loop that \
                 never makes progress.",
                "the model checker gave up:".red().bold()
            );
            let _ = writeln!(
                out,
                "A spin loop must call `hint::spin_loop()` while it waits, and its failed \
                 attempts must change nothing: wait with `compare_exchange`, not `swap`."
            );
        }
        ModelFailure::Leak { what } => {
            let _ = writeln!(
                out,
                "{} {what}: something shared was never freed in one execution.",
                "leak found by the model checker:".red().bold()
            );
        }
    }
    let _ = writeln!(
        out,
        "Stuck? Press h in the watch screen, or run `threadlings hint {exercise}`."
    );
    out
}

/// The standard library's advice to set `RUST_BACKTRACE=1` does not work here (the grader
/// sets it for the test): it becomes the option that does.
fn backtrace_advice(message: &str, command: &str, name: &str) -> String {
    if !message.contains("RUST_BACKTRACE=1") {
        return message.to_owned();
    }
    message
        .lines()
        .map(|line| {
            if line.contains("RUST_BACKTRACE=1") {
                format!("note: `{command} run {name} --backtrace` shows a full backtrace")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Learner output made safe for a terminal: line feeds and tabs are kept; every other
/// control character (C0, DEL, C1, ESC starting a colour, title or clear-screen sequence)
/// and the bidirectional overrides that reorder what is shown are written out visibly
/// (`\x1b`, `\r`, `\u{9b}`), so the text reads as what was printed, not as what it does.
pub fn escape_controls(text: &str) -> String {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !unsafe_char(c) {
            out.push(c);
        } else if c == '\r' {
            out.push_str("\\r");
        } else if u32::from(c) < 0x80 {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    out
}

/// What an exercise's program printed after it passed (learner output: escaped).
pub fn program_output(name: &str, output: &crate::program::ProgramOutput) -> String {
    use crate::program::ProgramEnd;
    let mut out = format!("{}\n", format!("Output of {name}'s main():").bold());
    let printed = format!("{}{}", output.stdout, output.stderr);
    if printed.trim().is_empty() {
        let _ = writeln!(out, "  {}", "(nothing)".dimmed());
    }
    for line in escape_controls(printed.trim_end()).lines() {
        let _ = writeln!(out, "  {} {line}", "│".dimmed());
    }
    match &output.end {
        ProgramEnd::Exited(0) => {}
        ProgramEnd::Exited(code) => {
            let _ = writeln!(
                out,
                "  {}",
                format!("(it exited with status {code})").yellow()
            );
        }
        ProgramEnd::Killed(signal) => {
            let _ = writeln!(out, "  {}", format!("(it was killed by {signal})").yellow());
        }
        ProgramEnd::TimedOut(limit) => {
            let _ = writeln!(
                out,
                "  {}",
                format!("(it was stopped after {})", seconds(*limit)).yellow()
            );
        }
    }
    out
}

/// A judgement in one line, for summaries.
pub fn judgement_line(judgement: &crate::verdict::Judgement) -> String {
    escape_controls(&judgement_text(judgement))
}

fn judgement_text(judgement: &crate::verdict::Judgement) -> String {
    match &judgement.verdict {
        Verdict::Pass => "pass".to_owned(),
        Verdict::CompileError { .. } => "compile error".to_owned(),
        Verdict::TestFailed => {
            let failed: Vec<String> = judgement
                .tests
                .iter()
                .filter(|test| test.outcome == TestOutcome::Failed)
                .map(|test| match &test.model {
                    Some(found) => format!("{} ({})", test.name, found.summary()),
                    None => test.name.clone(),
                })
                .collect();
            format!("failed: {}", failed.join(", "))
        }
        Verdict::TimedOut {
            test, diagnosis, ..
        } => format!(
            "timed out in {}: {}",
            test.as_deref().unwrap_or("?"),
            diagnosis_summary(diagnosis)
        ),
        Verdict::Crashed { test, cause } => {
            format!(
                "crashed in {}: {}",
                test.as_deref().unwrap_or("?"),
                crash_text(cause)
            )
        }
        Verdict::Tampered { findings } => {
            let said: Vec<String> = findings.iter().map(ToString::to_string).collect();
            format!("tampered: {}", said.join("; "))
        }
    }
}

/// One line that says what a hung process was doing.
pub fn diagnosis_summary(diagnosis: &Diagnosis) -> String {
    match diagnosis {
        Diagnosis::Deadlock { early: true, .. } => {
            "deadlock: every thread is blocked waiting for another, and none can ever \
             wake the others"
                .to_owned()
        }
        Diagnosis::Deadlock { .. } => {
            "deadlock: every thread is blocked waiting (no CPU progress)".to_owned()
        }
        Diagnosis::BusyLoop { running, .. } => match running.first() {
            Some(thread) => format!(
                "busy loop: {} is running{}{}",
                thread_label(thread),
                at(thread),
                if running.len() > 1 {
                    format!(" (and {} more)", running.len() - 1)
                } else {
                    String::new()
                }
            ),
            None => "busy loop".to_owned(),
        },
        Diagnosis::Waiting { .. } => {
            "too slow, not stuck: no thread was running, and at least one was sleeping, \
             waiting with a timeout, or stopped"
                .to_owned()
        }
        Diagnosis::Unknown => {
            "it was still running when the time limit came (this system does not show \
             what its threads were doing)"
                .to_owned()
        }
    }
}

fn diagnosis_advice(diagnosis: &Diagnosis) -> &'static str {
    match diagnosis {
        Diagnosis::Deadlock { .. } => {
            "Something waits for an event that never comes: a `recv` or `for msg in rx` \
             while a Sender is still alive (a forgotten `drop(tx)`?), a lock taken twice or \
             in opposite orders, a `join` on a thread that waits for you, a Condvar nobody \
             notifies."
        }
        Diagnosis::BusyLoop { .. } => {
            "A loop never reaches its exit: a spin on a flag nobody sets (or one read \
             without the ordering that makes the write visible), a retry that always fails."
        }
        Diagnosis::Waiting { .. } => {
            "Something waits for time to pass instead of for the work: a `sleep` standing \
             in for a `join` or a message, or a timeout longer than the test allows."
        }
        Diagnosis::Unknown => {
            "Look for a wait that never ends (a forgotten `drop(tx)`, a lock never \
             released) or a loop that never exits."
        }
    }
}

/// Threads listed in a diagnosis; the rest are counted.
const THREADS_SHOWN: usize = 6;

/// One line per thread: who, what it waits for, and where in the learner's file; the
/// test harness's own thread last, and a count past [`THREADS_SHOWN`].
fn thread_lines(diagnosis: &Diagnosis) -> Vec<String> {
    let threads = diagnosis.threads();
    let deadlock = matches!(diagnosis, Diagnosis::Deadlock { .. });
    if !deadlock && threads.len() == 1 {
        return Vec::new(); // The summary already names it.
    }
    let mut ordered: Vec<&ThreadState> = threads.iter().filter(|t| !t.main).collect();
    ordered.extend(threads.iter().filter(|t| t.main));
    let mut lines: Vec<String> = ordered
        .iter()
        .take(THREADS_SHOWN)
        .map(|thread| thread_line(thread, threads, deadlock))
        .collect();
    if ordered.len() > THREADS_SHOWN {
        lines.push(format!(
            "... and {} more threads",
            ordered.len() - THREADS_SHOWN
        ));
    }
    lines
}

/// `thread 'logger'`; a thread spawned without a name is `an unnamed thread`.
fn thread_label(thread: &ThreadState) -> String {
    if thread.name.is_empty() {
        "an unnamed thread".to_owned()
    } else {
        format!("thread '{}'", thread.name)
    }
}

/// ` at mpsc3.rs:30`; in a helper of the file that the learner's code called, ` at
/// locks3.rs:45 (in `lock_slot`, called from `transaction` at line 70)`.
fn at(thread: &ThreadState) -> String {
    thread.at.as_ref().map_or_else(String::new, |at| {
        let call = at.called_from.as_ref().map_or_else(String::new, |call| {
            format!(
                " (in `{}`, called from `{}` at line {})",
                call.callee, call.caller, call.line
            )
        });
        format!(" at {}:{}{call}", at.file, at.line)
    })
}

fn thread_line(thread: &ThreadState, threads: &[ThreadState], deadlock: bool) -> String {
    let who = if thread.main && thread.at.is_none() {
        format!("{} (the test harness)", thread_label(thread))
    } else {
        thread_label(thread)
    };
    let joined = thread
        .joins
        .and_then(|tid| threads.iter().find(|other| other.tid == tid))
        .map(thread_label);
    let (what, why) = match thread.waits {
        Some(Wait::Join) => (
            joined.map_or_else(
                || "waits to join a thread".to_owned(),
                |joined| format!("waits to join {joined}"),
            ),
            "",
        ),
        Some(Wait::Receive) => (
            "waits to receive".to_owned(),
            " — no sender will ever send again",
        ),
        Some(Wait::Send) => (
            "waits to send on a full channel".to_owned(),
            " — no receiver will ever make room",
        ),
        // A lock may be a mutex, either side of a read-write lock, or a map's shard; its
        // holder may be this very thread (a guard still alive when it locks again).
        Some(Wait::Lock) => (
            "waits to take a lock".to_owned(),
            " — whoever holds it (another thread, or this one) can never let it go",
        ),
        Some(Wait::Condvar) => (
            "waits on a condvar".to_owned(),
            " — no thread will ever notify it",
        ),
        Some(Wait::Barrier) => (
            "waits at a barrier".to_owned(),
            " — the other parties will never arrive",
        ),
        Some(Wait::Park) => ("is parked".to_owned(), " — nobody will unpark it"),
        Some(Wait::Sleep) => ("sleeps".to_owned(), ""),
        Some(Wait::Idle) => ("is an idle pool worker, waiting for work".to_owned(), ""),
        None if !deadlock => ("is running".to_owned(), ""),
        None if thread.main => ("waits for the test to finish".to_owned(), ""),
        None => match &thread.waiting_in {
            Some(wchan) => (format!("waits (in the kernel's {wchan})"), ""),
            None => ("waits".to_owned(), ""),
        },
    };
    let why = if deadlock && !thread.main { why } else { "" };
    format!("{who} {what}{}{why}", at(thread))
}

/// What a crash cause means, in words.
pub fn crash_text(cause: &Crash) -> String {
    match cause {
        Crash::StackOverflow => {
            "stack overflow (a recursion that never ends, or a very large value on a thread's stack)".to_owned()
        }
        Crash::MemoryLimit => format!(
            "out of memory: an allocation failed under the {} limit (a collection that grows without end?)",
            crate::run::human_bytes(crate::engine::MEMORY_LIMIT_BYTES)
        ),
        Crash::CpuLimit => "it used up its CPU-time limit (threads spinning without end?)".to_owned(),
        Crash::Abort => "the process aborted (a panic inside a panic, `process::abort`, or a failed runtime check)".to_owned(),
        Crash::Killed => "the process was killed (by the system, often for using too much memory)".to_owned(),
        Crash::Signal(signal) => format!("the process was killed by {signal}"),
        Crash::ExitCode(code) => format!(
            "the process exited with status {code} before every test had finished \
             (`std::process::exit` ends all tests at once)"
        ),
    }
}

/// The hints of `exercise`, up to `count` of them, numbered; `more` says how to get the
/// next one.
/// `doctor`: the course, the compiler, and what learner code runs under.
pub fn doctor(doctor: &super::Doctor) -> String {
    let contained = &doctor.containment;
    let mark = |on: bool| if on { "✓".green() } else { "✗".red() };
    let namespace = if contained.user_namespace {
        "PID namespace (in a user namespace)"
    } else {
        "PID namespace"
    };
    let lines = [
        (
            contained.pid_namespace,
            format!("{namespace}: nothing a test starts outlives its run"),
        ),
        (
            contained.read_only_checkout,
            "read-only checkout (Landlock): a test writes only in its scratch directory".to_owned(),
        ),
        (
            contained.bounded_scratch,
            format!(
                "scratch directory in memory, at most {}, gone after each run",
                crate::run::human_bytes(crate::run::SCRATCH_BYTES)
            ),
        ),
        (
            contained.die_with_grader,
            "test processes die with the grader".to_owned(),
        ),
        (
            contained.no_network,
            "no network (Landlock): a test can neither connect nor listen over TCP".to_owned(),
        ),
        (
            true,
            "own session (no terminal), cleared environment, memory/CPU/file limits, \
             time limit"
                .to_owned(),
        ),
    ];
    let mut out = format!(
        "course    {}\ncompiler  {}\nlearner code runs contained:\n",
        doctor.course.display(),
        doctor.rustc.as_deref().unwrap_or("rustc did not answer")
    );
    for (on, what) in lines {
        out.push_str(&format!("  {} {what}\n", mark(on)));
    }
    if contained.switched_off {
        out.push_str("\nSwitched off by THREADLINGS_CONTAINMENT=off.\n");
    } else if !(contained.pid_namespace && contained.read_only_checkout) {
        out.push_str(
            "\nWhat is marked ✗ falls back to a process group: a test can still leave \
             processes behind or write files, but never past its time limit.\n",
        );
    }
    out
}

pub fn hints(exercise: &Exercise, count: usize, more: &str) -> String {
    let total = exercise.hints.len();
    let mut out = String::new();
    for (index, hint) in exercise.hints.iter().take(count).enumerate() {
        let _ = writeln!(
            out,
            "{} {}",
            format!("hint {}/{total}:", index + 1).cyan().bold(),
            hint
        );
    }
    if count < total {
        let _ = writeln!(
            out,
            "{}",
            format!("({} more: {more})", total - count).dimmed()
        );
    }
    out
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

fn indent(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(prefix);
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn truncate_lines(text: &str, max: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= max {
        return text.to_owned();
    }
    let mut kept = lines[..max].join("\n");
    let _ = write!(kept, "\n[... {} more lines ...]", lines.len() - max);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::{Mode, Side, StubFailure};
    use crate::run::SourceLine;
    use crate::verdict::{Judgement, TestResult};

    fn exercise() -> Exercise {
        Exercise {
            name: "threads1".to_owned(),
            dir: "01_threads".to_owned(),
            topic: "threads".to_owned(),
            mode: Mode::Test,
            stub: StubFailure::TestFailed,
            hints: vec![
                "Look at the loop.".to_owned(),
                "Spawn first, join later.".to_owned(),
            ],
            timeout: Duration::from_secs(10),
            points: 1,
        }
    }

    fn graded(verdict: Verdict, tests: Vec<TestResult>) -> Graded {
        Graded {
            exercise: "threads1".to_owned(),
            side: Side::Exercise,
            judgement: Judgement { verdict, tests },
            stderr: None,
            notes: Vec::new(),
            content_hash: String::new(),
            duration: Duration::from_millis(1234),
        }
    }

    fn test(name: &str, outcome: TestOutcome, message: Option<&str>) -> TestResult {
        TestResult {
            name: name.to_owned(),
            outcome,
            message: message.map(str::to_owned),
            model: None,
            duration: None,
        }
    }

    fn render(graded: &Graded) -> String {
        colored::control::set_override(false);
        super::graded(graded, &exercise(), "exercises/01_threads/threads1.rs")
    }

    #[test]
    fn a_failed_test_shows_its_message() {
        let graded = graded(
            Verdict::TestFailed,
            vec![
                test(
                    "tests::every_worker_runs_exactly_once",
                    TestOutcome::Passed,
                    None,
                ),
                test(
                    "tests::workers_run_at_the_same_time",
                    TestOutcome::Failed,
                    Some(
                        "thread 'tests::workers_run_at_the_same_time' panicked at exercises/01_threads/threads1.rs:70:9:\nonly 1 of 4 threads were running at the same time",
                    ),
                ),
            ],
        );
        insta::assert_snapshot!(render(&graded));
    }

    #[test]
    fn model_checker_findings_name_what_which_thread_and_line() {
        use crate::model_check::{Access, BlockedThread};
        let at = |line| {
            Some(Site {
                file: "exercises/13_memory_ordering/ordering1.rs".to_owned(),
                line,
                column: 9,
            })
        };
        let mut race = test(
            "tests::a_reader_sees_the_value",
            TestOutcome::Failed,
            Some("Causality violation: Concurrent read and write accesses."),
        );
        race.model = Some(ModelFailure::DataRace {
            created: at(49),
            accesses: vec![
                Access {
                    kind: AccessKind::Read,
                    thread: Some(0),
                    at: at(75),
                },
                Access {
                    kind: AccessKind::Write,
                    thread: Some(1),
                    at: at(63),
                },
            ],
        });
        let mut lost = test(
            "tests::ids_are_unique",
            TestOutcome::Failed,
            Some("assertion `left != right` failed: two threads were given the same ID"),
        );
        lost.model = Some(ModelFailure::FailedAssertion {
            message: "assertion `left != right` failed: two threads were given the same ID"
                .to_owned(),
            at: at(72),
        });
        let mut deadlock = test(
            "tests::transfers_finish",
            TestOutcome::Failed,
            Some("deadlock; threads = [...]"),
        );
        deadlock.model = Some(ModelFailure::Deadlock {
            threads: vec![
                BlockedThread {
                    thread: 0,
                    at: at(45),
                },
                BlockedThread {
                    thread: 1,
                    at: at(45),
                },
            ],
        });
        let graded = graded(Verdict::TestFailed, vec![race, lost, deadlock]);
        insta::assert_snapshot!(render(&graded));
        assert_eq!(
            judgement_line(&graded.judgement),
            "failed: tests::a_reader_sees_the_value (data race: read at line 75 vs write at \
             line 63), tests::ids_are_unique (assertion failed in one execution at line 72), \
             tests::transfers_finish (deadlock: threads blocked at line 45, 45)"
        );
    }

    #[test]
    fn a_deadlock_names_the_waiting_threads() {
        let diagnosis = Diagnosis::Deadlock {
            early: false,
            threads: vec![
                ThreadState {
                    main: true,
                    waiting_in: Some("futex_do_wait".to_owned()),
                    ..ThreadState::new(41, "main")
                },
                ThreadState {
                    waiting_in: Some("futex_do_wait".to_owned()),
                    ..ThreadState::new(42, "tests::drains")
                },
            ],
            stacks: Stacks::Unavailable("the system does not allow ptrace (EPERM)".to_owned()),
        };
        let graded = graded(
            Verdict::TimedOut {
                test: Some("tests::drains".to_owned()),
                limit: Duration::from_secs(10),
                diagnosis,
            },
            vec![
                test("tests::drains", TestOutcome::Interrupted, None),
                test("tests::later", TestOutcome::NotRun, None),
            ],
        );
        insta::assert_snapshot!(render(&graded));
    }

    fn at(line: u32) -> Option<SourceLine> {
        Some(SourceLine {
            file: "mpsc3.rs".to_owned(),
            line,
            called_from: None,
        })
    }

    #[test]
    fn a_wait_in_a_helper_names_the_call_that_led_there() {
        let thread = ThreadState {
            waits: Some(Wait::Lock),
            at: Some(SourceLine {
                file: "locks3.rs".to_owned(),
                line: 45,
                called_from: Some(crate::run::Call {
                    callee: "lock_slot".to_owned(),
                    caller: "transaction".to_owned(),
                    line: 70,
                }),
            }),
            ..ThreadState::new(41, "t0")
        };
        let line = thread_line(&thread, std::slice::from_ref(&thread), true);
        assert!(
            line.starts_with(
                "thread 't0' waits to take a lock at locks3.rs:45 (in `lock_slot`, called \
                 from `transaction` at line 70)"
            ),
            "{line}"
        );
    }

    #[test]
    fn an_early_deadlock_says_where_each_thread_waits() {
        let mut threads = vec![
            ThreadState {
                main: true,
                ..ThreadState::new(40, "main")
            },
            ThreadState {
                waits: Some(Wait::Join),
                joins: Some(42),
                at: at(41),
                ..ThreadState::new(41, "tests::logs_every_line")
            },
            ThreadState {
                waits: Some(Wait::Receive),
                at: at(30),
                ..ThreadState::new(42, "logger")
            },
        ];
        for (tid, wait) in (43..).zip([
            Wait::Lock,
            Wait::Condvar,
            Wait::Barrier,
            Wait::Send,
            Wait::Park,
        ]) {
            threads.push(ThreadState {
                waits: Some(wait),
                at: at(tid),
                ..ThreadState::new(tid, format!("worker-{tid}"))
            });
        }
        let mut graded = graded(
            Verdict::TimedOut {
                test: Some("tests::logs_every_line".to_owned()),
                limit: Duration::from_secs(10),
                diagnosis: Diagnosis::Deadlock {
                    early: true,
                    threads,
                    stacks: Stacks::Read,
                },
            },
            vec![test(
                "tests::logs_every_line",
                TestOutcome::Interrupted,
                None,
            )],
        );
        graded.duration = Duration::from_millis(640);
        insta::assert_snapshot!(render(&graded));
    }

    #[test]
    fn a_busy_loop_names_the_running_thread() {
        let diagnosis = Diagnosis::BusyLoop {
            running: vec![ThreadState {
                at: at(8),
                ..ThreadState::new(7, "spinner")
            }],
            stacks: Stacks::Read,
        };
        let graded = graded(
            Verdict::TimedOut {
                test: None,
                limit: Duration::from_secs(2),
                diagnosis,
            },
            Vec::new(),
        );
        insta::assert_snapshot!(render(&graded));
    }

    #[test]
    fn tampering_says_what_changed_and_how_to_recover() {
        let graded = graded(
            Verdict::Tampered {
                findings: vec![crate::finding::Finding::Tests {
                    change: crate::tamper::Tampering::Removed {
                        item: "test `tests::zero_workers_is_fine`".to_owned(),
                    },
                }],
            },
            Vec::new(),
        );
        insta::assert_snapshot!(render(&graded));
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(
            escape_controls("plain\ttext\nline 2"),
            "plain\ttext\nline 2"
        );
        assert_eq!(
            escape_controls("\x1b]0;pwned\x07\x1b[2J\r✓ passed \u{9b}\u{202e}\x7f\0"),
            "\\x1b]0;pwned\\x07\\x1b[2J\\r✓ passed \\u{9b}\\u{202e}\\x7f\\x00"
        );
    }

    #[test]
    fn learner_output_cannot_drive_the_terminal() {
        let message = "thread 'tests::first' panicked at src/x.rs:1:1:\n\x1b]0;you won\x07\x1b[2J\x1b[H\r\x1b[32m✓ threads1 passed\x1b[0m";
        let mut graded = graded(
            Verdict::Crashed {
                test: Some("tests::first".to_owned()),
                cause: Crash::Abort,
            },
            vec![test("tests::first", TestOutcome::Failed, Some(message))],
        );
        graded.stderr = Some("\x1b]52;c;Y2xpcGJvYXJk\x07stolen clipboard".to_owned());
        let shown = render(&graded);
        assert!(!shown.contains('\x1b') && !shown.contains('\r') && !shown.contains('\x07'));
        assert_eq!(escape_controls(&shown), shown);
        assert!(!judgement_line(&graded.judgement).contains('\x1b'));
        insta::assert_snapshot!(shown);
    }

    #[test]
    fn the_backtrace_advice_names_the_option_that_works() {
        colored::control::set_override(false);
        let message = "assertion failed\nnote: run with `RUST_BACKTRACE=1` environment \
                       variable to display a backtrace";
        let mut crashed = graded(
            Verdict::Crashed {
                test: Some("tests::first".to_owned()),
                cause: Crash::Abort,
            },
            vec![test("tests::first", TestOutcome::Failed, Some(message))],
        );
        crashed.stderr = Some(message.to_owned());
        let shown = graded_with(
            &crashed,
            &exercise(),
            "exercises/01_threads/threads1.rs",
            Words {
                command: "cargo threadlings",
                keys: false,
            },
        );
        assert!(!shown.contains("RUST_BACKTRACE"), "{shown}");
        assert_eq!(
            shown
                .matches(
                    "note: `cargo threadlings run threads1 --backtrace` shows a full backtrace"
                )
                .count(),
            2,
            "{shown}"
        );
    }

    #[test]
    fn hints_are_numbered_and_say_how_many_remain() {
        colored::control::set_override(false);
        insta::assert_snapshot!(hints(&exercise(), 1, "`threadlings hint threads1`"));
    }
}
