//! A submission: the files being graded, apart from the course they are graded against.
//!
//! A [`Course`] is the trusted side: `info.toml`, the reference tests (read from its
//! `solutions/`, committed), the stubs and the compile-fail harness. A [`Submission`] is
//! the graded side: a tree laid out as the course lays out its exercises
//! (`exercises/<dir>/<name>.rs`), with its own cargo target directory and its own state
//! and scratch directory. A learner's checkout is both ([`Submission::checkout`]); a
//! classroom grades many submissions against one course and never trusts a submission's
//! `solutions/` or `info.toml`: the engine reads only the graded files from here.
//!
//! Must not: read or write anything itself; it only says where things are.

use std::path::{Path, PathBuf};

use crate::course::{Course, Exercise, Side, UI_HARNESS_DIR};

/// Where the files being graded live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    root: PathBuf,
}

impl Submission {
    /// A learner's checkout: the course's own tree is the submission.
    pub fn checkout(course: &Course) -> Submission {
        Submission::at(course.root.clone())
    }

    /// The submission whose tree is at `root`.
    pub fn at(root: PathBuf) -> Submission {
        Submission { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The graded file of `exercise` on `side` (the learner's file is on
    /// [`Side::Exercise`]; `--solution` grades the reference solution as a submission).
    pub fn file(&self, exercise: &Exercise, side: Side) -> PathBuf {
        self.root.join(side.dir()).join(exercise.relative_path())
    }

    /// The manifest its `side` builds from: the tree's own (a classroom's scratch checkout
    /// cuts the course's down to the assigned exercises).
    pub fn manifest(&self, side: Side) -> PathBuf {
        self.root.join(side.dir()).join("Cargo.toml")
    }

    /// The compile-fail harness its lessons are graded with: the tree's own copy, built
    /// in its own target directory, so that the stage it reads sits at the same relative
    /// path in every tree (see `compile_fail`).
    pub fn ui_harness_dir(&self) -> PathBuf {
        self.root.join(UI_HARNESS_DIR)
    }

    /// Where the compile-fail lessons of this tree are staged for the harness.
    pub fn ui_stage_dir(&self) -> PathBuf {
        self.state_dir().join("ui")
    }

    /// Where its exercises build: the tree's own `target/`. Cargo names a workspace's
    /// artifacts by paths relative to the workspace and trusts them by timestamp, so a
    /// target directory shared with another tree (a global `CARGO_TARGET_DIR`) could hand
    /// the grader a binary built from someone else's file.
    pub fn target_dir(&self) -> PathBuf {
        self.root.join("target")
    }

    /// Where its model-checked exercises build (`--cfg loom` recompiles every
    /// dependency): apart from `target/`, so that the two builds never invalidate each
    /// other.
    pub fn model_target_dir(&self) -> PathBuf {
        self.target_dir().join("loom")
    }

    /// Where the grader keeps its state, backups and scratch files for this tree.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".threadlings")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submission_lays_out_its_files_as_the_course_does() {
        let submission = Submission::at(PathBuf::from("/class/ada"));
        assert_eq!(submission.target_dir(), Path::new("/class/ada/target"));
        assert_eq!(
            submission.model_target_dir(),
            Path::new("/class/ada/target/loom")
        );
        assert_eq!(submission.state_dir(), Path::new("/class/ada/.threadlings"));
        assert_eq!(
            submission.manifest(Side::Exercise),
            Path::new("/class/ada/exercises/Cargo.toml")
        );
        assert_eq!(
            submission.ui_stage_dir(),
            Path::new("/class/ada/.threadlings/ui")
        );
    }
}
