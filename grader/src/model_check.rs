//! What the model checker (loom) found, read from its reports into data. Pure.
//!
//! A model-checked exercise fails when loom, exploring the executions the memory model
//! allows, finds one that goes wrong. Its report is a panic message meant for loom's own
//! developers; this module turns it into a [`ModelFailure`] that names what went wrong,
//! in which thread and at which line of the learner's file, so the report can say it in
//! the learner's terms (the raw text stays in the test's message):
//!
//! - a *causality violation* on an `UnsafeCell`: two accesses from different threads, at
//!   least one a write, that no happens-before edge orders — data published with a
//!   too-weak ordering or without synchronisation;
//! - a failed assertion in one explored execution (a lost update, two holders of a lock);
//! - a deadlock, with the line where each blocked thread waits (loom aborts the process
//!   while unwinding from it, so the testkit also writes it to stderr, see
//!   [`DEADLOCK_MARKER`]; `verdict::explain_model_failures` puts it in the judgement);
//! - an execution longer than loom's branch bound (a spin loop that makes no progress).
//!
//! Must not: read files, start processes or print.

use serde::Serialize;

use crate::finding::Finding;

/// How `threadlings_testkit::model` starts the stderr line of a deadlock report (the
/// testkit's `DEADLOCK_MARKER`; the grader does not depend on the testkit).
pub const DEADLOCK_MARKER: &str = "threadlings model check:";

/// A place in a source file, as loom and panics print it (`file:line:column`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Site {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Site {
    /// `file:line:column`.
    fn parse(text: &str) -> Option<Site> {
        let mut parts = text.trim().rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        let file = parts.next()?.to_owned();
        (!file.is_empty()).then_some(Site { file, line, column })
    }

    /// A site in a dependency or the standard library, not in the course.
    fn is_foreign(&self) -> bool {
        self.file.starts_with('/')
            && (self.file.contains("/.cargo/registry/") || self.file.starts_with("/rustc/"))
            || self.file.contains("/rustlib/")
    }
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Whether an access read or wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    Read,
    Write,
}

/// One side of a causality violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Access {
    pub kind: AccessKind,
    /// Loom's thread number: 0 is the thread that runs the model (the test's own), the
    /// others in the order they were spawned.
    pub thread: Option<u32>,
    pub at: Option<Site>,
}

/// A thread that waits forever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlockedThread {
    pub thread: u32,
    pub at: Option<Site>,
}

/// What the model checker found wrong in one test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelFailure {
    /// Two accesses to shared data (an `UnsafeCell`, or an atomic accessed without
    /// atomics), from different threads, that no happens-before edge orders.
    DataRace {
        /// Where the data was created.
        created: Option<Site>,
        accesses: Vec<Access>,
    },
    /// An assertion failed (or the code panicked) in one of the explored executions.
    FailedAssertion { message: String, at: Option<Site> },
    /// Every live thread waits for another.
    Deadlock { threads: Vec<BlockedThread> },
    /// One execution went on past loom's branch bound: a loop that does not make
    /// progress (a spin loop whose failed attempts write, a retry that always fails).
    TooManyBranches,
    /// Memory or an `Arc` of the model checker's was never freed.
    Leak { what: String },
}

impl ModelFailure {
    /// One line, for summaries.
    pub fn summary(&self) -> String {
        let place = |site: &Option<Site>| {
            site.as_ref()
                .map_or_else(String::new, |site| format!(" at line {}", site.line))
        };
        match self {
            ModelFailure::DataRace { accesses, .. } => {
                let sides: Vec<String> = accesses
                    .iter()
                    .map(|access| {
                        format!(
                            "{}{}",
                            match access.kind {
                                AccessKind::Read => "read",
                                AccessKind::Write => "write",
                            },
                            place(&access.at)
                        )
                    })
                    .collect();
                format!("data race: {}", sides.join(" vs "))
            }
            ModelFailure::FailedAssertion { at, .. } => {
                format!("assertion failed in one execution{}", place(at))
            }
            ModelFailure::Deadlock { threads } => {
                let lines: Vec<String> = threads
                    .iter()
                    .filter_map(|thread| thread.at.as_ref().map(|site| site.line.to_string()))
                    .collect();
                if lines.is_empty() {
                    "deadlock".to_owned()
                } else {
                    format!("deadlock: threads blocked at line {}", lines.join(", "))
                }
            }
            ModelFailure::TooManyBranches => "an execution never ended (branch bound)".to_owned(),
            ModelFailure::Leak { what } => format!("leak: {what}"),
        }
    }
}

