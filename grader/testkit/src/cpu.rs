//! CPU accounting: did the learner's code *block* while the test kept it waiting, or did
//! it poll, sleep in a loop, or wait with a timeout?
//!
//! A [`Watch`] remembers which threads existed when it started; every thread that appears
//! later (the learner's code on a thread the test spawned, and whatever threads that code
//! starts) is watched. [`Watch::until_blocked`] samples those threads until they are all
//! blocked *without a timeout* and use no CPU, which is what `recv`, `join`, a `Mutex`, a
//! `Condvar::wait` or `park` look like. It fails fast, with a message that names the
//! mistake, when a watched thread:
//! - keeps running: it burned CPU ("used 60 ms of CPU in 70 ms: it polls");
//! - sleeps (`thread::sleep`) or waits with a timeout (`recv_timeout`, `wait_timeout`,
//!   `park_timeout`): it waits by the clock, so a slower peer would break it;
//! - returns while it should still be waiting.
//!
//! On Linux this reads `/proc/self/task/TID/{stat,syscall,schedstat}`: the state of each
//! thread, the system call it waits in and its arguments (a futex wait whose timeout
//! pointer is null waits forever), and its CPU time in nanoseconds. Elsewhere it falls
//! back to the process's CPU time over a short grace period (a polling loop shows as CPU
//! used; a sleeping loop goes unnoticed there): weaker, but it never fails a blocking
//! answer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::gate::is_held;

/// A kernel thread id.
pub type Tid = i64;

/// CPU a watched group of threads may use while it should be waiting, before it counts
/// as polling. A blocking answer uses well under a millisecond; a polling loop reaches this
/// in its first few dozen milliseconds of CPU, however loaded the machine.
pub const POLLING_CPU: Duration = Duration::from_millis(50);

/// How long every watched thread must stay blocked, with no CPU progress, to count as
/// waiting for real.
const SETTLE: Duration = Duration::from_millis(20);

/// Samples in which a thread was seen sleeping or in a timed wait before it counts as
/// waiting by the clock (a blocking answer is never seen there at all).
const TIMED_SAMPLES: u32 = 5;

/// Liveness bound of [`Watch::until_blocked`]: only a thread stuck in a state the watch
/// cannot classify ever gets here.
pub const WATCH_BOUND: Duration = Duration::from_secs(5);

/// How often the watch samples.
const SAMPLE_EVERY: Duration = Duration::from_millis(1);

/// The kernel id of the calling thread, where the platform has one the watch can use.
pub fn current_tid() -> Option<Tid> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions and cannot fail.
        Some(Tid::from(unsafe { libc::gettid() }))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// CPU time used so far by the whole process (every thread), if the platform tells.
pub fn process_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        clock(libc::CLOCK_PROCESS_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// CPU time used so far by the calling thread, if the platform tells.
pub fn thread_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        clock(libc::CLOCK_THREAD_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(unix)]
fn clock(id: libc::clockid_t) -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec.
    let status = unsafe { libc::clock_gettime(id, &raw mut now) };
    (status == 0).then(|| {
        Duration::new(
            u64::try_from(now.tv_sec).unwrap_or(0),
            u32::try_from(now.tv_nsec).unwrap_or(0),
        )
    })
}

/// Measures the process's CPU time against the wall clock over a stretch of a test.
#[derive(Debug, Clone, Copy)]
pub struct CpuMeter {
    cpu: Option<Duration>,
    wall: Instant,
}

impl CpuMeter {
    /// Starts measuring now.
    pub fn start() -> CpuMeter {
        CpuMeter {
            cpu: process_cpu_time(),
            wall: Instant::now(),
        }
    }

    /// CPU time used since the start (`None` where the platform does not tell), and the
    /// wall time elapsed.
    pub fn used(&self) -> (Option<Duration>, Duration) {
        let cpu = self
            .cpu
            .zip(process_cpu_time())
            .map(|(start, now)| now.saturating_sub(start));
        (cpu, self.wall.elapsed())
    }

