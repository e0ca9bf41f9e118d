//! Every cargo invocation the grader makes, and the reading of cargo's JSON messages.
//!
//! One `cargo test --no-run` builds the test binaries of any number of exercises of one
//! side (stubs or solutions); the executables come from the `compiler-artifact` messages
//! and the compiler errors, rendered as rustc renders them, from `compiler-message`.

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::Deserialize;

use crate::course::{Course, EXERCISES_FEATURE, Exercise, Side, VARIANTS_FEATURE};
use crate::error::Error;
use crate::run::{self, Exit, Spec};

/// A first build compiles rayon, crossbeam, dashmap and parking_lot: minutes on a slow
/// machine. Anything longer is a stuck toolchain.
const BUILD_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// Cargo's JSON messages for a few dozen targets fit comfortably.
const BUILD_OUTPUT_CAP: usize = 64 * 1024 * 1024;
/// The test target of the compile-fail harness.
const UI_HARNESS_TARGET: &str = "ui";

/// The outcome of one build, per exercise.
#[derive(Debug, Default)]
pub struct BuildOutput {
    /// Test executable of each exercise that compiled.
    pub executables: BTreeMap<String, PathBuf>,
    /// Rendered compiler errors of each exercise that did not.
    pub errors: BTreeMap<String, String>,
}

impl BuildOutput {
    /// What became of `name`: its executable, or its compiler errors.
    pub fn result(&self, name: &str) -> Result<&Path, &str> {
        match self.executables.get(name) {
            Some(executable) => Ok(executable),
            None => Err(self.errors.get(name).map_or("", String::as_str)),
        }
    }
}

/// How to call cargo.
#[derive(Clone, Debug)]
pub struct Cargo {
    program: PathBuf,
    /// Render compiler errors with ANSI colours.
    pub color: bool,
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Cargo {
    /// The cargo that started us (the `CARGO` variable cargo sets for `cargo run` and
    /// aliases: it skips the rustup proxy), else the one on `PATH`.
    pub fn detect(color: bool) -> Cargo {
        let program = env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
        Cargo {
            program,
            color,
            cancel: None,
        }
    }

    /// Builds the test binaries of `exercises` on `side` in one cargo call.
    pub fn build_tests(
        &self,
        course: &Course,
        side: Side,
        exercises: &[&Exercise],
    ) -> Result<BuildOutput, Error> {
        let format = if self.color {
            "json-diagnostic-rendered-ansi"
        } else {
            "json"
        };
        let mut spec = Spec::new(&self.program, BUILD_TIMEOUT);
        spec = match exercises {
            [one] => spec.arg("test").arg("--no-run").arg("--bin").arg(&one.name),
            // `cargo test --no-run` stops at the first target that does not compile;
            // `build --tests --keep-going` builds the same test binaries, all it can.
            // (It cannot be narrowed with `--bin`, which adds targets instead.)
            _ => spec.arg("build").arg("--tests").arg("--keep-going"),
        };
        spec = spec
            .env("CARGO_TARGET_DIR", course.target_dir())
            .arg("--quiet")
            .arg(format!("--message-format={format}"))
            .arg("--manifest-path")
            .arg(course.manifest(side));
        if side == Side::Exercise {
            spec = spec.arg("--features").arg(EXERCISES_FEATURE);
        }
        spec.cwd = Some(course.root.clone());
        spec.output_cap = BUILD_OUTPUT_CAP;
        spec.cancel.clone_from(&self.cancel);
        let output = run::run(&spec).map_err(|err| {
            Error::Tool(format!(
                "{err}; is Rust installed? https://rustup.rs explains how"
            ))
        })?;
        match &output.exit {
            Exit::TimedOut { .. } => {
                return Err(Error::Tool(format!(
                    "cargo did not finish building within {} minutes",
                    BUILD_TIMEOUT.as_secs() / 60
                )));
            }
            Exit::Cancelled => return Err(Error::Cancelled),
            Exit::Code(_) | Exit::Signal { .. } => {}
        }
        let wanted: BTreeSet<&str> = exercises.iter().map(|e| e.name.as_str()).collect();
        let built = parse_messages(&output.stdout.text(), &wanted);
        let unaccounted: Vec<&&str> = wanted
            .iter()
            .filter(|name| {
                !built.executables.contains_key(**name) && !built.errors.contains_key(**name)
            })
            .collect();
        if !unaccounted.is_empty() {
            // Cargo stopped before compiling them: a broken manifest, a dependency that
            // does not build, a full disk. Its own words say which.
            let said = output.stderr.text();
            return Err(Error::Tool(format!(
                "cargo could not build {}:\n{}",
                unaccounted
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                said.trim_end()
            )));
        }
        Ok(built)
    }

    /// Builds the test binaries of the course's wrong and alternative answers (the bin
    /// targets of `solutions/` behind the `variants` feature) in one cargo call, all it
    /// can: a variant that does not compile is reported, not fatal.
    pub fn build_variant_tests(
        &self,
        course: &Course,
        names: &[&str],
    ) -> Result<BuildOutput, Error> {
        let mut spec = Spec::new(&self.program, BUILD_TIMEOUT)
            .env("CARGO_TARGET_DIR", course.target_dir())
            .arg("build")
            .arg("--tests")
            .arg("--keep-going")
            .arg("--quiet")
            .arg("--message-format=json")
            .arg("--manifest-path")
            .arg(course.manifest(Side::Solution))
            .arg("--features")
            .arg(VARIANTS_FEATURE);
        spec.cwd = Some(course.root.clone());
        spec.output_cap = BUILD_OUTPUT_CAP;
        spec.cancel.clone_from(&self.cancel);
        let output = run::run(&spec).map_err(|err| Error::Tool(err.to_string()))?;
        match &output.exit {
            Exit::TimedOut { .. } => {
                return Err(Error::Tool(format!(
                    "cargo did not finish building the variants within {} minutes",
                    BUILD_TIMEOUT.as_secs() / 60
                )));
            }
            Exit::Cancelled => return Err(Error::Cancelled),
            Exit::Code(_) | Exit::Signal { .. } => {}
        }
        let wanted: BTreeSet<&str> = names.iter().copied().collect();
        let built = parse_messages(&output.stdout.text(), &wanted);
        let missing = wanted.iter().any(|name| {
            !built.executables.contains_key(*name) && !built.errors.contains_key(*name)
        });
        if missing {
            return Err(Error::Tool(format!(
                "cargo could not build the course's variants:\n{}",
                output.stderr.text().trim_end()
            )));
        }
        Ok(built)
    }

    /// Builds the trybuild harness that grades compile-fail lessons; returns its
    /// executable. The first build compiles trybuild itself, once per checkout.
    pub fn build_ui_harness(&self, course: &Course) -> Result<PathBuf, Error> {
        let mut spec = Spec::new(&self.program, BUILD_TIMEOUT)
            .env("CARGO_TARGET_DIR", course.target_dir())
            .arg("test")
            .arg("--no-run")
            .arg("--quiet")
            .arg("--message-format=json")
            .arg("--manifest-path")
            .arg(course.ui_harness_dir().join("Cargo.toml"))
            .arg("--test")
            .arg(UI_HARNESS_TARGET);
        spec.cwd = Some(course.root.clone());
        spec.output_cap = BUILD_OUTPUT_CAP;
        spec.cancel.clone_from(&self.cancel);
        let output = run::run(&spec).map_err(|err| Error::Tool(err.to_string()))?;
        if output.exit == Exit::Cancelled {
            return Err(Error::Cancelled);
        }
        let stdout = output.stdout.text();
        stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<Message>(line).ok())
            .find_map(|message| match message {
                Message::CompilerArtifact {
                    target,
                    executable: Some(executable),
                    ..
                } if target.name == UI_HARNESS_TARGET => Some(executable),
                _ => None,
            })
            .ok_or_else(|| {
                Error::Tool(format!(
                    "cargo could not build the compile-fail harness in {}:\n{}",
                    course.ui_harness_dir().display(),
                    output.stderr.text().trim_end()
                ))
            })
    }

