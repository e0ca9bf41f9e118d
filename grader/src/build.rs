//! Every cargo invocation the grader makes, and the reading of cargo's JSON messages.
//!
//! One `cargo test --no-run` builds the test binaries of any number of exercises of one
//! side (stubs or solutions); the executables come from the `compiler-artifact` messages
//! and the compiler errors, rendered as rustc renders them, from `compiler-message`.
//!
//! A verdict is for the content on disk. Cargo decides freshness by modification time, so
//! a file replaced by an older-dated copy (`cp -p`, `rsync -t`, an unzipped archive) would
//! be graded with the previous build. `target/threadlings/compiled.json` records the
//! content hash of each exercise's source when cargo last compiled it; when cargo reports
//! an artifact `fresh` but the file's hash is not the recorded one, the file's
//! modification time is set to now (its content untouched) and that exercise is rebuilt
//! once. No file is touched otherwise (editors warn when a file's time changes under them).
//!
//! Model-checked exercises (`mode = "model_check"`) build in a call of their own, with
//! `--cfg loom` (which switches `threadlings_testkit::sync` to the model checker's types)
//! and in `target/loom`: the flag recompiles every dependency, and a target directory of
//! their own keeps the two builds from invalidating each other.
//!
//! Must not: judge (it hands back executables and rustc's errors), print, or start a
//! process but through `run`.

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::course::{Course, EXERCISES_FEATURE, Exercise, Mode, Side, content_hash};
use crate::error::Error;
use crate::forbid;
use crate::run::{self, Exit, Limits, Spec};
use crate::submission::Submission;

/// A first build compiles rayon, crossbeam, dashmap and parking_lot: minutes on a slow
/// machine. Anything longer is a stuck toolchain.
const BUILD_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// Cargo's JSON messages for a few dozen targets fit comfortably.
const BUILD_OUTPUT_CAP: usize = 64 * 1024 * 1024;
/// The test target of the compile-fail harness.
const UI_HARNESS_TARGET: &str = "ui";

/// The compiler flags of the model-check build, as `CARGO_ENCODED_RUSTFLAGS` (one flag
/// per `\x1f`-separated field).
pub const MODEL_RUSTFLAGS: &str = "--cfg\x1floom";

/// Which build an exercise's tests come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `target/`, std's types.
    Normal,
    /// `target/loom`, `--cfg loom`: the model checker's types.
    Model,
}