    /// Panics when the process used more than half the wall time in CPU since the start
    /// (and at least [`POLLING_CPU`]): `who` polled while it was `waiting_for` something.
    /// Generous on purpose, so that a blocking answer passes on any machine; the test
    /// must keep its own threads blocked while it measures.
    #[track_caller]
    pub fn assert_idle(&self, who: &str, waiting_for: &str, mistake: &str) {
        if let (Some(cpu), wall) = self.used() {
            assert!(
                cpu < POLLING_CPU || cpu < wall / 2,
                "{who} used {} ms of CPU while waiting {} ms for {waiting_for}: it polls; \
                 {mistake}",
                cpu.as_millis(),
                wall.as_millis()
            );
        }
    }
}

/// What a thread was doing when it was sampled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThreadState {
    /// Waiting without a timeout (a futex wait with no deadline, or another system call
    /// that sleeps until something happens).
    Blocked,
    /// Held at a testkit [`Gate`](crate::Gate).
    Held,
    /// In `thread::sleep`.
    Sleeping,
    /// Waiting with a timeout (`recv_timeout`, `wait_timeout`, `park_timeout`).
    TimedWait,
    /// Running or ready to run (including `yield_now`).
    Running,
    /// The platform does not tell.
    Unknown,
}

/// One sample of one thread.
#[derive(Clone, Debug)]
pub struct ThreadSample {
    pub tid: Tid,
    /// The kernel's name for it (at most 15 bytes of the Rust thread name).
    pub name: String,
    pub state: ThreadState,
    /// CPU time used by the thread so far.
    pub cpu: Duration,
}

/// Set by [`assume_tests_run_one_at_a_time`].
static ONE_AT_A_TIME: AtomicBool = AtomicBool::new(false);

/// Declares that this test binary runs its watching tests one at a time (they take a lock
/// of their own, say), so a [`Watch`] may judge every new thread it sees. The grader's
/// `--test-threads=1` says so without this.
pub fn assume_tests_run_one_at_a_time() {
    ONE_AT_A_TIME.store(true, Ordering::Relaxed);
}

/// Whether tests run one at a time: `--test-threads=1` on the command line (as the grader
/// runs them), `RUST_TEST_THREADS=1`, or [`assume_tests_run_one_at_a_time`]. A [`Watch`]
/// sees every thread of the process, so when tests run in parallel (a plain `cargo test`
/// run by hand) it cannot tell the learner's threads from another test's. Then it only
/// waits a short grace period and never fails a test on what it saw: exact under the
/// grader, lenient elsewhere.
pub fn tests_run_one_at_a_time() -> bool {
    static FROM_ARGS: OnceLock<bool> = OnceLock::new();
    ONE_AT_A_TIME.load(Ordering::Relaxed)
        || *FROM_ARGS.get_or_init(|| {
            let args: Vec<String> = std::env::args().collect();
            let flag = args.iter().any(|arg| arg == "--test-threads=1")
                || args
                    .windows(2)
                    .any(|pair| pair[0] == "--test-threads" && pair[1] == "1");
            flag || std::env::var("RUST_TEST_THREADS").is_ok_and(|threads| threads.trim() == "1")
        })
}

/// The threads started after a point in a test: the learner's.
#[derive(Debug)]
pub struct Watch {
    baseline: BTreeSet<Tid>,
    started: Instant,
}

/// Which waits count as blocked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Only waits without a timeout; timed waits, sleeps and CPU are polling.
    Strict,
    /// Timed waits too; sleeps and CPU are polling.
    AllowTimeouts,
    /// Waiting for the code to finish: only a settled block (a deadlock) is a fault.
    Finish,
}

/// How [`Watch::wait`] ended.
#[derive(Clone, Debug)]
pub enum Waited {
    /// Every watched thread is blocked without a timeout and uses no CPU.
    Blocked,
    /// The test's `finished` condition became true first.
    Finished,
    /// A watched thread waited by the clock, or the threads used CPU: what was seen.
    Busy(String),
}

