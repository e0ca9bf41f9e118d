//! Reading the course's original files from git, for `reset`.

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
