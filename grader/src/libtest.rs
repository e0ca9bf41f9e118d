//! libtest's protocol, in one place: the arguments and environment a test binary is run
//! with, and the reading of what it writes back (its `--logfile` record, the lines it
//! prints as tests start and end, the failure sections). Pure: text in, data out.
//!
//! Only stable signals are read (see NOTES.md): `--format json` needs a nightly flag. The
//! record that decides a verdict is the logfile, which test code cannot reach (see
//! `run::results`); stdout, which test code can write to, only names the test that was
//! running and carries the failure messages.
//!
//! Must not: read files, start processes or print.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

/// What libtest recorded for one test in its logfile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    Passed,
    Failed,
    Ignored,
}

/// The arguments of a graded test run; `logfile` is where libtest records each result.
pub fn args(logfile: &Path) -> Vec<OsString> {
    vec![
        // One test at a time: libtest then prints each test's name before running it,
        // which names the test that hung or crashed the process.
        "--test-threads=1".into(),
        // Results as libtest records them, out of reach of a test that prints a fake
        // summary to stdout.
        "--logfile".into(),
        logfile.into(),
    ]
}

/// The environment of a graded test run: whether a panic prints its full backtrace.
pub fn env(backtrace: bool) -> [(&'static str, &'static str); 1] {
    [("RUST_BACKTRACE", if backtrace { "1" } else { "0" })]
}

/// The test process's stderr without libtest's own warnings (printed without a newline,
/// so they are cut out rather than filtered by line).
pub fn without_noise(stderr: &str) -> String {
    stderr.replace("warning: `--logfile` is deprecated", "")
}

/// `ok NAME` / `failed NAME` / `ignored NAME` lines, as libtest writes them.
pub fn parse_logfile(logfile: &str) -> BTreeMap<&str, Recorded> {
    logfile
        .lines()
        .filter_map(|line| {
            let (status, name) = line.split_once(' ')?;
            let outcome = match status {
                "ok" => Recorded::Passed,
                "failed" => Recorded::Failed,
                "ignored" => Recorded::Ignored,
                _ => return None,
            };
            Some((name.trim(), outcome))
        })
        .collect()
}

/// Tests in the order libtest announced them (`test NAME ... `), one thread at a time.
pub fn started_tests(stdout: &str) -> Vec<String> {
    let mut started: Vec<String> = Vec::new();
    for line in stdout.lines() {
        if let Some(name) = announced_test(line)
            && !started.iter().any(|seen| seen == name)
        {
            started.push(name.to_owned());
        }
    }
    started
}

/// The test a line of libtest's output announces (`test NAME ... `, printed before the
/// test runs when tests run one at a time), if it is such a line.
pub fn announced_test(line: &str) -> Option<&str> {
    let (name, _) = line.strip_prefix("test ")?.split_once(" ... ")?;
    (!name.is_empty() && !name.contains(' ')).then_some(name)
}

/// What a line of libtest's stdout says about a test, as the line comes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TestLine {
    /// `test NAME ... `: the test started (the rest of the line comes when it ends).
    Started(String),
    /// `... ok` / `... FAILED` / `... ignored`: the test that started last ended. Stdout
    /// is the test's to write, so this is for showing progress, never for a verdict.
    Finished { name: String, passed: bool },
}

/// Follows a test process's stdout as it comes and reports each test as libtest starts
/// it, without waiting for the end of its line (which comes only when the test ends),
/// and as it ends.
#[derive(Debug, Default)]
pub struct TestLines {
    /// The current line so far.
    line: Vec<u8>,
    /// The test the current line announced, once it was reported.
    announced: Option<String>,
}

impl TestLines {
    /// Takes the next bytes; returns what they say about tests, in order.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<TestLine> {
        let mut seen = Vec::new();
        for piece in bytes.split_inclusive(|byte| *byte == b'\n') {
            self.line.extend_from_slice(piece);
            if self.announced.is_none()
                && let Some(name) = announced_test(&String::from_utf8_lossy(&self.line))
            {
                seen.push(TestLine::Started(name.to_owned()));
                self.announced = Some(name.to_owned());
            }
            if self.line.ends_with(b"\n") {
                if let Some(name) = self.announced.take() {
                    let line = String::from_utf8_lossy(&self.line);
                    seen.push(TestLine::Finished {
                        name,
                        passed: line.trim_end().ends_with(" ok"),
                    });
                }
                self.line.clear();
            } else if self.line.len() > 4096 {
                // Not a line libtest writes: no need to keep all of it.
                self.line.truncate(4096);
            }
        }
        seen
    }
}

/// The `---- NAME stdout ----` sections libtest prints for failed tests.
pub fn failure_messages(stdout: &str) -> BTreeMap<String, String> {
    let mut messages = BTreeMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in stdout.lines() {
        let header = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"));
        if (header.is_some() || line == "failures:")
            && let Some((name, lines)) = current.take()
        {
            messages.insert(name, lines.join("\n").trim().to_owned());
        }
        if let Some(name) = header {
            current = Some((name.to_owned(), Vec::new()));
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    if let Some((name, lines)) = current {
        messages.insert(name, lines.join("\n").trim().to_owned());
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_are_announced_as_they_start_even_in_pieces_and_as_they_end() {
        let mut follow = TestLines::default();
        let started = |name: &str| TestLine::Started(name.to_owned());
        let finished = |name: &str, passed| TestLine::Finished {
            name: name.to_owned(),
            passed,
        };
        assert_eq!(follow.feed(b"\nrunning 2 tests\ntest tests::a"), []);
        assert_eq!(follow.feed(b" ... "), [started("tests::a")]);
        assert_eq!(
            follow.feed(b"ok\ntest tests::b ... "),
            [finished("tests::a", true), started("tests::b")]
        );
        assert_eq!(
            follow.feed(b"FAILED\n\nfailures:\n"),
            [finished("tests::b", false)]
        );
        assert_eq!(announced_test("test result: ok. 2 passed"), None);
    }

    #[test]
    fn the_logfile_records_each_test_once() {
        let recorded = parse_logfile("ok tests::a\nfailed tests::b\nignored tests::c\nnoise\n");
        assert_eq!(
            recorded.into_iter().collect::<Vec<_>>(),
            [
                ("tests::a", Recorded::Passed),
                ("tests::b", Recorded::Failed),
                ("tests::c", Recorded::Ignored)
            ]
        );
    }
}
