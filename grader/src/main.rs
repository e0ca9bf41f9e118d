//! `threadlings`: parse the command line, validate it into a `Config`, run the driver,
//! turn the outcome into an exit code. Everything else lives in the modules below.

mod build;
mod classroom;
mod cli;
mod commands;
mod compile_fail;
mod course;
mod devcheck;
mod devcheck_model;
mod engine;
mod error;
mod forbid;
mod git;
mod gradebook;
mod invocation;
mod model_check;
mod program;
mod progress;
mod report;
mod run;
mod session;
mod tamper;
mod variants;
mod verdict;
mod watch;
mod weaken;

use std::process::ExitCode;

use clap::Parser;

use crate::report::{Format, Reporter};

fn main() -> ExitCode {
    // Cargo starts the grader as the rustc wrapper of learner crates (see `run::rustc`).
    if let Some(code) = run::rustc::wrap_if_asked() {
        return code;
    }
    let args = cli::Args::parse();
    let config = match args.validate() {
        Ok(config) => config,
        Err(error) => {
            Reporter::new(Format::Human).error(&error);
            return error.exit_code();
        }
    };
    let reporter = Reporter::new(config.format);
    match commands::dispatch(&config, &reporter) {
        Ok(code) => code,
        Err(error) => {
            reporter.error(&error);
            error.exit_code()
        }
    }
}