/// Reads a failed test's message (its panic, as libtest printed it).
pub fn parse(message: &str) -> Option<ModelFailure> {
    if let Some(at) = message.find("Causality violation:") {
        return Some(parse_race(&message[at..]));
    }
    if let Some(at) = message.find("deadlock; threads = ") {
        return Some(parse_deadlock(&message[at..]));
    }
    if message.contains("Model exceeded maximum number of branches") {
        return Some(ModelFailure::TooManyBranches);
    }
    for what in ["Arc leaked", "Allocation leaked"] {
        if message.contains(what) {
            return Some(ModelFailure::Leak {
                what: what.to_owned(),
            });
        }
    }
    // Any other panic: an assertion of the tests (or the learner's) failed in one of the
    // explored executions.
    let (header, rest) = panic_header(message)?;
    let at = Site::parse(header).filter(|site| !site.is_foreign());
    Some(ModelFailure::FailedAssertion {
        message: rest.trim().to_owned(),
        at,
    })
}

/// `thread 'NAME' (ID) panicked at FILE:LINE:COL:` → the site text and what follows.
fn panic_header(message: &str) -> Option<(&str, &str)> {
    let start = message.find("panicked at ")? + "panicked at ".len();
    let rest = &message[start..];
    let end = rest
        .find(":\n")
        .unwrap_or(rest.trim_end().len().saturating_sub(1));
    let site = rest.get(..end)?;
    Some((site, rest.get(end + 1..).unwrap_or_default()))
}

/// The lines after "Causality violation: ...": `created: SITE`, then
/// `KEY: thread #N @ SITE` for each access.
fn parse_race(report: &str) -> ModelFailure {
    let mut created = None;
    let mut accesses = Vec::new();
    for line in report.lines().skip(1) {
        let Some((key, value)) = line.trim().split_once(": ") else {
            continue;
        };
        let key = key.trim();
        if key == "created" {
            created = Site::parse(value);
            continue;
        }
        let kind = if key.starts_with("read") || key.contains("load") {
            AccessKind::Read
        } else {
            AccessKind::Write
        };
        let (thread, site) = match value.split_once(" @ ") {
            Some((thread, site)) => (
                thread
                    .trim()
                    .strip_prefix("thread #")
                    .and_then(|number| number.parse().ok()),
                Site::parse(site),
            ),
            None => (None, Site::parse(value)),
        };
        if thread.is_none() && site.is_none() {
            continue; // Not an access: a note after the report.
        }
        accesses.push(Access {
            kind,
            thread,
            at: site,
        });
    }
    ModelFailure::DataRace { created, accesses }
}

/// `deadlock; threads = [(Id(0), Blocked(Location(Some(Location { file: "F", line: L,
/// column: C })))), (Id(1), Terminated), ...]`: the blocked ones, with their sites.
fn parse_deadlock(report: &str) -> ModelFailure {
    let mut threads = Vec::new();
    for entry in report.split("(Id(").skip(1) {
        let Some((number, state)) = entry.split_once(')') else {
            continue;
        };
        let Ok(thread) = number.trim().parse() else {
            continue;
        };
        let state = state.trim_start_matches([',', ' ']);
        if !state.starts_with("Blocked") {
            continue;
        }
        let field = |name: &str| -> Option<&str> {
            let start = state.find(name)? + name.len();
            let value = &state[start..];
            let end = value.find([',', ' ', '}'])?;
            Some(value[..end].trim_matches('"'))
        };
        let at = (|| {
            let file_start = state.find("file: \"")? + "file: \"".len();
            let file_end = file_start + state[file_start..].find('"')?;
            Some(Site {
                file: state[file_start..file_end].to_owned(),
                line: field("line: ")?.parse().ok()?,
                column: field("column: ")?.parse().ok()?,
            })
        })();
        threads.push(BlockedThread { thread, at });
    }
    ModelFailure::Deadlock { threads }
}

/// The testkit's report of a deadlock in a test process's stderr (see
/// [`DEADLOCK_MARKER`]), without the marker.
pub fn deadlock_report(stderr: &str) -> Option<&str> {
    stderr.lines().find_map(|line| {
        line.find(DEADLOCK_MARKER)
            .map(|at| line[at + DEADLOCK_MARKER.len()..].trim())
    })
}

/// Synchronisation the model checker cannot see: std's (or core's) atomics, fences and
/// `UnsafeCell` in the learner's code (tests aside). Loom runs every thread of a model on
/// one OS thread, so a std atomic is never raced and never reordered there: a `Relaxed`
/// one would pass where the lesson's orderings are wrong. Each finding names the line
/// and the facade item to use instead. (`Ordering` is the same type in both: allowed.)
pub fn unseen_by_the_model(source: &str) -> Vec<Finding> {
    let Ok(file) = syn::parse_file(source) else {
        return Vec::new(); // The compiler has said what is wrong with it.
    };
    let mut finder = StdSyncFinder::default();
    for item in &file.items {
        syn::visit::Visit::visit_item(&mut finder, item);
    }
    finder.findings
}