impl Watch {
    /// Starts watching: every thread that exists now is ignored from here on.
    pub fn start() -> Watch {
        Watch {
            baseline: all_threads(),
            started: Instant::now(),
        }
    }

    /// The watched threads (started since the watch, alive now, not the caller).
    pub fn sample(&self) -> Vec<ThreadSample> {
        let me = current_tid();
        all_threads()
            .into_iter()
            .filter(|tid| !self.baseline.contains(tid) && Some(*tid) != me)
            .filter_map(sample_thread)
            .collect()
    }

    /// How many watched threads are alive now.
    pub fn threads(&self) -> usize {
        self.sample().len()
    }

    /// Samples the watched threads until they are all blocked without a timeout (or held
    /// at a gate) and use no CPU, or until `finished()` is true, or until one of them
    /// shows it polls or waits by the clock.
    pub fn wait(&self, finished: &dyn Fn() -> bool) -> Waited {
        self.wait_with(finished, Mode::Strict)
    }

    /// Like [`Watch::wait`], but a wait with a timeout (`recv_timeout`, `park_timeout`,
    /// a `select!` with a `default(timeout)` arm) counts as blocked: for code whose lesson
    /// *is* a bounded wait. A `sleep` or CPU burned still count as polling.
    pub fn wait_allowing_timeouts(&self, finished: &dyn Fn() -> bool) -> Waited {
        self.wait_with(finished, Mode::AllowTimeouts)
    }

    /// Samples the watched threads until `finished()` is true, or until they are all
    /// blocked without a timeout and use no CPU *before* it is: then they wait for
    /// something that will never happen (a deadlock, a channel nobody closes). Unlike
    /// [`Watch::wait`], CPU use and timed waits are not faults here, just not done yet.
    pub fn wait_finished(&self, finished: &dyn Fn() -> bool) -> Waited {
        self.wait_with(finished, Mode::Finish)
    }

    fn wait_with(&self, finished: &dyn Fn() -> bool, mode: Mode) -> Waited {
        let strict = mode != Mode::Finish;
        let exact = tests_run_one_at_a_time();
        if cfg!(not(target_os = "linux")) || current_tid().is_none() || !exact {
            if !strict {
                let start = Instant::now();
                while start.elapsed() < WATCH_BOUND {
                    if finished() {
                        return Waited::Finished;
                    }
                    thread::sleep(SAMPLE_EVERY);
                }
                return Waited::Busy(format!("it did not finish within {WATCH_BOUND:?}"));
            }
            // Process CPU means something only when this test is alone in the process.
            return fallback_wait(finished, exact);
        }
        let start = Instant::now();
        let mut first_cpu: BTreeMap<Tid, Duration> = BTreeMap::new();
        let mut timed: BTreeMap<Tid, (u32, ThreadState, String)> = BTreeMap::new();
        let mut settled: Option<(Instant, Duration)> = None;
        loop {
            if finished() {
                return Waited::Finished;
            }
            let threads = self.sample();
            let mut used = Duration::ZERO;
            let mut cpu_now = Duration::ZERO;
            for thread in &threads {
                let first = *first_cpu.entry(thread.tid).or_insert(thread.cpu);
                used += thread.cpu.saturating_sub(first);
                cpu_now += thread.cpu;
                let clocked = match mode {
                    Mode::Strict => {
                        matches!(thread.state, ThreadState::Sleeping | ThreadState::TimedWait)
                    }
                    Mode::AllowTimeouts => thread.state == ThreadState::Sleeping,
                    Mode::Finish => false,
                };
                if clocked {
                    let seen = timed.entry(thread.tid).or_insert((
                        0,
                        thread.state.clone(),
                        thread.name.clone(),
                    ));
                    seen.0 += 1;
                    seen.1 = thread.state.clone();
                    if seen.0 >= TIMED_SAMPLES {
                        return Waited::Busy(clock_message(&seen.2, &seen.1));
                    }
                }
            }
            let wall = start.elapsed();
            if strict && used >= POLLING_CPU {
                return Waited::Busy(cpu_message(used, wall, &threads));
            }
            let all_blocked = threads.iter().all(|thread| match thread.state {
                ThreadState::Blocked | ThreadState::Held => true,
                ThreadState::TimedWait => mode == Mode::AllowTimeouts,
                _ => false,
            });
            if all_blocked {
                match settled {
                    Some((since, cpu)) if cpu == cpu_now => {
                        if since.elapsed() >= SETTLE {
                            // The condition may have become true while we sampled.
                            return if finished() {
                                Waited::Finished
                            } else {
                                Waited::Blocked
                            };
                        }
                    }
                    _ => settled = Some((Instant::now(), cpu_now)),
                }
            } else {
                settled = None;
            }
            if wall >= WATCH_BOUND {
                return Waited::Busy(format!(
                    "its threads were still not blocked after {wall:?}: {}",
                    describe(&threads)
                ));
            }
            thread::sleep(SAMPLE_EVERY);
        }
    }