/// The outcome of one build, per exercise.
#[derive(Debug, Default)]
pub struct BuildOutput {
    /// Test executable of each exercise that compiled.
    pub executables: BTreeMap<String, PathBuf>,
    /// Rendered compiler errors of each exercise that did not.
    pub errors: BTreeMap<String, String>,
    /// Exercises whose test executable cargo did not rebuild (it found it up to date).
    pub fresh: BTreeSet<String>,
    /// Uses of what classroom grading forbids, per exercise, from the compiler's errors
    /// (only when the policy is on: see `forbid.rs`).
    pub forbidden: BTreeMap<String, Vec<forbid::ForbiddenUse>>,
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
    /// Classroom grading: the policy the exercises' crates compile under (`forbid.rs`).
    pub policy: Option<Arc<forbid::Policy>>,
    /// Classroom grading: where the build of student code may read and write.
    pub confine: Option<Arc<run::Confinement>>,
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
            policy: None,
            confine: None,
        }
    }

    /// Builds the test binaries of `exercises` on `side`: one cargo call for the normal
    /// ones and one for the model-checked ones (see [`Flavor`]), and once more for any
    /// that cargo found up to date although its source is not what was compiled.
    pub fn build_tests(
        &self,
        course: &Course,
        submission: &Submission,
        side: Side,
        exercises: &[&Exercise],
    ) -> Result<BuildOutput, Error> {
        let (model, normal): (Vec<&Exercise>, Vec<&Exercise>) = exercises
            .iter()
            .partition(|exercise| exercise.mode == Mode::ModelCheck);
        let mut built = BuildOutput::default();
        for (flavor, group) in [(Flavor::Normal, normal), (Flavor::Model, model)] {
            if group.is_empty() {
                continue;
            }
            let output = self.build_flavor(course, submission, side, &group, flavor)?;
            built.executables.extend(output.executables);
            built.errors.extend(output.errors);
            built.fresh.extend(output.fresh);
            built.forbidden.extend(output.forbidden);
        }
        Ok(built)
    }

    /// [`Cargo::build_tests`] for exercises of one flavour.
    fn build_flavor(
        &self,
        course: &Course,
        submission: &Submission,
        side: Side,
        exercises: &[&Exercise],
        flavor: Flavor,
    ) -> Result<BuildOutput, Error> {
        // Hashed before cargo reads the files: a save during the build is seen next time.
        let hashes: BTreeMap<&str, String> = exercises
            .iter()
            .filter_map(|exercise| {
                let source = fs::read_to_string(submission.file(exercise, side)).ok()?;
                Some((exercise.name.as_str(), content_hash(&source)))
            })
            .collect();
        let mut compiled = Compiled::load(submission);
        let mut built = self.cargo_build(course, submission, side, exercises, flavor)?;
        let stale: Vec<&Exercise> = exercises
            .iter()
            .copied()
            .filter(|exercise| {
                built.fresh.contains(&exercise.name)
                    && hashes.get(exercise.name.as_str()).is_some_and(|hash| {
                        compiled.get(side, &exercise.name) != Some(hash.as_str())
                    })
            })
            .collect();
        if !stale.is_empty() {
            for exercise in &stale {
                let path = submission.file(exercise, side);
                File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|file| file.set_modified(SystemTime::now()))
                    .map_err(Error::io(format!(
                        "mark {} as changed for cargo",
                        path.display()
                    )))?;
            }
            let rebuilt = self.cargo_build(course, submission, side, &stale, flavor)?;
            for exercise in &stale {
                let name = &exercise.name;
                built.executables.remove(name);
                built.errors.remove(name);
                built.fresh.remove(name);
                built.forbidden.remove(name);
                if let Some(executable) = rebuilt.executables.get(name) {
                    built.executables.insert(name.clone(), executable.clone());
                }
                if let Some(errors) = rebuilt.errors.get(name) {
                    built.errors.insert(name.clone(), errors.clone());
                }
                if let Some(found) = rebuilt.forbidden.get(name) {
                    built.forbidden.insert(name.clone(), found.clone());
                }
            }
        }
        let mut changed = false;
        for (name, hash) in &hashes {
            if built.executables.contains_key(*name) {
                changed |= compiled.set(side, name, hash);
            }
        }
        if changed {
            // Only a cache: if it cannot be written, the next build checks again.
            let _ = compiled.save(submission);
        }
        Ok(built)
    }

    /// One cargo call building the test binaries of `exercises` on `side`.
    fn cargo_build(
        &self,
        course: &Course,
        submission: &Submission,
        side: Side,
        exercises: &[&Exercise],
        flavor: Flavor,
    ) -> Result<BuildOutput, Error> {
        let names: Vec<&str> = exercises.iter().map(|e| e.name.as_str()).collect();
        let features = (side == Side::Exercise).then_some(EXERCISES_FEATURE);
        let manifest = submission.manifest(side);
        self.cargo_tests(course, submission, &manifest, features, &names, flavor)
    }

    /// One cargo call building the test binaries of the bins `names` of `manifest`.
    fn cargo_tests(
        &self,
        course: &Course,
        submission: &Submission,
        manifest: &Path,
        features: Option<&str>,
        names: &[&str],
        flavor: Flavor,
    ) -> Result<BuildOutput, Error> {
        let format = if self.color {
            "json-diagnostic-rendered-ansi"
        } else {
            "json"
        };
        let mut spec = Spec::new(&self.program, BUILD_TIMEOUT);
        spec = match (names, flavor) {
            ([one], _) => spec.arg("test").arg("--no-run").arg("--bin").arg(one),
            // `cargo test --no-run` stops at the first target that does not compile;
            // `build --tests --keep-going` builds the same test binaries, all it can.
            // (It cannot be narrowed with `--bin`, which adds targets instead.)
            (_, Flavor::Normal) => spec.arg("build").arg("--tests").arg("--keep-going"),
            // Only the model-checked ones: a `--cfg loom` build of every exercise would
            // compile dozens of bins nobody runs that way. `--no-fail-fast` keeps going
            // past one that does not compile.
            (many, Flavor::Model) => many.iter().fold(
                spec.arg("test").arg("--no-run").arg("--no-fail-fast"),
                |spec, name| spec.arg("--bin").arg(name),
            ),
        };
        spec = match flavor {
            Flavor::Normal => spec.env("CARGO_TARGET_DIR", submission.target_dir()),
            Flavor::Model => spec
                .env("CARGO_TARGET_DIR", submission.model_target_dir())
                // Encoded, so it wins over a RUSTFLAGS of the learner's environment.
                .env("CARGO_ENCODED_RUSTFLAGS", MODEL_RUSTFLAGS),
        };
        spec = spec
            .arg("--quiet")
            .arg(format!("--message-format={format}"))
            .arg("--manifest-path")
            .arg(manifest);
        if let Some(features) = features {
            spec = spec.arg("--features").arg(features);
        }
        spec.cwd = Some(submission.root().to_owned());
        spec.output_cap = BUILD_OUTPUT_CAP;
        spec.cancel.clone_from(&self.cancel);
        bound_compilers(&mut spec, course)?;
        if let Some(policy) = &self.policy {
            let json = serde_json::to_string(&**policy)
                .map_err(|err| Error::Tool(format!("write the classroom policy: {err}")))?;
            spec = spec.env(forbid::POLICY_VAR, json);
        }
        if let Some(confine) = &self.confine {
            spec.confine = Some((**confine).clone());
        }
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
        let wanted: BTreeSet<&str> = names.iter().copied().collect();
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

    /// Builds variants of the course's solutions (`dev check`'s wrong and alternative
    /// answers and weakenings) in one cargo call, all it can: each `(name, source)`
    /// becomes a bin of a package written for the purpose, in `target/threadlings/variants`
    /// (or `target/loom/variants` for the model checker's build), so the course's
    /// manifests list none of them. It depends on what the solutions depend on (the
    /// model checker's build: on the testkit only, as model-checked exercises do) and has
    /// the course's profiles, so the dependencies built for the exercises are reused.
    /// The executables are keyed by `name`.
    pub fn build_variants(
        &self,
        course: &Course,
        flavor: Flavor,
        variants: &[(String, String)],
    ) -> Result<BuildOutput, Error> {
        // The course's own answers: its tree is the one built.
        let checkout = Submission::checkout(course);
        let dir = match flavor {
            Flavor::Normal => checkout.target_dir().join("threadlings").join("variants"),
            Flavor::Model => checkout.model_target_dir().join("variants"),
        };
        let src = dir.join("src");
        fs::create_dir_all(&src).map_err(Error::io(format!("create {}", src.display())))?;
        let mut manifest = variants_manifest(course, flavor)?;
        let mut keep = BTreeSet::new();
        for (name, source) in variants {
            let file = format!("{name}.rs");
            manifest.push_str(&format!(
                "\n[[bin]]\nname = \"{name}\"\npath = \"src/{file}\"\n"
            ));
            write_if_changed(&src.join(&file), source)?;
            keep.insert(OsString::from(file));
        }
        for stale in fs::read_dir(&src).into_iter().flatten().flatten() {
            if !keep.contains(&stale.file_name()) {
                let _ = fs::remove_file(stale.path());
            }
        }
        write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
        // The course's versions of every dependency, without asking the registry.
        let lock = course.root.join("Cargo.lock");
        if let Ok(text) = fs::read_to_string(&lock) {
            write_if_changed(&dir.join("Cargo.lock"), &text)?;
        }
        let names: Vec<&str> = variants.iter().map(|(name, _)| name.as_str()).collect();
        if names.is_empty() {
            return Ok(BuildOutput::default());
        }
        self.cargo_tests(
            course,
            &checkout,
            &dir.join("Cargo.toml"),
            None,
            &names,
            flavor,
        )
    }

    /// Builds the program (`main()`) of a submission's exercise; returns its executable.
    pub fn build_program(
        &self,
        course: &Course,
        submission: &Submission,
        exercise: &Exercise,
    ) -> Result<PathBuf, Error> {
        let mut spec = Spec::new(&self.program, BUILD_TIMEOUT)
            .env("CARGO_TARGET_DIR", submission.target_dir())
            .arg("build")
            .arg("--quiet")
            .arg("--message-format=json")
            .arg("--manifest-path")
            .arg(submission.manifest(Side::Exercise))
            .arg("--features")
            .arg(EXERCISES_FEATURE)
            .arg("--bin")
            .arg(&exercise.name);
        spec.cwd = Some(submission.root().to_owned());
        bound_compilers(&mut spec, course)?;
        spec.output_cap = BUILD_OUTPUT_CAP;
        spec.cancel.clone_from(&self.cancel);
        let output = run::run(&spec).map_err(|err| Error::Tool(err.to_string()))?;
        if output.exit == Exit::Cancelled {
            return Err(Error::Cancelled);
        }
        output
            .stdout
            .text()
            .lines()
            .filter_map(|line| serde_json::from_str::<Message>(line).ok())
            .find_map(|message| match message {
                Message::CompilerArtifact {
                    target,
                    profile,
                    executable: Some(executable),
                    ..
                } if target.name == exercise.name && !profile.test => Some(executable),
                _ => None,
            })
            .ok_or_else(|| {
                Error::Tool(format!(
                    "cargo could not build the program of `{}`:\n{}",
                    exercise.name,
                    output.stderr.text().trim_end()
                ))
            })
    }

    /// Builds a submission's trybuild harness that grades compile-fail lessons; returns
    /// its executable. The first build compiles trybuild itself, once per tree.
    pub fn build_ui_harness(
        &self,
        course: &Course,
        submission: &Submission,
    ) -> Result<PathBuf, Error> {
        let mut spec = Spec::new(&self.program, BUILD_TIMEOUT)
            .env("CARGO_TARGET_DIR", submission.target_dir())
            .arg("test")
            .arg("--no-run")
            .arg("--quiet")
            .arg("--message-format=json")
            .arg("--manifest-path")
            .arg(submission.ui_harness_dir().join("Cargo.toml"))
            .arg("--test")
            .arg(UI_HARNESS_TARGET);
        spec.cwd = Some(submission.root().to_owned());
        bound_compilers(&mut spec, course)?;
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
                    submission.ui_harness_dir().display(),
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
}

/// Limits for a cargo call: every compiler it starts gets generous memory and CPU limits
/// (dependencies compile once), and the learner's own crates the course's
/// `compile_timeout` through the rustc wrapper (see `run::rustc`).
pub fn bound_compilers(spec: &mut Spec, course: &Course) -> Result<(), Error> {
    spec.limits = Some(Limits {
        memory_bytes: 4 * run::rustc::MEMORY_BYTES,
        cpu_secs: BUILD_TIMEOUT.as_secs(),
        file_bytes: 4 * 1024 * 1024 * 1024,
    });
    let wrapper = run::rustc::wrapper_env(course.compile_timeout)
        .map_err(Error::io("find the grader's own executable"))?;
    spec.env.extend(wrapper);
    Ok(())
}

/// Writes `text` to `path` unless it already holds it, so cargo sees an unchanged file
/// as unchanged.
/// The manifest of the package of variants, without its bins: the solutions'
/// dependencies (`workspace = true` resolved, paths made absolute), the course's edition
/// and profiles, and a workspace of its own.
fn variants_manifest(course: &Course, flavor: Flavor) -> Result<String, Error> {
    let read = |path: &Path| -> Result<toml::Table, Error> {
        let text =
            fs::read_to_string(path).map_err(Error::io(format!("read {}", path.display())))?;
        text.parse::<toml::Table>()
            .map_err(|err| Error::Tool(format!("{}: {err}", path.display())))
    };
    let root_manifest = read(&course.root.join("Cargo.toml"))?;
    let solutions_manifest = course.manifest(Side::Solution);
    let solutions = read(&solutions_manifest)?;
    let solutions_dir = solutions_manifest.parent().unwrap_or(&course.root);
    let workspace = root_manifest
        .get("workspace")
        .and_then(toml::Value::as_table);
    let inherited = workspace
        .and_then(|workspace| workspace.get("dependencies"))
        .and_then(toml::Value::as_table);
    let mut dependencies = toml::Table::new();
    for section in ["dependencies", "dev-dependencies"] {
        let Some(table) = solutions.get(section).and_then(toml::Value::as_table) else {
            continue;
        };
        for (name, spec) in table {
            let from_workspace = spec.get("workspace").and_then(toml::Value::as_bool) == Some(true);
            let (spec, base) = if from_workspace {
                let Some(spec) = inherited.and_then(|deps| deps.get(name)) else {
                    return Err(Error::Tool(format!(
                        "{}: `{name}` inherits from the workspace, which does not list it",
                        solutions_manifest.display()
                    )));
                };
                (spec.clone(), course.root.as_path())
            } else {
                (spec.clone(), solutions_dir)
            };
            let spec = match spec {
                toml::Value::Table(mut table) => {
                    if let Some(toml::Value::String(path)) = table.get("path") {
                        let absolute = base.join(path).display().to_string();
                        table.insert("path".to_owned(), toml::Value::String(absolute));
                    }
                    toml::Value::Table(table)
                }
                other => other,
            };
            // The model checker's build uses the testkit only (as the exercises do).
            if flavor == Flavor::Normal || name == "threadlings-testkit" {
                dependencies.insert(name.clone(), spec);
            }
        }
    }
    let edition = workspace
        .and_then(|workspace| workspace.get("package"))
        .and_then(|package| package.get("edition"))
        .cloned()
        .unwrap_or_else(|| toml::Value::String("2024".to_owned()));
    let mut package = toml::Table::new();
    package.insert("name".to_owned(), "threadlings-variants".into());
    package.insert("version".to_owned(), "0.0.0".into());
    package.insert("edition".to_owned(), edition);
    package.insert("publish".to_owned(), false.into());
    package.insert("autobins".to_owned(), false.into());
    let mut manifest = toml::Table::new();
    manifest.insert("package".to_owned(), package.into());
    manifest.insert("dependencies".to_owned(), dependencies.into());
    manifest.insert("workspace".to_owned(), toml::Table::new().into());
    if let Some(profile) = root_manifest.get("profile") {
        manifest.insert("profile".to_owned(), profile.clone());
    }
    let text = toml::to_string(&manifest)
        .map_err(|err| Error::Tool(format!("write the manifest of the variants: {err}")))?;
    Ok(format!(
        "# Written by `threadlings dev check`: the course's wrong and alternative answers.\n{text}"
    ))
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), Error> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text).map_err(Error::io(format!("write {}", path.display())))
}

