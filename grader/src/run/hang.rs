//! Watching a running test process for a deadlock, so it is stopped within a second of
//! hanging instead of at its time limit (Linux, from `/proc`).
//!
//! Every [`SAMPLE_EVERY`] the watcher reads each thread's state, CPU ticks, context
//! switches and current system call. A thread is *stuck* when it sleeps in a wait that
//! has no deadline before the run's time limit: a futex wait (a lock, a channel, a join, a
//! condvar, a park) without a timeout, or a blocking read while the process has no child
//! that could write. A thread asleep on a timer, in a timed wait, stopped, running, or in
//! anything else is not. When every thread is stuck and none woke up or used CPU for
//! [`SETTLE`], nothing inside the process can ever wake another: the process is
//! deadlocked. The classification of samples is pure and table-tested below; reading
//! `/proc` is the thin impure layer around it.

use std::fs;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

/// How often the threads are sampled.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(100);
/// How long every thread must stay stuck, without waking or using CPU, before the process
/// is judged deadlocked.
pub const SETTLE: Duration = Duration::from_millis(400);
/// A wait whose deadline is this much beyond the time limit counts as a wait without one:
/// the process is killed before it could end.
const BEYOND_LIMIT: Duration = Duration::from_secs(1);

/// x86_64 system call numbers (see `NOTES.md`).
mod nr {
    pub const READ: u64 = 0;
    pub const POLL: u64 = 7;
    pub const PREAD64: u64 = 17;
    pub const READV: u64 = 19;
    pub const SELECT: u64 = 23;
    pub const NANOSLEEP: u64 = 35;
    pub const ACCEPT: u64 = 43;
    pub const RECVFROM: u64 = 45;
    pub const RECVMSG: u64 = 47;
    pub const FUTEX: u64 = 202;
    pub const EPOLL_WAIT: u64 = 232;
    pub const CLOCK_NANOSLEEP: u64 = 230;
    pub const PSELECT6: u64 = 270;
    pub const PPOLL: u64 = 271;
    pub const EPOLL_PWAIT: u64 = 281;
    pub const ACCEPT4: u64 = 288;
    pub const EPOLL_PWAIT2: u64 = 441;
    pub const FUTEX_WAITV: u64 = 449;
    pub const FUTEX_WAIT: u64 = 454;
}

/// What `/proc/PID/task/TID/syscall` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syscall {
    /// The thread is running (or runnable).
    Running,
    /// Blocked, but not in a system call (a page fault, ...).
    Outside,
    /// Blocked in system call `nr` with these arguments.
    In { nr: u64, args: [u64; 6] },
}

/// How long a blocked thread's wait may last, from its system call alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitClass {
    /// A futex wait with no deadline: only another thread can end it.
    Futex,
    /// A read or poll with no deadline: another thread, or a child process, can end it.
    Io,
    /// A wait with a deadline in the timespec at `ptr` (absolute on `clock`, or relative).
    Deadline { ptr: u64, clock: Clock },
    /// A wait with a deadline in milliseconds (poll, epoll).
    DeadlineMs(u64),
    /// A sleep: it ends by itself.
    Sleep,
    /// Anything else: no judgement.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    Relative,
    Monotonic,
    Realtime,
}

/// Reads the line of `/proc/PID/task/TID/syscall`.
pub fn parse_syscall(line: &str) -> Option<Syscall> {
    let line = line.trim();
    if line == "running" {
        return Some(Syscall::Running);
    }
    let mut fields = line.split_whitespace();
    let first = fields.next()?;
    if first == "-1" {
        return Some(Syscall::Outside);
    }
    let nr = first.parse().ok()?;
    let mut args = [0u64; 6];
    for arg in &mut args {
        let field = fields.next()?;
        *arg = u64::from_str_radix(field.trim_start_matches("0x"), 16).ok()?;
    }
    Some(Syscall::In { nr, args })
}

