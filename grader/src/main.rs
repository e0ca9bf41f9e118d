//! `threadlings`: parse the command line, validate it into a `Config`, run the driver,
//! turn the outcome into an exit code. Everything else is the `threadlings` library.

use std::process::ExitCode;

use clap::Parser;
use threadlings::report::{Format, Reporter};
use threadlings::{cli, commands, run};

fn main() -> ExitCode {
    // Cargo starts the grader as the rustc wrapper of learner crates (see `run::rustc`).
    if let Some(code) = run::rustc::wrap_if_asked() {
        return code;
    }
    let args = cli::Args::parse();
    let config = match args.validate() {
        Ok(config) => config,
        Err(error) => {
            Reporter::new(Format::human()).error(&error);
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