/// How far the first build of the course's crates (rayon, crossbeam, dashmap, parking_lot
/// and what they depend on) has come: `built` of `total` libraries are in the target
/// folder. Read from `Cargo.lock` and the folder, without calling cargo, so a screen can
/// show it while cargo builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrateProgress {
    pub built: usize,
    pub total: usize,
}

impl CrateProgress {
    pub fn complete(self) -> bool {
        self.built >= self.total
    }
}

/// The library names of every crate the exercises depend on (normal, dev and build
/// dependencies, on this platform), as `cargo metadata` resolves them; empty when cargo
/// does not answer.
pub fn course_crates(cargo: &Cargo, course: &Course) -> Vec<String> {
    crates_of(cargo, course, &course.manifest(Side::Exercise))
}

/// The same for the compile-fail harness (trybuild and what it uses).
pub fn harness_crates(cargo: &Cargo, course: &Course) -> Vec<String> {
    crates_of(cargo, course, &course.ui_harness_dir().join("Cargo.toml"))
}

/// Whether the compile-fail harness's trybuild looks built in `submission`'s target.
pub fn harness_built(submission: &Submission) -> bool {
    crate_progress(submission, &["trybuild".to_owned()]).complete()
}

fn crates_of(cargo: &Cargo, course: &Course, manifest: &Path) -> Vec<String> {
    #[derive(Deserialize)]
    struct Metadata {
        packages: Vec<Package>,
        resolve: Option<Resolve>,
    }
    #[derive(Deserialize)]
    struct Package {
        id: String,
        manifest_path: PathBuf,
        targets: Vec<Target>,
    }
    #[derive(Deserialize)]
    struct Target {
        name: String,
        kind: Vec<String>,
    }
    #[derive(Deserialize)]
    struct Resolve {
        nodes: Vec<Node>,
    }
    #[derive(Deserialize)]
    struct Node {
        id: String,
        #[serde(default)]
        dependencies: Vec<String>,
    }
    let host = rustc_host(course).unwrap_or_default();
    let mut spec = Spec::new(&cargo.program, Duration::from_secs(60))
        .arg("metadata")
        .arg("--format-version=1")
        .arg("--manifest-path")
        .arg(manifest);
    if !host.is_empty() {
        spec = spec.arg("--filter-platform").arg(host);
    }
    spec.cwd = Some(course.root.clone());
    spec.output_cap = BUILD_OUTPUT_CAP;
    let Ok(output) = run::run(&spec) else {
        return Vec::new();
    };
    let Ok(metadata) = serde_json::from_str::<Metadata>(&output.stdout.text()) else {
        return Vec::new();
    };
    let Some(resolve) = metadata.resolve else {
        return Vec::new();
    };
    let nodes: BTreeMap<&str, &[String]> = resolve
        .nodes
        .iter()
        .map(|node| (node.id.as_str(), node.dependencies.as_slice()))
        .collect();
    let Some(root) = metadata.packages.iter().find(|package| {
        package.manifest_path == manifest
            || package.manifest_path.canonicalize().ok() == manifest.canonicalize().ok()
    }) else {
        return Vec::new();
    };
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut todo = vec![root.id.as_str()];
    while let Some(id) = todo.pop() {
        for dependency in nodes.get(id).copied().unwrap_or_default() {
            if seen.insert(dependency) {
                todo.push(dependency);
            }
        }
    }
    metadata
        .packages
        .iter()
        .filter(|package| seen.contains(package.id.as_str()))
        .filter_map(|package| {
            package
                .targets
                .iter()
                .find(|target| {
                    target
                        .kind
                        .iter()
                        .any(|kind| kind.contains("lib") || kind == "proc-macro")
                })
                .map(|target| target.name.replace('-', "_"))
        })
        .collect()
}

