//! The compiler of learner code, bounded: the grader is its own rustc wrapper.
//!
//! Cargo runs `RUSTC_WORKSPACE_WRAPPER` for the workspace's own crates only (the learner's
//! exercises), not for dependencies, which build once with the build's own generous
//! limits. The grader sets the wrapper to its own executable with [`LIMITS_VAR`] in the
//! environment; started that way, `main` hands over to [`wrap_if_asked`], which runs
//! rustc under a CPU-time and memory limit and a wall-clock bound. A rustc stopped by a
//! limit becomes a compiler error in rustc's own JSON form, so cargo reports it for the
//! exercise like any other error and the learner gets a `compile_error` verdict that
//! says which limit was hit, instead of a build that never ends.

use std::env;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use super::{Exit, Limits, Spec};
use crate::forbid;

/// Set by the grader on its cargo calls: `CPU_SECS,MEMORY_BYTES` for learner crates.
pub const LIMITS_VAR: &str = "THREADLINGS_RUSTC_LIMITS";
/// Memory one rustc of a learner crate may use: ten times what an exercise needs.
pub const MEMORY_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The environment for a cargo call whose learner crates compile under `cpu` seconds of
/// CPU time: the wrapper (this executable) and its limits.
pub fn wrapper_env(cpu: Duration) -> io::Result<[(OsString, OsString); 2]> {
    Ok([
        (
            "RUSTC_WORKSPACE_WRAPPER".into(),
            env::current_exe()?.into_os_string(),
        ),
        (
            LIMITS_VAR.into(),
            format!("{},{MEMORY_BYTES}", cpu.as_secs().max(1)).into(),
        ),
    ])
}

/// When this process was started by cargo as the rustc wrapper: runs rustc and returns
/// its exit code. `None` for every other start.
pub fn wrap_if_asked() -> Option<ExitCode> {
    let limits = env::var(LIMITS_VAR).ok()?;
    let mut args = env::args_os().skip(1);
    let rustc = args.next()?;
    let (cpu_secs, memory_bytes) = limits
        .split_once(',')
        .and_then(|(cpu, memory)| Some((cpu.parse::<u64>().ok()?, memory.parse::<u64>().ok()?)))?;
    let args: Vec<OsString> = args.collect();
    let mut spec = match policy_for(&args) {
        // Classroom grading: the student's crate compiles under clippy's lints for what
        // no exercise needs (`forbid.rs`); clippy-driver takes rustc's arguments.
        Some((policy, allow_unsafe)) => {
            let driver = Path::new(&rustc)
                .parent()
                .filter(|dir| !dir.as_os_str().is_empty())
                .map_or_else(
                    || PathBuf::from("clippy-driver"),
                    |dir| dir.join("clippy-driver"),
                );
            let mut spec = Spec::new(driver, Duration::from_secs(cpu_secs * 2 + 5));
            spec.args.push(rustc.clone());
            spec.args.extend(args.iter().cloned());
            spec.args.extend(
                forbid::compiler_flags(allow_unsafe)
                    .into_iter()
                    .map(OsString::from),
            );
            spec.env
                .push(("CLIPPY_CONF_DIR".into(), policy.conf_dir.into_os_string()));
            spec
        }
        None => {
            let mut spec = Spec::new(&rustc, Duration::from_secs(cpu_secs * 2 + 5));
            spec.args = args;
            spec
        }
    };
    // rustc's JSON diagnostics and the test executable's path are read by cargo.
    spec.output_cap = 256 * 1024 * 1024;
    spec.limits = Some(Limits {
        memory_bytes,
        cpu_secs,
        file_bytes: 4 * 1024 * 1024 * 1024,
    });
    let output = match super::run(&spec) {
        Ok(output) => output,
        Err(err) => {
            let message = format!(
                "threadlings could not run the compiler {}: {err}{}",
                spec.program.display(),
                if spec.program.ends_with("clippy-driver") {
                    " (classroom grading compiles with clippy: `rustup component add clippy`)"
                } else {
                    ""
                }
            );
            let _ = writeln!(io::stderr(), "{}", diagnostic(&message));
            return Some(ExitCode::FAILURE);
        }
    };
    let stderr = output.stderr.text();
    let _ = io::stdout().write_all(output.stdout.text().as_bytes());
    let _ = io::stderr().write_all(stderr.as_bytes());
    let stopped = match &output.exit {
        Exit::Code(code) => {
            let failed_allocation = *code != 0 && is_out_of_memory(&stderr);
            if !failed_allocation {
                return Some(ExitCode::from(u8::try_from(*code).unwrap_or(1)));
            }
            Stop::Memory
        }
        Exit::Signal { name, .. } if name == "SIGXCPU" => Stop::Cpu,
        Exit::Signal { .. } if is_out_of_memory(&stderr) => Stop::Memory,
        Exit::Signal { name, .. } => Stop::Signal(name.clone()),
        Exit::TimedOut { .. } => Stop::Cpu,
        Exit::Cancelled => Stop::Signal("cancelled".to_owned()),
    };
    let message = stopped.message(cpu_secs, memory_bytes);
    let _ = writeln!(io::stderr(), "{}", diagnostic(&message));
    Some(ExitCode::FAILURE)
}

/// A compiler error in rustc's JSON form, which cargo relays like rustc's own.
fn diagnostic(message: &str) -> serde_json::Value {
    serde_json::json!({
        "$message_type": "diagnostic",
        "message": message,
        "code": null,
        "level": "error",
        "spans": [],
        "children": [],
        "rendered": format!("error: {message}\n"),
    })
}

/// The classroom policy that applies to the crate these rustc `args` compile, and
/// whether it may use `unsafe`: set by `grade` in [`forbid::POLICY_VAR`], for the
/// exercises' package only (cargo names the package in `CARGO_PKG_NAME`).
fn policy_for(args: &[OsString]) -> Option<(forbid::Policy, bool)> {
    let policy: forbid::Policy = serde_json::from_str(&env::var(forbid::POLICY_VAR).ok()?).ok()?;
    if env::var("CARGO_PKG_NAME").ok()? != policy.package {
        return None;
    }
    let crate_name = args
        .iter()
        .position(|arg| arg == "--crate-name")
        .and_then(|at| args.get(at + 1))
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_owned();
    let allow_unsafe = policy.unsafe_allowed.contains(&crate_name);
    Some((policy, allow_unsafe))
}

/// Why rustc did not finish.
enum Stop {
    Cpu,
    Memory,
    Signal(String),
}

impl Stop {
    fn message(&self, cpu_secs: u64, memory_bytes: u64) -> String {
        match self {
            Stop::Cpu => format!(
                "the compiler was stopped after {cpu_secs} s of CPU time on this file: \
                 something in it makes compiling endless (a `const` that loops, a \
                 recursive macro or type)"
            ),
            Stop::Memory => format!(
                "the compiler ran out of its {} of memory on this file: something in it \
                 grows without bound at compile time (a macro that doubles its input, a \
                 huge array literal)",
                super::human_bytes(memory_bytes)
            ),
            Stop::Signal(name) => format!("the compiler was killed by {name}"),
        }
    }
}

fn is_out_of_memory(stderr: &str) -> bool {
    stderr.contains("memory allocation of") || stderr.contains("out of memory")
}
