//! Reading the course's committed files from git: the originals `reset` restores, and
//! the reference tests learner-facing grading trusts (which the working tree cannot change).
//!
//! Must not: write to the repository, or start git but through `run`.

use std::path::Path;
use std::time::Duration;

use crate::error::Error;
use crate::run::{self, Exit, Spec};

/// `git show REV:PATH` in `root`: the file as it was at that revision.
pub fn show(root: &Path, rev: &str, path: &str) -> Result<String, Error> {
    let mut spec = Spec::new("git", Duration::from_secs(30))
        .arg("show")
        // `./` makes the path relative to the course root, wherever the repository's is.
        .arg(format!("{rev}:./{path}"));
    spec.cwd = Some(root.to_path_buf());
    spec.output_cap = 16 * 1024 * 1024;
    let output = run::run(&spec).map_err(|err| {
        Error::Tool(format!(
            "{err}; `reset` restores files from git, which does not seem to be installed"
        ))
    })?;
    match output.exit {
        Exit::Code(0) if output.stdout.dropped == 0 => Ok(output.stdout.text()),
        Exit::Code(0) => Err(Error::Tool(format!(
            "{path} at {rev} is too large to restore"
        ))),
        _ => Err(Error::Usage(format!(
            "git cannot give {path} at `{rev}`: {}; reset needs the course as a git \
             checkout (pass --from REV to pick another revision)",
            output.stderr.text().trim()
        ))),
    }
}

/// A file of the committed course.
#[derive(Debug, PartialEq, Eq)]
pub enum Committed {
    /// Its contents at `HEAD`.
    File(String),
    /// The course is a git checkout, but this file is not committed at `HEAD`.
    Untracked,
    /// No committed course to read: not a git checkout, no commit yet, or no git.
    NoRepository(String),
}

/// `PATH` (relative to the course root) as committed at `HEAD`.
pub fn committed(root: &Path, path: &str) -> Committed {
    let mut spec = Spec::new("git", Duration::from_secs(30))
        .arg("--no-pager")
        .arg("show")
        .arg("--no-textconv")
        .arg(format!("HEAD:./{path}"));
    spec.cwd = Some(root.to_path_buf());
    spec.output_cap = 16 * 1024 * 1024;
    let output = match run::run(&spec) {
        Ok(output) => output,
        Err(err) => return Committed::NoRepository(format!("git does not run: {err}")),
    };
    let stderr = output.stderr.text();
    match output.exit {
        Exit::Code(0) if output.stdout.dropped == 0 => Committed::File(output.stdout.text()),
        _ if stderr.contains("not a git repository") => {
            Committed::NoRepository("it is not a git checkout".to_owned())
        }
        _ if stderr.contains("invalid object name 'HEAD'")
            || stderr.contains("bad revision 'HEAD'") =>
        {
            Committed::NoRepository("its git repository has no commit yet".to_owned())
        }
        _ => Committed::Untracked,
    }
}