/// What kind of wait system call `nr` with `args` is (x86_64).
pub fn classify(nr: u64, args: [u64; 6]) -> WaitClass {
    const FUTEX_CMD_MASK: u64 = 0x7f;
    const FUTEX_CLOCK_REALTIME: u64 = 256;
    let deadline = |ptr: u64, clock: Clock, untimed: WaitClass| {
        if ptr == 0 {
            untimed
        } else {
            WaitClass::Deadline { ptr, clock }
        }
    };
    let ms = |timeout: u64, untimed: WaitClass| {
        // An `int` timeout: negative means forever.
        if (timeout as u32 as i32) < 0 {
            untimed
        } else {
            WaitClass::DeadlineMs(timeout as u32 as u64)
        }
    };
    match nr {
        nr::FUTEX => {
            let op = args[1] & FUTEX_CMD_MASK;
            let realtime = args[1] & FUTEX_CLOCK_REALTIME != 0;
            let absolute = if realtime {
                Clock::Realtime
            } else {
                Clock::Monotonic
            };
            match op {
                // FUTEX_WAIT: a relative timeout.
                0 => deadline(args[3], Clock::Relative, WaitClass::Futex),
                // FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_LOCK_PI2.
                9 | 11 | 13 => deadline(args[3], absolute, WaitClass::Futex),
                // FUTEX_LOCK_PI: always CLOCK_REALTIME.
                6 => deadline(args[3], Clock::Realtime, WaitClass::Futex),
                _ => WaitClass::Other,
            }
        }
        nr::FUTEX_WAITV => deadline(args[3], clock_id(args[4]), WaitClass::Futex),
        nr::FUTEX_WAIT => deadline(args[4], clock_id(args[5]), WaitClass::Futex),
        nr::READ
        | nr::READV
        | nr::PREAD64
        | nr::RECVFROM
        | nr::RECVMSG
        | nr::ACCEPT
        | nr::ACCEPT4 => WaitClass::Io,
        nr::POLL => ms(args[2], WaitClass::Io),
        nr::EPOLL_WAIT | nr::EPOLL_PWAIT => ms(args[3], WaitClass::Io),
        nr::PPOLL => deadline(args[2], Clock::Relative, WaitClass::Io),
        nr::EPOLL_PWAIT2 => deadline(args[3], Clock::Relative, WaitClass::Io),
        nr::SELECT | nr::PSELECT6 => deadline(args[4], Clock::Relative, WaitClass::Io),
        nr::NANOSLEEP | nr::CLOCK_NANOSLEEP => WaitClass::Sleep,
        _ => WaitClass::Other,
    }
}

fn clock_id(id: u64) -> Clock {
    const CLOCK_REALTIME: u64 = 0;
    if id == CLOCK_REALTIME {
        Clock::Realtime
    } else {
        Clock::Monotonic
    }
}

/// One thread at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadSample {
    pub tid: u32,
    /// Whether it sleeps in a wait that cannot end before the time limit by itself.
    pub stuck: Stuck,
    /// CPU ticks plus context switches: any change means the thread ran or woke.
    pub progress: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stuck {
    /// Only another thread of the process can wake it.
    ByThreads,
    /// A read or poll: another thread, or a child process, can wake it.
    ByIo,
    /// Running, sleeping on a timer, in a timed wait, stopped, or undecided.
    No,
}

/// Decides, from successive samples, when a process is deadlocked. Pure: the caller
/// samples and says when.
#[derive(Debug)]
pub struct Judge {
    settle: Duration,
    /// Since when every thread has been stuck with this progress.
    quiet: Option<(Instant, Vec<(u32, u64)>)>,
}

impl Judge {
    pub fn new(settle: Duration) -> Self {
        Judge {
            settle,
            quiet: None,
        }
    }

    /// Takes one sample of every thread; true once the process is deadlocked.
    /// `has_children` says whether a child process could still end a read.
    pub fn observe(&mut self, now: Instant, threads: &[ThreadSample], has_children: bool) -> bool {
        if !stuck_for_good(threads, has_children) {
            self.quiet = None;
            return false;
        }
        let progress: Vec<(u32, u64)> = threads.iter().map(|t| (t.tid, t.progress)).collect();
        match &self.quiet {
            Some((since, before)) if *before == progress => {
                now.duration_since(*since) >= self.settle
            }
            _ => {
                self.quiet = Some((now, progress));
                false
            }
        }
    }
}

/// Watches one live process: samples it at most every [`SAMPLE_EVERY`].
#[derive(Debug)]
pub struct Watcher {
    pid: u32,
    judge: Judge,
    next_sample: Instant,
    /// When the process's time limit ends: a wait that outlasts it counts as endless.
    deadline: Instant,
}