/// The host's target triple, from `rustc -vV`.
fn rustc_host(course: &Course) -> Option<String> {
    let mut spec = Spec::new("rustc", Duration::from_secs(30)).arg("-vV");
    spec.cwd = Some(course.root.clone());
    let output = run::run(&spec).ok()?;
    output
        .stdout
        .text()
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
}

/// Whether the crates the exercises name in their manifest (`[dependencies]` and
/// `[dev-dependencies]`) look built already, without asking cargo: the usual case after
/// the first start.
pub fn course_crates_built(course: &Course, submission: &Submission) -> bool {
    #[derive(Deserialize)]
    struct Manifest {
        #[serde(default)]
        dependencies: BTreeMap<String, toml::Value>,
        #[serde(default, rename = "dev-dependencies")]
        dev_dependencies: BTreeMap<String, toml::Value>,
    }
    let Ok(text) = fs::read_to_string(course.manifest(Side::Exercise)) else {
        return true;
    };
    let Ok(manifest) = toml::from_str::<Manifest>(&text) else {
        return true;
    };
    let direct: Vec<String> = manifest
        .dependencies
        .keys()
        .chain(manifest.dev_dependencies.keys())
        .map(|name| name.replace('-', "_"))
        .collect();
    crate_progress(submission, &direct).complete()
}