    /// Waits until the learner's code is blocked, and panics when it is not.
    ///
    /// `who` names the code ("your consumer"), `while_waiting` what the test is doing
    /// meanwhile ("a Sender is still open and quiet"), `mistake` what to do about it.
    /// The panic says which of the three ways it went wrong: it returned, it waited by the
    /// clock, or it used CPU.
    ///
    /// # Panics
    /// When `finished()` becomes true or the threads do not block, as above.
    #[track_caller]
    pub fn until_blocked(
        &self,
        finished: &dyn Fn() -> bool,
        who: &str,
        while_waiting: &str,
        mistake: &str,
    ) {
        match self.wait(finished) {
            Waited::Blocked => {}
            Waited::Finished => panic!("{who} returned while {while_waiting}: {mistake}"),
            Waited::Busy(seen) => {
                panic!("{who} did not block while {while_waiting}: {seen}; {mistake}")
            }
        }
    }

    /// When the watch started.
    pub fn started(&self) -> Instant {
        self.started
    }
}

fn clock_message(name: &str, state: &ThreadState) -> String {
    let how = match state {
        ThreadState::Sleeping => "slept (`thread::sleep`)",
        _ => "waited with a timeout (`recv_timeout`, `wait_timeout`, `park_timeout`, ...)",
    };
    format!("thread '{name}' {how}: it waits by the clock, not for the event")
}

fn cpu_message(used: Duration, wall: Duration, threads: &[ThreadSample]) -> String {
    format!(
        "it used {} ms of CPU while waiting {} ms: it polls ({})",
        used.as_millis(),
        wall.as_millis().max(1),
        describe(threads)
    )
}

fn describe(threads: &[ThreadSample]) -> String {
    let mut text = String::new();
    for (index, thread) in threads.iter().enumerate() {
        if index > 0 {
            text.push_str(", ");
        }
        let _ = write!(text, "'{}' {:?}", thread.name, thread.state);
    }
    if text.is_empty() {
        text.push_str("no threads");
    }
    text
}

/// Without per-thread states: a short grace period, judged by the process's CPU time.
fn fallback_wait(finished: &dyn Fn() -> bool, judge_cpu: bool) -> Waited {
    const GRACE: Duration = Duration::from_millis(200);
    let meter = CpuMeter::start();
    while meter.wall.elapsed() < GRACE {
        if finished() {
            return Waited::Finished;
        }
        thread::sleep(SAMPLE_EVERY * 5);
    }
    match meter.used() {
        (Some(cpu), wall) if judge_cpu && cpu >= POLLING_CPU && cpu >= wall / 2 => {
            Waited::Busy(format!(
                "it used {} ms of CPU while waiting {} ms: it polls",
                cpu.as_millis(),
                wall.as_millis()
            ))
        }
        _ if finished() => Waited::Finished,
        _ => Waited::Blocked,
    }
}