impl Watcher {
    pub fn new(pid: u32, settle: Duration, started: Instant, deadline: Instant) -> Self {
        Watcher {
            pid,
            judge: Judge::new(settle),
            next_sample: started + SAMPLE_EVERY,
            deadline,
        }
    }

    /// True once the process is deadlocked; call it often, it samples when due.
    pub fn deadlocked(&mut self, now: Instant) -> bool {
        if now < self.next_sample {
            return false;
        }
        self.next_sample = now + SAMPLE_EVERY;
        let Some(threads) = sample(self.pid, self.deadline) else {
            return false;
        };
        let children = has_children(self.pid);
        self.judge.observe(now, &threads, children)
    }
}

/// Whether every thread of `pid` waits, right now, for something only another thread (or
/// a child) can bring: `None` when `/proc` does not tell.
pub fn all_stuck(pid: u32) -> Option<bool> {
    let threads = sample(pid, Instant::now())?;
    Some(stuck_for_good(&threads, has_children(pid)))
}

/// Whether every thread waits for something only another thread (or, for a read, a child
/// process) could bring.
fn stuck_for_good(threads: &[ThreadSample], has_children: bool) -> bool {
    !threads.is_empty()
        && threads.iter().all(|thread| match thread.stuck {
            Stuck::ByThreads => true,
            Stuck::ByIo => !has_children,
            Stuck::No => false,
        })
}

/// Every thread of `pid`, or `None` when `/proc` does not tell.
fn sample(pid: u32, deadline: Instant) -> Option<Vec<ThreadSample>> {
    let tasks = fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mem = fs::File::open(format!("/proc/{pid}/mem")).ok();
    let mut threads = Vec::new();
    for task in tasks.flatten() {
        let tid: u32 = task.file_name().to_str()?.parse().ok()?;
        let dir = task.path();
        let stat = fs::read_to_string(dir.join("stat")).ok()?;
        let (state, ticks) = super::procfs::state_and_ticks(&stat)?;
        let switches = fs::read_to_string(dir.join("status"))
            .map(|status| context_switches(&status))
            .unwrap_or(0);
        let syscall = fs::read_to_string(dir.join("syscall"))
            .ok()
            .and_then(|line| parse_syscall(&line));
        let stuck = match (state, syscall) {
            ('S', Some(Syscall::In { nr, args })) => {
                stuck_in(classify(nr, args), mem.as_ref(), deadline)
            }
            _ => Stuck::No,
        };
        threads.push(ThreadSample {
            tid,
            stuck,
            progress: ticks + switches,
        });
    }
    threads.sort_by_key(|thread| thread.tid);
    Some(threads)
}

/// Whether a wait of `class` can end before the time limit without another thread.
fn stuck_in(class: WaitClass, mem: Option<&fs::File>, deadline: Instant) -> Stuck {
    let left = deadline.saturating_duration_since(Instant::now()) + BEYOND_LIMIT;
    match class {
        WaitClass::Futex => Stuck::ByThreads,
        WaitClass::Io => Stuck::ByIo,
        WaitClass::DeadlineMs(ms) if Duration::from_millis(ms) > left => Stuck::ByIo,
        WaitClass::Deadline { ptr, clock } => {
            match mem.and_then(|mem| remaining(mem, ptr, clock)) {
                Some(wait) if wait > left => Stuck::ByThreads,
                _ => Stuck::No,
            }
        }
        _ => Stuck::No,
    }
}

/// How long a wait with the timespec at `ptr` has left, at most.
fn remaining(mem: &fs::File, ptr: u64, clock: Clock) -> Option<Duration> {
    let mut bytes = [0u8; 16];
    mem.read_exact_at(&mut bytes, ptr).ok()?;
    let secs = i64::from_ne_bytes(bytes[..8].try_into().ok()?);
    let nanos = i64::from_ne_bytes(bytes[8..].try_into().ok()?);
    let at = Duration::new(u64::try_from(secs).ok()?, u32::try_from(nanos).ok()?);
    let now = match clock {
        Clock::Relative => return Some(at),
        Clock::Monotonic => nix::time::ClockId::CLOCK_MONOTONIC,
        Clock::Realtime => nix::time::ClockId::CLOCK_REALTIME,
    };
    let now = Duration::from(nix::time::clock_gettime(now).ok()?);
    Some(at.saturating_sub(now))
}