    /// `rustc -V` as the course's toolchain file resolves it, if it answers.
    pub fn rustc_version(&self, course: &Course) -> Option<String> {
        let mut spec = Spec::new("rustc", Duration::from_secs(30)).arg("-V");
        spec.cwd = Some(course.root.clone());
        let output = run::run(&spec).ok()?;
        output
            .exit
            .success()
            .then(|| output.stdout.text().trim().to_owned())
    }

    /// The cargo the harness's trybuild should call.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Arguments for a test binary built by [`Cargo::build_tests`].
    pub fn test_args(logfile: &Path) -> Vec<OsString> {
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
}

/// Cargo's JSON messages, named as cargo names them (`reason`).
#[derive(Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
#[expect(clippy::enum_variant_names, reason = "the names are cargo's")]
enum Message {
    CompilerArtifact {
        target: Target,
        profile: Profile,
        executable: Option<PathBuf>,
    },
    CompilerMessage {
        target: Target,
        message: Diagnostic,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Profile {
    test: bool,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    rendered: Option<String>,
}

/// Reads cargo's JSON lines, keeping what concerns the `wanted` bin targets.
pub fn parse_messages(stdout: &str, wanted: &BTreeSet<&str>) -> BuildOutput {
    let mut built = BuildOutput::default();
    let ours = |target: &Target| {
        target.kind.iter().any(|kind| kind == "bin") && wanted.contains(target.name.as_str())
    };
    for line in stdout.lines().filter(|line| line.starts_with('{')) {
        let Ok(message) = serde_json::from_str::<Message>(line) else {
            continue;
        };
        match message {
            Message::CompilerArtifact {
                target,
                profile,
                executable: Some(executable),
            } if profile.test && ours(&target) => {
                built.executables.insert(target.name, executable);
            }
            Message::CompilerMessage { target, message }
                if ours(&target) && message.level.starts_with("error") =>
            {
                if let Some(rendered) = message.rendered {
                    built
                        .errors
                        .entry(target.name)
                        .or_default()
                        .push_str(&rendered);
                }
            }
            _ => {}
        }
    }
    built
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_give_executables_and_errors_per_target() {
        let stdout = r#"{"reason":"compiler-artifact","target":{"name":"rayon","kind":["lib"]},"profile":{"test":false},"executable":null}
{"reason":"compiler-message","target":{"name":"broken","kind":["bin"]},"message":{"level":"error","rendered":"error[E0373]: closure may outlive\n"}}
{"reason":"compiler-message","target":{"name":"broken","kind":["bin"]},"message":{"level":"warning","rendered":"warning: unused\n"}}
{"reason":"compiler-artifact","target":{"name":"good","kind":["bin"]},"profile":{"test":true},"executable":"/t/good-123"}
{"reason":"compiler-artifact","target":{"name":"good","kind":["bin"]},"profile":{"test":false},"executable":"/t/good"}
{"reason":"build-finished","success":false}
not json at all
"#;
        let wanted = BTreeSet::from(["good", "broken"]);
        let built = parse_messages(stdout, &wanted);
        assert_eq!(built.result("good"), Ok(Path::new("/t/good-123")));
        assert_eq!(
            built.result("broken"),
            Err("error[E0373]: closure may outlive\n")
        );
    }
}