/// Every thread of the process now.
fn all_threads() -> BTreeSet<Tid> {
    let Ok(entries) = std::fs::read_dir("/proc/self/task") else {
        return BTreeSet::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect()
}

fn sample_thread(tid: Tid) -> Option<ThreadSample> {
    let dir = format!("/proc/self/task/{tid}");
    let stat = std::fs::read_to_string(format!("{dir}/stat")).ok()?;
    // `pid (comm) state ...`: the name may contain spaces and parentheses.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_owned();
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let letter = fields.first().copied().unwrap_or("?");
    let cpu = std::fs::read_to_string(format!("{dir}/schedstat"))
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .or_else(|| {
            // utime + stime, in clock ticks (fields 14 and 15; 11 and 12 after the state).
            let ticks: u64 =
                fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
            Some(Duration::from_millis(ticks * 10))
        })
        .unwrap_or_default();
    let state = if is_held(tid) {
        ThreadState::Held
    } else {
        match letter {
            "R" => ThreadState::Running,
            "S" | "D" => {
                let syscall = std::fs::read_to_string(format!("{dir}/syscall")).unwrap_or_default();
                classify_syscall(&syscall)
            }
            "Z" | "X" => return None,
            _ => ThreadState::Unknown,
        }
    };
    Some(ThreadSample {
        tid,
        name,
        state,
        cpu,
    })
}

/// Classifies the contents of `/proc/.../syscall` of a sleeping thread.
fn classify_syscall(text: &str) -> ThreadState {
    let mut words = text.split_whitespace();
    let Some(number) = words.next() else {
        return ThreadState::Unknown;
    };
    if number == "running" {
        return ThreadState::Running;
    }
    let Ok(number) = number.parse::<i64>() else {
        return ThreadState::Unknown;
    };
    let args: Vec<u64> = words
        .take(6)
        .map(|word| u64::from_str_radix(word.trim_start_matches("0x"), 16).unwrap_or(1))
        .collect();
    classify(number, &args)
}

#[cfg(target_os = "linux")]
fn classify(number: i64, args: &[u64]) -> ThreadState {
    if number == libc::SYS_futex {
        // futex(uaddr, op, val, timeout, ...): a null timeout waits forever.
        return if args.get(3) == Some(&0) {
            ThreadState::Blocked
        } else {
            ThreadState::TimedWait
        };
    }
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    if number == libc::SYS_nanosleep {
        return ThreadState::Sleeping;
    }
    if number == libc::SYS_clock_nanosleep {
        return ThreadState::Sleeping;
    }
    if number == libc::SYS_sched_yield {
        return ThreadState::Running;
    }
    ThreadState::Blocked
}

#[cfg(not(target_os = "linux"))]
fn classify(_number: i64, _args: &[u64]) -> ThreadState {
    ThreadState::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_lines_are_classified() {
        if cfg!(not(all(target_os = "linux", target_arch = "x86_64"))) {
            return;
        }
        let blocked = "202 0x55f9ab583308 0x89 0xffffffff 0x0 0x0 0x7fe3ffffffff 0x7f 0x7f";
        let timed = "202 0x55f9ab583908 0x89 0xffffffff 0x7fe3b3b17b30 0x0 0x7f 0x7f 0x7f";
        let sleep = "230 0x1 0x0 0x7fe3b3916cb8 0x7fe3b3916cb8 0x0 0x0 0x7f 0x7f";
        assert_eq!(classify_syscall(blocked), ThreadState::Blocked);
        assert_eq!(classify_syscall(timed), ThreadState::TimedWait);
        assert_eq!(classify_syscall(sleep), ThreadState::Sleeping);
        assert_eq!(classify_syscall("running"), ThreadState::Running);
    }
}