#[derive(Default)]
struct StdSyncFinder {
    findings: Vec<Finding>,
}

impl StdSyncFinder {
    /// `segments` is a full path (`std`, `sync`, `atomic`, `AtomicBool`).
    fn check(&mut self, segments: &[String], line: usize) {
        let [root, rest @ ..] = segments else {
            return;
        };
        if root != "std" && root != "core" {
            return;
        }
        let named: Vec<&str> = rest.iter().map(String::as_str).collect();
        let facade = match named.as_slice() {
            ["sync", "atomic", item, ..]
                if item.starts_with("Atomic") || *item == "fence" || *item == "*" =>
            {
                format!("threadlings_testkit::sync::atomic::{item}")
            }
            ["cell", "UnsafeCell", ..] => "threadlings_testkit::sync::cell::UnsafeCell".to_owned(),
            ["hint", "spin_loop", ..] => "threadlings_testkit::sync::hint::spin_loop".to_owned(),
            _ => return,
        };
        let finding = Finding::UnseenByModel {
            path: segments.join("::"),
            line,
            facade,
        };
        if !self.findings.contains(&finding) {
            self.findings.push(finding);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                prefix.push(name.ident.to_string());
                self.check(prefix, name.ident.span().start().line);
                prefix.pop();
            }
            syn::UseTree::Rename(rename) => {
                prefix.push(rename.ident.to_string());
                self.check(prefix, rename.ident.span().start().line);
                prefix.pop();
            }
            syn::UseTree::Glob(glob) => {
                prefix.push("*".to_owned());
                self.check(prefix, glob.star_token.span.start().line);
                prefix.pop();
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for StdSyncFinder {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let test_only = |attrs: &[syn::Attribute]| {
            attrs.iter().any(|attr| {
                attr.path().is_ident("cfg")
                    && attr
                        .parse_args::<syn::Ident>()
                        .is_ok_and(|ident| ident == "test")
            })
        };
        match item {
            syn::Item::Mod(module) if test_only(&module.attrs) => {}
            syn::Item::Use(used) => {
                self.use_tree(&mut Vec::new(), &used.tree);
            }
            _ => syn::visit::visit_item(self, item),
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        if let Some(first) = path.segments.first() {
            self.check(&segments, first.ident.span().start().line);
        }
        syn::visit::visit_path(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_atomics_and_cells_are_named_with_the_facade_to_use() {
        let source = r#"use std::sync::atomic::{AtomicBool, Ordering};
use threadlings_testkit::sync::atomic::AtomicUsize;
use core::cell::UnsafeCell as Cell;
struct Flag {
    ready: AtomicBool,
    count: std::sync::atomic::AtomicU32,
}
fn main() {
    std::thread::spawn(|| std::hint::spin_loop());
    let _ = Ordering::Relaxed;
}
#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
}
"#;
        let said: Vec<String> = unseen_by_the_model(source)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            said,
            [
                "line 1: `std::sync::atomic::AtomicBool` is invisible to the model checker, so it would check nothing; use `threadlings_testkit::sync::atomic::AtomicBool`",
                "line 3: `core::cell::UnsafeCell` is invisible to the model checker, so it would check nothing; use `threadlings_testkit::sync::cell::UnsafeCell`",
                "line 6: `std::sync::atomic::AtomicU32` is invisible to the model checker, so it would check nothing; use `threadlings_testkit::sync::atomic::AtomicU32`",
                "line 9: `std::hint::spin_loop` is invisible to the model checker, so it would check nothing; use `threadlings_testkit::sync::hint::spin_loop`",
            ]
        );
        assert!(unseen_by_the_model("use threadlings_testkit::sync::cell::UnsafeCell;").is_empty());
    }

    fn site(file: &str, line: u32, column: u32) -> Option<Site> {
        Some(Site {
            file: file.to_owned(),
            line,
            column,
        })
    }

    const FILE: &str = "exercises/13_memory_ordering/ordering1.rs";

    /// Each row: a failed test's message as libtest shows it, and what it means.
    #[test]
    fn reports_table() {
        let rows: Vec<(&str, String, Option<ModelFailure>)> = vec![
            (
                "a read not ordered after a write",
                format!(
                    "thread 'tests::a' (3) panicked at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/loom-0.7.3/src/rt/location.rs:115:9:\n\n\
                     Causality violation: Concurrent read and write accesses.\n    created: {FILE}:49:16\n       read: thread #0 @ {FILE}:75:34\n      write: thread #1 @ {FILE}:63:25\n\n\
                     note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
                ),
                Some(ModelFailure::DataRace {
                    created: site(FILE, 49, 16),
                    accesses: vec![
                        Access { kind: AccessKind::Read, thread: Some(0), at: site(FILE, 75, 34) },
                        Access { kind: AccessKind::Write, thread: Some(1), at: site(FILE, 63, 25) },
                    ],
                }),
            ),
            (
                "two writes",
                format!(
                    "Causality violation: Concurrent write accesses to `UnsafeCell`.\n      created: {FILE}:42:20\n    write one: thread #0 @ {FILE}:57:33\n    write two: thread #1 @ {FILE}:57:33\n"
                ),
                Some(ModelFailure::DataRace {
                    created: site(FILE, 42, 20),
                    accesses: vec![
                        Access { kind: AccessKind::Write, thread: Some(0), at: site(FILE, 57, 33) },
                        Access { kind: AccessKind::Write, thread: Some(1), at: site(FILE, 57, 33) },
                    ],
                }),
            ),
            (
                "without LOOM_LOCATION: no sites",
                "Causality violation: Concurrent read and write accesses.".to_owned(),
                Some(ModelFailure::DataRace { created: None, accesses: Vec::new() }),
            ),
            (
                "a lost update",
                format!(
                    "thread 'tests::b' (4) panicked at {FILE}:72:13:\nassertion `left != right` failed: two threads were given the same ID\n  left: Some(0)\n right: Some(0)"
                ),
                Some(ModelFailure::FailedAssertion {
                    message: "assertion `left != right` failed: two threads were given the same ID\n  left: Some(0)\n right: Some(0)".to_owned(),
                    at: site(FILE, 72, 13),
                }),
            ),
            (
                "a deadlock",
                format!(
                    "deadlock; threads = [(Id(0), Blocked(Location(Some(Location {{ file: \"{FILE}\", line: 45, column: 37 }})))), (Id(1), Terminated), (Id(2), Blocked(Location(None)))]"
                ),
                Some(ModelFailure::Deadlock {
                    threads: vec![
                        BlockedThread { thread: 0, at: site(FILE, 45, 37) },
                        BlockedThread { thread: 2, at: None },
                    ],
                }),
            ),
            (
                "a spin loop that never ends",
                "thread 'x' panicked at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/loom-0.7.3/src/rt/path.rs:247:13:\nModel exceeded maximum number of branches. This is often caused by an algorithm requiring the processor to make progress, e.g. spin locks.".to_owned(),
                Some(ModelFailure::TooManyBranches),
            ),
            (
                "a leak",
                "thread 'x' panicked at /root/.cargo/registry/src/loom-0.7.3/src/rt/arc.rs:179:17:\nArc leaked.\n  Index: 0".to_owned(),
                Some(ModelFailure::Leak { what: "Arc leaked".to_owned() }),
            ),
            (
                "a panic inside a dependency has no learner site",
                "thread 'x' panicked at /rustc/abc/library/core/src/option.rs:1:1:\nunwrap on None".to_owned(),
                Some(ModelFailure::FailedAssertion { message: "unwrap on None".to_owned(), at: None }),
            ),
            ("not a panic at all", "some output".to_owned(), None),
        ];
        for (what, message, expected) in rows {
            assert_eq!(parse(&message), expected, "{what}");
        }
    }

    #[test]
    fn summaries_name_the_lines() {
        let race = parse(&format!(
            "Causality violation: x\n created: {FILE}:1:1\n read: thread #0 @ {FILE}:75:34\n write: thread #1 @ {FILE}:63:25\n"
        ))
        .unwrap();
        assert_eq!(
            race.summary(),
            "data race: read at line 75 vs write at line 63"
        );
        let deadlock = ModelFailure::Deadlock {
            threads: vec![BlockedThread {
                thread: 0,
                at: site(FILE, 45, 37),
            }],
        };
        assert_eq!(deadlock.summary(), "deadlock: threads blocked at line 45");
    }

    #[test]
    fn the_deadlock_report_is_found_after_libtest_s_warning() {
        let stderr = format!(
            "warning: `--logfile` is deprecated{DEADLOCK_MARKER} deadlock; threads = []\nthread 'x' panicked\n"
        );
        assert_eq!(deadlock_report(&stderr), Some("deadlock; threads = []"));
        assert_eq!(deadlock_report("fatal runtime error\n"), None);
    }
}