fn context_switches(status: &str) -> u64 {
    status
        .lines()
        .filter(|line| line.contains("ctxt_switches:"))
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// Whether `pid` has child processes (which could end a read of a pipe, or wake a shared
/// futex). Unknown counts as yes.
fn has_children(pid: u32) -> bool {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return true;
    };
    for task in tasks.flatten() {
        match fs::read_to_string(task.path().join("children")) {
            Ok(children) if children.trim().is_empty() => {}
            _ => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_lines_parse() {
        assert_eq!(parse_syscall("running\n"), Some(Syscall::Running));
        assert_eq!(
            parse_syscall("-1 0x7ffc6cbc75a8 0x7fc16459b829"),
            Some(Syscall::Outside)
        );
        assert_eq!(
            parse_syscall(
                "202 0x55b8d2d705f8 0x89 0xffffffff 0x0 0x0 0x7ffcffffffff 0x7ffc6cbc75a8 0x7fc16459b829\n"
            ),
            Some(Syscall::In {
                nr: 202,
                args: [0x55b8_d2d7_05f8, 0x89, 0xffff_ffff, 0, 0, 0x7ffc_ffff_ffff],
            })
        );
        assert_eq!(parse_syscall(""), None);
    }

    /// Each row: a system call as `/proc` shows it, and what kind of wait it is.
    #[test]
    fn wait_classes() {
        let rows: &[(&str, u64, [u64; 6], WaitClass)] = &[
            (
                "std's futex wait, no timeout",
                202,
                [1, 0x89, 0, 0, 0, 0],
                WaitClass::Futex,
            ),
            (
                "std's futex wait with a deadline (recv_timeout, wait_timeout)",
                202,
                [1, 0x89, 0, 0x7000, 0, 0],
                WaitClass::Deadline {
                    ptr: 0x7000,
                    clock: Clock::Monotonic,
                },
            ),
            (
                "glibc's join, FUTEX_WAIT",
                202,
                [1, 0, 5, 0, 0, 0],
                WaitClass::Futex,
            ),
            (
                "a relative FUTEX_WAIT timeout",
                202,
                [1, 0x80, 5, 0x7000, 0, 0],
                WaitClass::Deadline {
                    ptr: 0x7000,
                    clock: Clock::Relative,
                },
            ),
            (
                "a realtime bitset wait",
                202,
                [1, 0x189, 5, 0x7000, 0, 0],
                WaitClass::Deadline {
                    ptr: 0x7000,
                    clock: Clock::Realtime,
                },
            ),
            (
                "a futex wake is no wait",
                202,
                [1, 0x81, 1, 0, 0, 0],
                WaitClass::Other,
            ),
            (
                "thread::sleep",
                230,
                [1, 0, 0x7000, 0x7000, 0, 0],
                WaitClass::Sleep,
            ),
            ("nanosleep", 35, [0x7000, 0, 0, 0, 0, 0], WaitClass::Sleep),
            (
                "a blocking read",
                0,
                [3, 0x7000, 10, 0, 0, 0],
                WaitClass::Io,
            ),
            (
                "poll forever",
                7,
                [0x7000, 1, 0xffff_ffff, 0, 0, 0],
                WaitClass::Io,
            ),
            (
                "poll 50 ms",
                7,
                [0x7000, 1, 50, 0, 0, 0],
                WaitClass::DeadlineMs(50),
            ),
            ("wait for a child", 61, [0, 0, 0, 0, 0, 0], WaitClass::Other),
            (
                "futex_waitv forever",
                449,
                [0x7000, 2, 0, 0, 1, 0],
                WaitClass::Futex,
            ),
        ];
        for (what, nr, args, class) in rows {
            assert_eq!(classify(*nr, *args), *class, "{what}");
        }
    }

    fn thread(tid: u32, stuck: Stuck, progress: u64) -> ThreadSample {
        ThreadSample {
            tid,
            stuck,
            progress,
        }
    }

    /// Feeds samples 100 ms apart; returns the index of the first that judged a deadlock.
    fn first_verdict(samples: &[Vec<ThreadSample>], has_children: bool) -> Option<usize> {
        let start = Instant::now();
        let mut judge = Judge::new(Duration::from_millis(400));
        samples.iter().enumerate().position(|(index, threads)| {
            judge.observe(
                start + Duration::from_millis(100) * u32::try_from(index).unwrap(),
                threads,
                has_children,
            )
        })
    }

    #[test]
    fn every_thread_stuck_and_still_is_a_deadlock_after_the_settle_period() {
        let stuck = vec![
            thread(1, Stuck::ByThreads, 5),
            thread(2, Stuck::ByThreads, 9),
        ];
        let samples = vec![stuck.clone(); 8];
        assert_eq!(first_verdict(&samples, false), Some(4));
    }

    #[test]
    fn progress_restarts_the_settle_period() {
        let at = |progress| {
            vec![
                thread(1, Stuck::ByThreads, 5),
                thread(2, Stuck::ByThreads, progress),
            ]
        };
        let samples = vec![at(1), at(1), at(1), at(2), at(2), at(2), at(2), at(2)];
        assert_eq!(first_verdict(&samples, false), Some(7));
    }

    #[test]
    fn a_sleeping_running_or_timed_thread_is_never_a_deadlock() {
        let samples = vec![vec![thread(1, Stuck::ByThreads, 5), thread(2, Stuck::No, 9)]; 50];
        assert_eq!(first_verdict(&samples, false), None);
        assert_eq!(
            first_verdict(&vec![Vec::new(); 10], false),
            None,
            "no threads seen"
        );
    }

    #[test]
    fn a_read_is_stuck_only_when_no_child_process_could_write() {
        let samples = vec![vec![thread(1, Stuck::ByIo, 5), thread(2, Stuck::ByThreads, 9)]; 8];
        assert_eq!(first_verdict(&samples, false), Some(4));
        assert_eq!(first_verdict(&samples, true), None);
    }

    #[test]
    fn a_new_or_finished_thread_restarts_the_settle_period() {
        let one = vec![thread(1, Stuck::ByThreads, 5)];
        let two = vec![
            thread(1, Stuck::ByThreads, 5),
            thread(2, Stuck::ByThreads, 1),
        ];
        let samples = vec![
            one.clone(),
            one.clone(),
            one,
            two.clone(),
            two.clone(),
            two.clone(),
            two.clone(),
            two,
        ];
        assert_eq!(first_verdict(&samples, false), Some(7));
    }

    /// A wait whose deadline lies beyond the time limit is as good as endless; one that
    /// ends before it is not. The deadline is read from the waiting thread's memory (here,
    /// this process's own).
    #[test]
    fn deadlines_beyond_the_limit_count_as_no_deadline() {
        let mem = fs::File::open("/proc/self/mem").unwrap();
        let now =
            Duration::from(nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).unwrap());
        let limit = Instant::now() + Duration::from_secs(10);
        let check = |timespec: &[i64; 2], clock| {
            let ptr = std::ptr::from_ref(timespec) as u64;
            stuck_in(WaitClass::Deadline { ptr, clock }, Some(&mem), limit)
        };
        let at = |from_now: u64| {
            let deadline = now + Duration::from_secs(from_now);
            [
                i64::try_from(deadline.as_secs()).unwrap(),
                i64::from(deadline.subsec_nanos()),
            ]
        };
        assert_eq!(
            check(&at(100), Clock::Monotonic),
            Stuck::ByThreads,
            "libtest's 60 s warning"
        );
        assert_eq!(
            check(&at(2), Clock::Monotonic),
            Stuck::No,
            "a recv_timeout that ends first"
        );
        assert_eq!(check(&[100, 0], Clock::Relative), Stuck::ByThreads);
        assert_eq!(check(&[0, 50_000_000], Clock::Relative), Stuck::No);
        assert_eq!(
            stuck_in(
                WaitClass::Deadline {
                    ptr: 8,
                    clock: Clock::Relative
                },
                Some(&mem),
                limit
            ),
            Stuck::No,
            "unreadable: undecided"
        );
        assert_eq!(stuck_in(WaitClass::Sleep, Some(&mem), limit), Stuck::No);
    }

    #[test]
    fn context_switches_add_up() {
        let status = "Name:\tx\nvoluntary_ctxt_switches:\t3\nnonvoluntary_ctxt_switches:\t4\n";
        assert_eq!(context_switches(status), 7);
    }
}
