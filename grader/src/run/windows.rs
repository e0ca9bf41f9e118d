//! Process groups and tree kills on Windows.
//!
//! Windows has no rlimits and no `/proc`: learner code runs without resource limits and a
//! timeout carries no diagnosis. The process tree is killed with `taskkill /T`.

use std::os::windows::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use super::{Diagnosis, Limits};

const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;

pub fn adopt_orphans() {}

/// A new process group; no limits and no containment on Windows (the README says so).
pub fn prepare(
    command: &mut Command,
    _limits: Option<Limits>,
    _contain: Option<super::Contained<'_>>,
    _confine: Option<&super::Confinement>,
    _isolate: bool,
) -> std::io::Result<()> {
    command.creation_flags(CREATE_NEW_PROCESS_GROUP);
    Ok(())
}

pub fn test_pid(child: u32, _contained: bool) -> Option<u32> {
    Some(child)
}

pub fn kill_group(leader: u32, child: &mut Child, _grace: Duration) {
    // `/T` kills the whole tree the leader started, `/F` does not ask politely: Windows
    // console programs have no SIGTERM to handle anyway.
    let _ = Command::new("taskkill")
        .args(["/T", "/F", "/PID", &leader.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
}

/// Windows: the loop polls.
#[derive(Debug)]
pub struct ExitNotice;

impl ExitNotice {
    pub fn new(_pid: u32) -> ExitNotice {
        ExitNotice
    }

    pub fn is_exact(&self) -> bool {
        false
    }

    pub fn wait(&self, bound: Duration) {
        std::thread::sleep(bound);
    }
}

pub fn signal_of(_status: ExitStatus) -> Option<(i32, String)> {
    None
}

pub fn diagnose(_pid: u32) -> Diagnosis {
    Diagnosis::Unknown
}

pub fn diagnose_deadlock(_pid: u32) -> Diagnosis {
    Diagnosis::Unknown
}
