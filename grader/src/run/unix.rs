//! Process groups, resource limits and signals on Unix.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::resource::{Resource, setrlimit};
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use super::{Diagnosis, Limits};

/// How long to wait for a killed group to disappear before giving up on it.
const KILL_SETTLE: Duration = Duration::from_secs(2);

/// Makes the child the leader of a new process group and applies `limits` in it.
pub fn own_group(command: &mut Command, limits: Option<Limits>) {
    command.process_group(0);
    if let Some(limits) = limits {
        // SAFETY: the closure runs in the forked child before exec and only calls
        // setrlimit, which is async-signal-safe; it allocates nothing.
        unsafe {
            command.pre_exec(move || {
                let set = |resource, value: u64| setrlimit(resource, value, value);
                set(Resource::RLIMIT_CORE, 0)?;
                set(Resource::RLIMIT_CPU, limits.cpu_secs)?;
                set(Resource::RLIMIT_FSIZE, limits.file_bytes)?;
                #[cfg(not(target_os = "macos"))]
                set(Resource::RLIMIT_DATA, limits.memory_bytes)?;
                #[cfg(target_os = "macos")]
                let _ = limits.memory_bytes; // macOS does not enforce a data limit.
                Ok(())
            });
        }
    }
}

/// Makes the grader the reaper of its orphaned descendants (Linux), so a killed group's
/// members are gone the moment they exit rather than when some distant init reaps them.
pub fn adopt_orphans() {
    #[cfg(target_os = "linux")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let _ = nix::sys::prctl::set_child_subreaper(true);
        });
    }
}

/// TERM to the whole group, a grace period, then KILL; returns once the group is gone
/// (or after a bound, for a member stuck in the kernel).
pub fn kill_group(leader: u32, child: &mut Child, grace: Duration) {
    let Ok(raw) = i32::try_from(leader) else {
        let _ = child.kill();
        return;
    };
    let group = Pid::from_raw(raw);
    if !signal_group(group, Signal::SIGTERM) {
        return;
    }
    if wait_until_gone(group, child, grace) {
        return;
    }
    signal_group(group, Signal::SIGKILL);
    wait_until_gone(group, child, KILL_SETTLE);
}

/// Sends `signal` to the group; false when the group no longer exists.
fn signal_group(group: Pid, signal: Signal) -> bool {
    killpg(group, signal) != Err(Errno::ESRCH)
}

fn wait_until_gone(group: Pid, child: &mut Child, bound: Duration) -> bool {
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        // Exited members stay in the group until reaped: the leader by `Child` (which
        // keeps its status), adopted orphans here, once the leader's status is safe.
        if matches!(child.try_wait(), Ok(Some(_))) {
            reap_adopted(group);
        }
        if killpg(group, None) == Err(Errno::ESRCH) {
            return true;
        }
        thread::sleep(Duration::from_millis(2));
    }
    false
}

/// Reaps the exited members of `group` that were adopted by the grader.
fn reap_adopted(group: Pid) {
    let members = Pid::from_raw(-group.as_raw());
    while let Ok(status) = waitpid(members, Some(WaitPidFlag::WNOHANG)) {
        if status == WaitStatus::StillAlive {
            break;
        }
    }
}

/// The signal that ended the process, with its name.
pub fn signal_of(status: ExitStatus) -> Option<(i32, String)> {
    let number = status.signal()?;
    let name = Signal::try_from(number).map_or_else(
        |_| format!("signal {number}"),
        |signal| signal.as_str().to_owned(),
    );
    Some((number, name))
}

/// What the hung process's threads were doing.
pub fn diagnose(pid: u32) -> Diagnosis {
    #[cfg(target_os = "linux")]
    {
        super::procfs::diagnose(pid)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        Diagnosis::Unknown
    }
}

/// What the threads of a process the watcher found deadlocked wait for.
pub fn diagnose_deadlock(pid: u32) -> Diagnosis {
    #[cfg(target_os = "linux")]
    {
        super::procfs::deadlocked(pid)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        Diagnosis::Unknown
    }
}
