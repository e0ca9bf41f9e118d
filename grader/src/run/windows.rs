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

pub fn own_group(command: &mut Command, _limits: Option<Limits>) {
    command.creation_flags(CREATE_NEW_PROCESS_GROUP);
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

pub fn signal_of(_status: ExitStatus) -> Option<(i32, String)> {
    None
}

pub fn diagnose(_pid: u32) -> Diagnosis {
    Diagnosis::Unknown
}

pub fn diagnose_deadlock(_pid: u32) -> Diagnosis {
    Diagnosis::Unknown
}
