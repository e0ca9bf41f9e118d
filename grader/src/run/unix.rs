//! Sessions, resource limits, containment and signals on Unix.

use std::io;
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

/// Sets up the child before it runs: its own session (a new process group, no controlling
/// terminal), death with the grader (Linux), `limits`, and, for learner code, containment
/// with `scratch` as the only writable directory besides the `writable` files.
pub fn prepare(
    command: &mut Command,
    limits: Option<Limits>,
    contain: Option<super::Contained<'_>>,
    confine: Option<&super::Confinement>,
    isolate: bool,
) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    let plan = match contain {
        Some(contained) => {
            let ruleset = super::contain::write_ruleset(
                contained.scratch,
                contained.writable,
                contained.readable,
            )?;
            Some(super::contain::Plan::new(
                Some(contained.scratch),
                ruleset,
                contained.readable.is_some(),
            )?)
        }
        None if isolate => Some(super::contain::Plan::new(None, None, false)?),
        None => None,
    };
    #[cfg(target_os = "linux")]
    let confinement = confine
        .map(super::contain::confinement_ruleset)
        .transpose()?
        .flatten();
    #[cfg(not(target_os = "linux"))]
    let _ = (contain, confine, isolate);
    // SAFETY: getpid cannot fail.
    #[cfg(target_os = "linux")]
    let grader = unsafe { libc::getpid() };
    // SAFETY: the closure runs in the forked child before exec and makes only
    // async-signal-safe calls on data prepared above; it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            nix::unistd::setsid()?;
            #[cfg(target_os = "linux")]
            super::contain::die_with_parent(grader)?;
            if let Some(limits) = limits {
                let set = |resource, value: u64| setrlimit(resource, value, value);
                set(Resource::RLIMIT_CORE, 0)?;
                // The soft limit sends SIGXCPU, which says why; the hard one, a little
                // later, SIGKILL for a process that ignores it.
                setrlimit(
                    Resource::RLIMIT_CPU,
                    limits.cpu_secs,
                    limits.cpu_secs.saturating_add(2),
                )?;
                set(Resource::RLIMIT_FSIZE, limits.file_bytes)?;
                #[cfg(not(target_os = "macos"))]
                set(Resource::RLIMIT_DATA, limits.memory_bytes)?;
                #[cfg(target_os = "macos")]
                let _ = limits.memory_bytes; // macOS does not enforce a data limit.
            }
            #[cfg(target_os = "linux")]
            if let Some(plan) = &plan {
                plan.enter()?;
            }
            #[cfg(target_os = "linux")]
            if let Some(ruleset) = &confinement {
                super::contain::restrict_self(ruleset)?;
            }
            Ok(())
        });
    }
    Ok(())
}

/// The pid of the program itself in a run whose direct child is `child`: contained runs
/// put it below a relay and an init.
pub fn test_pid(child: u32, contained: bool) -> Option<u32> {
    #[cfg(target_os = "linux")]
    if contained {
        return super::contain::test_pid(child);
    }
    let _ = contained;
    Some(child)
}

/// Wakes the waiting loop when a child ends (Linux: a pidfd, readable once the process
/// has exited), or after the given time where the OS has no such notice.
#[derive(Debug)]
pub struct ExitNotice(Option<std::os::fd::OwnedFd>);

impl ExitNotice {
    pub fn new(pid: u32) -> ExitNotice {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::FromRawFd;
            // SAFETY: pidfd_open takes plain integers and returns a new descriptor.
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
            if let Ok(fd) = i32::try_from(fd)
                && fd >= 0
            {
                // SAFETY: the descriptor is new and owned by nothing else.
                return ExitNotice(Some(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }));
            }
        }
        let _ = pid;
        ExitNotice(None)
    }

    /// Whether [`ExitNotice::wait`] returns as soon as the child ends.
    pub fn is_exact(&self) -> bool {
        self.0.is_some()
    }

    /// Waits until the child ends or `bound` passes.
    pub fn wait(&self, bound: Duration) {
        let Some(fd) = &self.0 else {
            thread::sleep(bound);
            return;
        };
        let mut poll = libc::pollfd {
            fd: std::os::fd::AsRawFd::as_raw_fd(fd),
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = libc::c_int::try_from(bound.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
        // SAFETY: one pollfd on the stack.
        unsafe { libc::poll(&raw mut poll, 1, millis) };
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
