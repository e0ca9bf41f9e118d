//! Grader faults and their exit codes.
//!
//! A learner's failing exercise is *not* an error: it is a [`crate::verdict::Verdict`].
//! These are the cases where the grader could not do its job: bad input from the person
//! running it, a broken course description, or a machine that would not run cargo.
//!
//! Must not: print (the report sinks word errors) or decide exit codes anywhere else.

use std::fmt;
use std::io;
use std::path::Path;
use std::process::ExitCode;

/// Every graded exercise passed (or the command had nothing to grade and succeeded).
pub const EXIT_PASS: u8 = 0;
/// At least one exercise did not pass, or `dev check` found a problem in the course.
pub const EXIT_NOT_PASSED: u8 = 1;
/// Bad command line or a broken course description (`info.toml`, a missing file).
pub const EXIT_USAGE: u8 = 2;
/// The grader could not grade: cargo or git would not run, a file could not be written.
pub const EXIT_FAULT: u8 = 3;

/// A problem in the course description, located where possible.
#[derive(Debug)]
pub struct ConfigError {
    /// `file:line:column`, when the problem has a place.
    pub location: Option<String>,
    pub message: String,
}

impl ConfigError {
    pub fn plain(message: String) -> Self {
        ConfigError {
            location: None,
            message,
        }
    }

    /// A problem at byte `offset` of `text`, the contents of `file`.
    pub fn at(file: &Path, text: &str, offset: usize, message: String) -> Self {
        let (line, column) = line_col(text, offset);
        ConfigError {
            location: Some(format!("{}:{line}:{column}", file.display())),
            message,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why the grader could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(ConfigError),
    #[error("could not {action}: {source}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },
    #[error("{0}")]
    Tool(String),
    /// Another part of the grader asked for the work to stop (watch mode, on a new save).
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    pub fn io(action: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Error::Usage(_) | Error::Config(_) => EXIT_USAGE,
            Error::Io { .. } | Error::Tool(_) | Error::Cancelled => EXIT_FAULT,
        })
    }
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