/// How many of `crates` (from [`course_crates`]) have a compiled library in the
/// submission's target folder's `debug/deps`.
pub fn crate_progress(submission: &Submission, crates: &[String]) -> CrateProgress {
    let built_names: BTreeSet<String> =
        fs::read_dir(submission.target_dir().join("debug").join("deps"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|entry| {
                        let file = entry.file_name().into_string().ok()?;
                        let stem = file
                            .strip_suffix(".rlib")
                            .or_else(|| file.strip_suffix(".so"))
                            .or_else(|| file.strip_suffix(".dylib"))
                            .or_else(|| file.strip_suffix(".dll"))?;
                        let stem = stem.strip_prefix("lib").unwrap_or(stem);
                        Some(
                            stem.rsplit_once('-')
                                .map_or(stem, |(name, _)| name)
                                .to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
    CrateProgress {
        built: crates
            .iter()
            .filter(|name| built_names.contains(*name))
            .count(),
        total: crates.len(),
    }
}

/// What cargo last compiled: per side and exercise, the content hash of the source.
#[derive(Debug, Default, serde::Serialize, Deserialize)]
struct Compiled {
    sources: BTreeMap<String, String>,
}

impl Compiled {
    fn path(submission: &Submission) -> PathBuf {
        submission
            .target_dir()
            .join("threadlings")
            .join("compiled.json")
    }

    /// The record; a missing or unreadable one is empty (every fresh artifact is checked).
    fn load(submission: &Submission) -> Compiled {
        fs::read_to_string(Compiled::path(submission))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn key(side: Side, name: &str) -> String {
        format!("{}/{name}", side.dir())
    }

    fn get(&self, side: Side, name: &str) -> Option<&str> {
        self.sources
            .get(&Compiled::key(side, name))
            .map(String::as_str)
    }

    /// Records `hash`; whether that changed anything.
    fn set(&mut self, side: Side, name: &str, hash: &str) -> bool {
        let previous = self
            .sources
            .insert(Compiled::key(side, name), hash.to_owned());
        previous.as_deref() != Some(hash)
    }

    /// Written whole and renamed into place, so a concurrent reader never sees half of it.
    fn save(&self, submission: &Submission) -> std::io::Result<()> {
        let path = Compiled::path(submission);
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let mut temp = tempfile::NamedTempFile::new_in(dir)?;
        temp.write_all(serde_json::to_string(self).unwrap_or_default().as_bytes())?;
        temp.persist(&path).map_err(|err| err.error)?;
        Ok(())
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
        /// Cargo found it up to date and did not compile it.
        #[serde(default)]
        fresh: bool,
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
    #[serde(default)]
    message: String,
    code: Option<DiagnosticCode>,
    #[serde(default)]
    spans: Vec<DiagnosticSpan>,
}

#[derive(Deserialize)]
struct DiagnosticCode {
    code: String,
}

#[derive(Deserialize)]
struct DiagnosticSpan {
    is_primary: bool,
    line_start: usize,
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
                fresh,
            } if profile.test && ours(&target) => {
                if fresh {
                    built.fresh.insert(target.name.clone());
                } else {
                    built.fresh.remove(&target.name);
                }
                built.executables.insert(target.name, executable);
            }
            Message::CompilerMessage { target, message }
                if ours(&target) && message.level.starts_with("error") =>
            {
                let line = message
                    .spans
                    .iter()
                    .find(|span| span.is_primary)
                    .map_or(0, |span| span.line_start);
                if let Some(code) = &message.code
                    && let Some(finding) = forbid::finding(&code.code, &message.message, line)
                {
                    built
                        .forbidden
                        .entry(target.name.clone())
                        .or_default()
                        .push(finding);
                }
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
    #[test]
    fn the_course_s_crates_are_the_exercises_dependency_closure() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let course = Course::load(root).unwrap();
        let crates = course_crates(&Cargo::detect(false), &course);
        for name in [
            "rayon",
            "rayon_core",
            "crossbeam_utils",
            "dashmap",
            "parking_lot_core",
        ] {
            assert!(crates.iter().any(|c| c == name), "{name} in {crates:?}");
        }
        for name in ["clap", "syn", "windows_sys", "threadlings_exercises"] {
            assert!(!crates.iter().any(|c| c == name), "{name} in {crates:?}");
        }
        let harness = harness_crates(&Cargo::detect(false), &course);
        assert!(harness.iter().any(|c| c == "trybuild"), "{harness:?}");
    }

    #[test]
    fn crate_progress_counts_the_libraries_in_the_target_folder() {
        let root = tempfile::tempdir().unwrap();
        let submission = Submission::at(root.path().to_path_buf());
        let deps = submission.target_dir().join("debug").join("deps");
        fs::create_dir_all(&deps).unwrap();
        for file in [
            "librayon-0123abcd.rlib",
            "librayon_core-99.rmeta",
            "libserde_derive-1.so",
        ] {
            fs::write(deps.join(file), "").unwrap();
        }
        let crates: Vec<String> = ["rayon", "rayon_core", "serde_derive", "crossbeam"]
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        let progress = crate_progress(&submission, &crates);
        assert_eq!(
            (progress.built, progress.total),
            (2, 4),
            "an .rmeta alone is not built"
        );
        assert!(!progress.complete());
    }

    use super::*;

    #[test]
    fn messages_give_executables_and_errors_per_target() {
        let stdout = r#"{"reason":"compiler-artifact","target":{"name":"rayon","kind":["lib"]},"profile":{"test":false},"executable":null}
{"reason":"compiler-message","target":{"name":"broken","kind":["bin"]},"message":{"level":"error","rendered":"error[E0373]: closure may outlive\n"}}
{"reason":"compiler-message","target":{"name":"broken","kind":["bin"]},"message":{"level":"warning","rendered":"warning: unused\n"}}
{"reason":"compiler-artifact","target":{"name":"good","kind":["bin"]},"profile":{"test":true},"executable":"/t/good-123","fresh":true}
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
        assert_eq!(built.fresh, BTreeSet::from(["good".to_owned()]));
        assert!(built.forbidden.is_empty());
    }

    #[test]
    fn the_classroom_policys_errors_are_findings_with_their_line() {
        let stdout = r#"{"reason":"compiler-message","target":{"name":"cheat","kind":["bin"]},"message":{"level":"error","message":"use of a disallowed method `std::process::exit`","code":{"code":"clippy::disallowed_methods"},"spans":[{"is_primary":false,"line_start":2},{"is_primary":true,"line_start":9}],"rendered":"error: use of a disallowed method\n"}}
{"reason":"compiler-message","target":{"name":"cheat","kind":["bin"]},"message":{"level":"error","message":"mismatched types","code":{"code":"E0308"},"spans":[{"is_primary":true,"line_start":3}],"rendered":"error[E0308]\n"}}
"#;
        let built = parse_messages(stdout, &BTreeSet::from(["cheat"]));
        let found = &built.forbidden["cheat"];
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].item.as_str(), found[0].line),
            ("std::process::exit", 9)
        );
        assert!(built.result("cheat").is_err());
    }
}
