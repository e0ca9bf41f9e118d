//! Starting processes: the only place the grader does.
//!
//! Every process runs in its own session (so, its own process group and no controlling
//! terminal), dies with the grader (Linux), has a time limit, and has its output captured
//! up to a cap; when it ends, times out or is cancelled, the whole group is killed (TERM,
//! a grace period, KILL), so a grandchild that inherited the output pipe or a thread
//! still spinning cannot outlive it.
//!
//! Learner code is *contained* on top of that (see [`Spec::contain`]): resource limits, a
//! cleared environment, a private scratch directory as its working directory, `HOME` and
//! `TMPDIR`, and on Linux a PID namespace whose end kills everything the test started,
//! and Landlock rules that leave it write access to nothing but its scratch directory
//! (`contain.rs` says how). [`containment`] tells what this machine enforces. On a
//! timeout the hung process is diagnosed from the OS before it is killed.
//! While a test runs, its threads can be watched (`hang.rs`, Linux): once every thread
//! waits for good, the process is stopped at once as deadlocked instead of at its limit.
//! A diagnosis says where each thread waits, read from its stack (`stacks.rs`).
//!
//! Must not: judge, print, or know about exercises and verdicts: it runs a `Spec` and
//! hands back what happened.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

#[cfg(target_os = "linux")]
mod contain;
#[cfg(target_os = "linux")]
pub use contain::SCRATCH_BYTES;
/// Size of a run's scratch directory where it is a tmpfs.
#[cfg(not(target_os = "linux"))]
pub const SCRATCH_BYTES: u64 = 64 * 1024 * 1024;
#[cfg(target_os = "linux")]
mod hang;
#[cfg(target_os = "linux")]
mod procfs;
mod results;
pub mod rustc;
mod stacks;

pub use stacks::{Call, SourceLine, Wait};
#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as platform;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as platform;

pub use results::ResultsChannel;

/// How long a process group gets between TERM and KILL.
const GRACE: Duration = Duration::from_millis(300);
/// How often the waiting loop looks at the cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(20);
/// Variables a contained process keeps from the grader's environment; everything else
/// (tokens in CI, the learner's shell settings) is cleared.
const ENV_ALLOWED: &[&str] = &["PATH", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ"];
/// Bytes kept of the results channel.
const RESULTS_CAP: usize = 1024 * 1024;

/// Resource limits for learner code (applied in the child before it runs).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Writable memory (heap and thread stacks). Not address space: glibc reserves 64 MiB
    /// of address space per malloc arena, so an address-space limit kills threaded
    /// programs that use very little memory.
    pub memory_bytes: u64,
    /// CPU time over all threads: the backstop for busy loops if the wall clock fails.
    pub cpu_secs: u64,
    /// Largest file the process may write.
    pub file_bytes: u64,
}

/// What to run and under which rules.
#[derive(Debug)]
pub struct Spec {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub cwd: Option<PathBuf>,
    pub env: Vec<(OsString, OsString)>,
    /// Variables of the grader's environment the process must not see.
    pub env_remove: Vec<OsString>,
    pub timeout: Duration,
    /// Bytes kept of each of stdout and stderr (half from the start, half from the end).
    pub output_cap: usize,
    pub limits: Option<Limits>,
    /// Learner code: run it contained (cleared environment, scratch directory, PID
    /// namespace and read-only file system where the OS allows). `cwd` is ignored.
    pub contain: bool,
    /// A channel for results that the process's own code cannot reach by path once the
    /// program has opened it (see [`ResultsChannel`]); read into [`Output::results`].
    pub results: Option<ResultsChannel>,
    /// Read the OS's view of the process's threads before killing it on a timeout.
    pub diagnose_timeout: bool,
    /// The test executable and the learner's file, to say where a hung process's threads
    /// wait (Linux, ptrace); without it a diagnosis names threads only.
    pub sources: Option<Sources>,
    /// Watch the threads while the process runs, and stop it as soon as it is deadlocked
    /// instead of at the time limit (Linux; elsewhere the time limit stays).
    pub watch_threads: Option<ThreadWatch>,
    /// Set from another thread to stop the process early.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Sees the process's stdout as it comes (the captured copy is kept as usual).
    pub on_stdout: Option<StdoutObserver>,
    /// For a contained run: confine its reads to these folders and files (and its scratch
    /// directory and its own `/proc`), with Landlock where the kernel has it. `None`: it
    /// reads what the user can read.
    pub readable: Option<Vec<PathBuf>>,
    /// For a process that is not contained but must be confined (a classroom build of
    /// student code): Landlock rules for it and everything it starts (Linux; ignored
    /// where the kernel has no Landlock).
    pub confine: Option<Confinement>,
    /// For a process that is not contained but runs learner code (the compile-fail
    /// harness runs a lesson's cases): a PID namespace of its own where the OS allows, so
    /// that nothing it starts outlives it, even a process that left its session. It still
    /// reads and writes as the user does (`confine` narrows that).
    pub isolate: bool,
}

/// What a contained run may touch besides its scratch directory.
#[derive(Clone, Copy, Debug)]
pub struct Contained<'a> {
    pub scratch: &'a Path,
    /// Files it may write (its results channel).
    pub writable: &'a [&'a Path],
    /// Where it may read, if reads are confined.
    pub readable: Option<&'a [PathBuf]>,
}

/// The system's folders a program needs to read to start and run (the loader, its
/// libraries, `/etc`, `/sys`, `/dev`): what a confined process may read besides its own.
pub const SYSTEM_DIRS: &[&str] = &[
    "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev", "/opt",
];

/// Where a confined process may read and write (and it has no TCP).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confinement {
    /// Folders and files it may read (and execute) beneath.
    pub readable: Vec<PathBuf>,
    /// Folders and files it may read and write beneath.
    pub writable: Vec<PathBuf>,
    /// Its `TMPDIR`: one of the writable folders, or beneath one.
    pub tmpdir: PathBuf,
}

/// What a [`StdoutObserver`] calls with each piece of output.
pub type OutputFn = dyn Fn(&[u8]) + Send + Sync;

/// A function that sees each piece of a process's stdout as it is read.
#[derive(Clone)]
pub struct StdoutObserver(pub Arc<OutputFn>);

impl std::fmt::Debug for StdoutObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StdoutObserver")
    }
}

impl Spec {
    pub fn new(program: impl Into<PathBuf>, timeout: Duration) -> Self {
        Spec {
            program: program.into(),
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            env_remove: Vec::new(),
            timeout,
            output_cap: 64 * 1024,
            limits: None,
            contain: false,
            results: None,
            diagnose_timeout: false,
            sources: None,
            watch_threads: None,
            cancel: None,
            on_stdout: None,
            readable: None,
            confine: None,
            isolate: false,
        }
    }

    #[must_use]
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    #[must_use]
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    #[must_use]
    pub fn env_remove(mut self, key: impl Into<OsString>) -> Self {
        self.env_remove.push(key.into());
        self
    }
}

/// What this machine enforces on learner code, for `doctor` and the README's promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Containment {
    /// Each run in its own PID namespace: nothing it starts survives it.
    pub pid_namespace: bool,
    /// The namespace is owned by an unprivileged user namespace.
    pub user_namespace: bool,
    /// Writes only in the run's scratch directory (Landlock).
    pub read_only_checkout: bool,
    /// The scratch directory is a size-bounded tmpfs.
    pub bounded_scratch: bool,
    /// Processes die with the grader.
    pub die_with_grader: bool,
    /// No TCP connections or listening sockets (Landlock ABI 4).
    pub no_network: bool,
    /// Namespaces and Landlock were switched off (`THREADLINGS_CONTAINMENT=off`).
    pub switched_off: bool,
}

/// Runs learner code with a process group and limits only from now on, as
/// `THREADLINGS_CONTAINMENT=off` does (`grade --sandbox off`). Call it before any run.
pub fn switch_off_containment() {
    #[cfg(target_os = "linux")]
    contain::switch_off();
}

/// Probes (once) what this machine enforces.
pub fn containment() -> Containment {
    #[cfg(target_os = "linux")]
    {
        let support = contain::support();
        Containment {
            pid_namespace: support.namespaces.is_some(),
            user_namespace: support.namespaces == Some(contain::Namespaces::WithUser),
            read_only_checkout: support.landlock,
            bounded_scratch: support.namespaces.is_some(),
            die_with_grader: true,
            no_network: contain::landlock_network(),
            switched_off: support.switched_off,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        Containment {
            pid_namespace: false,
            user_namespace: false,
            read_only_checkout: false,
            bounded_scratch: false,
            die_with_grader: false,
            no_network: false,
            switched_off: false,
        }
    }
}

/// Where a test's code comes from, to locate its threads in the learner's lines.
#[derive(Clone, Debug)]
pub struct Sources {
    /// The test executable (with its unwind and line tables).
    pub executable: PathBuf,
    /// The exercise file the learner edits.
    pub learner_file: PathBuf,
}

/// How to watch a running process's threads for a deadlock.
#[derive(Clone, Debug)]
pub struct ThreadWatch {
    /// How long every thread must stay blocked for good, without waking or using CPU,
    /// before the process is judged deadlocked.
    pub settle: Duration,
}

impl ThreadWatch {
    /// The settle period that keeps a verdict within about a second of the hang.
    pub fn new() -> Self {
        ThreadWatch {
            #[cfg(target_os = "linux")]
            settle: hang::SETTLE,
            #[cfg(not(target_os = "linux"))]
            settle: Duration::from_millis(400),
        }
    }
}

impl Default for ThreadWatch {
    fn default() -> Self {
        ThreadWatch::new()
    }
}

/// Output kept from one stream: the start and the end, and how much was dropped between.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    pub head: Vec<u8>,
    pub tail: Vec<u8>,
    /// Bytes read but not kept.
    pub dropped: u64,
}

impl Captured {
    /// The kept output as text, with a note where bytes were dropped.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            text.push_str(&format!(
                "\n[... {} of output not shown ...]\n",
                human_bytes(self.dropped)
            ));
        }
        text.push_str(&String::from_utf8_lossy(&self.tail));
        text
    }

    #[cfg(test)]
    pub fn total(&self) -> u64 {
        self.head.len() as u64 + self.tail.len() as u64 + self.dropped
    }
}

pub fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a hung process was doing when its time ran out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Diagnosis {
    /// Every thread was asleep and none used CPU while it was watched. `early`: the
    /// watcher saw every thread blocked for good and stopped the process before its time
    /// limit.
    Deadlock {
        threads: Vec<ThreadState>,
        early: bool,
        stacks: Stacks,
    },
    /// At least one thread was running.
    BusyLoop {
        running: Vec<ThreadState>,
        stacks: Stacks,
    },
    /// No thread ran, but not every thread waits for another: at least one sleeps on a
    /// timer, waits with a timeout that ends by itself, or is stopped. Slow, not stuck.
    Waiting {
        threads: Vec<ThreadState>,
        stacks: Stacks,
    },
    /// The OS does not say (no `/proc`, or the process was already gone).
    Unknown,
}

impl Diagnosis {
    /// The threads it names, the one to look at first.
    pub fn threads(&self) -> &[ThreadState] {
        match self {
            Diagnosis::Deadlock { threads, .. } => threads,
            Diagnosis::BusyLoop { running, .. } => running,
            Diagnosis::Waiting { threads, .. } => threads,
            Diagnosis::Unknown => &[],
        }
    }

    pub fn threads_mut(&mut self) -> Option<&mut Vec<ThreadState>> {
        match self {
            Diagnosis::Deadlock { threads, .. } => Some(threads),
            Diagnosis::BusyLoop { running, .. } => Some(running),
            Diagnosis::Waiting { threads, .. } => Some(threads),
            Diagnosis::Unknown => None,
        }
    }
}

/// Whether the threads' stacks were read to say where each one is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum Stacks {
    Read,
    /// They could not be (ptrace not permitted, no unwind tables, ...): why.
    Unavailable(String),
    /// Nobody asked, or this system cannot.
    NotTried,
}

/// One thread as the OS saw it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ThreadState {
    pub tid: u32,
    /// Its name: the kernel's (cut to 15 bytes) until the grader recovers the full one.
    pub name: String,
    /// The process's first thread: libtest's harness, which waits for the test.
    pub main: bool,
    /// The kernel function it sleeps in, when the kernel tells (`futex_wait_queue`, ...).
    pub waiting_in: Option<String>,
    /// What it waits for, read from its stack.
    pub waits: Option<Wait>,
    /// The thread it waits to join, when it is one of the process's.
    pub joins: Option<u32>,
    /// Where it is in the learner's file: the innermost frame there.
    pub at: Option<SourceLine>,
}

impl ThreadState {
    /// A thread known by the kernel's view only.
    pub fn new(tid: u32, name: impl Into<String>) -> Self {
        ThreadState {
            tid,
            name: name.into(),
            main: false,
            waiting_in: None,
            waits: None,
            joins: None,
            at: None,
        }
    }
}

/// How the process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal { number: i32, name: String },
    TimedOut { diagnosis: Diagnosis },
    Cancelled,
}

impl Exit {
    pub fn success(&self) -> bool {
        *self == Exit::Code(0)
    }
}

/// Everything observed about one run.
#[derive(Clone, Debug)]
pub struct Output {
    pub exit: Exit,
    pub stdout: Captured,
    pub stderr: Captured,
    /// What came through the results channel, if the spec had one.
    pub results: Option<Captured>,
    pub duration: Duration,
}

/// Runs `spec` to the end (or the time limit) and kills whatever is left of its group.
pub fn run(spec: &Spec) -> io::Result<Output> {
    let mut command = Command::new(&spec.program);
    let scratch = if spec.contain {
        Some(
            tempfile::Builder::new()
                .prefix("threadlings-scratch-")
                .tempdir()?,
        )
    } else {
        None
    };
    if let Some(scratch) = &scratch {
        command.env_clear();
        for key in ENV_ALLOWED {
            if let Some(value) = std::env::var_os(key) {
                command.env(key, value);
            }
        }
        command
            .env("HOME", scratch.path())
            .env("TMPDIR", scratch.path())
            .current_dir(scratch.path());
    } else if let Some(cwd) = &spec.cwd {
        command.current_dir(cwd);
    }
    if let Some(confine) = &spec.confine {
        // The temporary files of a confined process (rustc's, the linker's) go where it
        // may write.
        std::fs::create_dir_all(&confine.tmpdir)?;
        command.env("TMPDIR", &confine.tmpdir);
    }
    for key in &spec.env_remove {
        command.env_remove(key);
    }
    let mut gated = if cfg!(unix) && spec.results.is_some() {
        Some(results::gated_pipe()?)
    } else {
        None
    };
    command
        .args(&spec.args)
        .envs(spec.env.iter().map(|(key, value)| (key, value)))
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    match &mut gated {
        Some(gated) => command.stdout(gated.child_end()?),
        None => command.stdout(Stdio::piped()),
    };
    let writable: Vec<&Path> = spec.results.iter().map(ResultsChannel::path).collect();
    platform::prepare(
        &mut command,
        spec.limits,
        scratch.as_ref().map(|dir| Contained {
            scratch: dir.path(),
            writable: writable.as_slice(),
            readable: spec.readable.as_deref(),
        }),
        spec.confine.as_ref(),
        spec.isolate,
    )?;
    platform::adopt_orphans();

    // The results channel opens before the child starts; the child's stdout is held
    // shut until the program (libtest) has opened its end and the path is gone.
    let (gate_open, gate) = mpsc::channel::<()>();
    let results = spec.results.as_ref().map(|channel| {
        let channel = channel.clone_path();
        Reader::start(RESULTS_CAP, 0, None, move || {
            let pipe = channel.open_reader();
            drop(gate_open);
            pipe
        })
    });

    let started = Instant::now();
    let mut child = command.spawn().map_err(|err| {
        io::Error::new(
            err.kind(),
            format!("could not start {}: {err}", spec.program.display()),
        )
    })?;
    // The command holds the parent's copy of a given stdout pipe: the reader sees the
    // end of the output only once every copy of the write end is closed.
    drop(command);
    let pid = child.id();
    let stdout = match gated {
        Some(gated) => {
            let skip = gated.prefilled();
            let pipe = gated.into_reader();
            Reader::start(spec.output_cap, skip, spec.on_stdout.clone(), move || {
                // Closed when the results channel is open (or given up on).
                let _ = gate.recv();
                Some(pipe)
            })
        }
        None => {
            let pipe = child.stdout.take();
            Reader::start(spec.output_cap, 0, spec.on_stdout.clone(), move || pipe)
        }
    };
    let stderr = {
        let pipe = child.stderr.take();
        Reader::start(spec.output_cap, 0, None, move || pipe)
    };

    let watched = watched_pid(&child, spec.contain);
    let (exit, waited) = wait(&mut child, watched, spec, started)?;
    let duration = started.elapsed();
    // The leader is gone (or about to be killed); its group may not be. Children that
    // inherited the pipes would keep the readers waiting forever, so the group goes too.
    platform::kill_group(pid, &mut child, GRACE);
    if !waited {
        child.wait()?;
    }
    let deadline = Instant::now() + GRACE;
    if let Some(channel) = &spec.results {
        // A program that died before opening the channel leaves its reader waiting.
        channel.release_reader(deadline);
    }
    Ok(Output {
        exit,
        stdout: stdout.finish(deadline),
        stderr: stderr.finish(deadline),
        results: results.map(|reader| reader.finish(deadline)),
        duration,
    })
}

/// The process whose threads are the test's: the one to watch and diagnose. A contained
/// test runs below a relay and an init (it has exec'd by the time `spawn` returns, but
/// the kernel's list of children may lag a moment).
fn watched_pid(child: &Child, contained: bool) -> u32 {
    let pid = child.id();
    for _ in 0..200 {
        if let Some(test) = platform::test_pid(pid, contained) {
            return test;
        }
        thread::sleep(Duration::from_micros(500));
    }
    pid
}

/// Waits for the leader to exit, the deadline, a deadlock or cancellation. Returns the
/// exit and whether the child has been reaped. `watched` is the test process itself.
fn wait(
    child: &mut Child,
    watched: u32,
    spec: &Spec,
    started: Instant,
) -> io::Result<(Exit, bool)> {
    let deadline = started + spec.timeout;
    let mut hang_watch = HangWatch::start(spec, watched, started, deadline);
    // A waiter thread would have to own the child. Where the OS can say when the child
    // ends (a pidfd on Linux), the loop sleeps until then or the cancel interval; else it
    // polls `try_wait` with a short, growing interval.
    let exit_notice = platform::ExitNotice::new(child.id());
    let mut poll = Duration::from_micros(200);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((exit_of(status), true));
        }
        let now = Instant::now();
        if now >= deadline {
            let diagnosis = if spec.diagnose_timeout {
                locate(platform::diagnose(watched), watched, spec)
            } else {
                Diagnosis::Unknown
            };
            return Ok((Exit::TimedOut { diagnosis }, false));
        }
        if spec
            .cancel
            .as_ref()
            .is_some_and(|cancel| cancel.load(Ordering::Relaxed))
        {
            return Ok((Exit::Cancelled, false));
        }
        // -- The deadlock watch: a process whose threads all wait for good is stopped now.
        if hang_watch.deadlocked(now) {
            return Ok((
                Exit::TimedOut {
                    diagnosis: locate(platform::diagnose_deadlock(watched), watched, spec),
                },
                false,
            ));
        }
        let step = if exit_notice.is_exact() {
            CANCEL_POLL
        } else {
            poll
        };
        exit_notice.wait(step.min(deadline - now));
        // Short processes are noticed within a fraction of a millisecond; long ones are
        // polled ever less often, up to the cancel interval.
        poll = (poll * 2).min(CANCEL_POLL);
    }
}

/// `diagnosis` with each thread's wait and line, read from its stack, when the spec says
/// where the code comes from and the system lets the grader read the stacks.
fn locate(diagnosis: Diagnosis, watched: u32, spec: &Spec) -> Diagnosis {
    match &spec.sources {
        Some(sources) => stacks::locate(diagnosis, watched, sources),
        None => diagnosis,
    }
}

/// The deadlock watch of one run, when the spec asks for it and the OS can tell.
struct HangWatch {
    #[cfg(target_os = "linux")]
    watcher: Option<hang::Watcher>,
}

impl HangWatch {
    #[cfg_attr(
        not(target_os = "linux"),
        expect(unused_variables, reason = "only Linux can watch threads")
    )]
    fn start(spec: &Spec, watched: u32, started: Instant, deadline: Instant) -> HangWatch {
        HangWatch {
            #[cfg(target_os = "linux")]
            // The system call numbers it reads are x86_64's.
            watcher: spec
                .watch_threads
                .as_ref()
                .filter(|_| cfg!(target_arch = "x86_64"))
                .map(|watch| hang::Watcher::new(watched, watch.settle, started, deadline)),
        }
    }

    fn deadlocked(&mut self, now: Instant) -> bool {
        #[cfg(target_os = "linux")]
        if let Some(watcher) = &mut self.watcher {
            return watcher.deadlocked(now);
        }
        let _ = now;
        false
    }
}

fn exit_of(status: ExitStatus) -> Exit {
    if let Some(code) = status.code() {
        return Exit::Code(code);
    }
    platform::signal_of(status).map_or(Exit::Code(-1), |(number, name)| Exit::Signal {
        number,
        name,
    })
}

/// A thread draining one pipe into a bounded buffer, so the child never blocks on a full
/// pipe (which would look like a deadlock) and the grader's memory stays bounded.
struct Reader {
    shared: Arc<Mutex<Capture>>,
    done: mpsc::Receiver<()>,
}

struct Capture {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    half: usize,
    dropped: u64,
}

impl Capture {
    fn push(&mut self, mut bytes: &[u8]) {
        let room = self.half.saturating_sub(self.head.len());
        let into_head = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        bytes = &bytes[into_head..];
        if bytes.len() > self.half {
            let skip = bytes.len() - self.half;
            self.dropped += (self.tail.len() + skip) as u64;
            self.tail.clear();
            bytes = &bytes[skip..];
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(self.half);
        self.tail.drain(..overflow);
        self.dropped += overflow as u64;
        self.tail.extend(bytes);
    }
}

impl Reader {
    /// Starts a thread that gets its pipe from `open` (which may wait), skips the first
    /// `skip` bytes (the grader's own filler), shows the rest to `observer` and keeps up
    /// to `cap` of it.
    fn start<R: Read>(
        cap: usize,
        skip: usize,
        observer: Option<StdoutObserver>,
        open: impl FnOnce() -> Option<R> + Send + 'static,
    ) -> Reader {
        let shared = Arc::new(Mutex::new(Capture {
            head: Vec::new(),
            tail: VecDeque::new(),
            half: cap / 2,
            dropped: 0,
        }));
        let (done_tx, done) = mpsc::channel();
        let sink = Arc::clone(&shared);
        thread::spawn(move || {
            if let Some(mut pipe) = open() {
                let mut buffer = [0u8; 16 * 1024];
                let mut to_skip = skip;
                while let Ok(read @ 1..) = pipe.read(&mut buffer) {
                    let skipped = to_skip.min(read);
                    to_skip -= skipped;
                    if let Some(observer) = &observer
                        && skipped < read
                    {
                        (observer.0)(&buffer[skipped..read]);
                    }
                    sink.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(&buffer[skipped..read]);
                }
            }
            let _ = done_tx.send(());
        });
        Reader { shared, done }
    }

    /// What was read, once the pipe closes or at `deadline`, whichever comes first. A
    /// process that escaped the group may hold the pipe open: its reader is left behind,
    /// with its bounded buffer, rather than hanging the grader.
    fn finish(self, deadline: Instant) -> Captured {
        let _ = self
            .done
            .recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let capture = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        Captured {
            head: capture.head.clone(),
            tail: capture.tail.iter().copied().collect(),
            dropped: capture.dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_head_and_tail_and_counts_the_rest() {
        let mut capture = Capture {
            head: Vec::new(),
            tail: VecDeque::new(),
            half: 4,
            dropped: 0,
        };
        capture.push(b"abcdef");
        capture.push(b"ghij");
        capture.push(b"klmnopqrstuvwxyz");
        assert_eq!(capture.head, b"abcd");
        assert_eq!(capture.tail.iter().copied().collect::<Vec<_>>(), b"wxyz");
        assert_eq!(capture.dropped, 26 - 8);
    }

    #[test]
    fn small_output_is_kept_whole() {
        let mut capture = Capture {
            head: Vec::new(),
            tail: VecDeque::new(),
            half: 8,
            dropped: 0,
        };
        capture.push(b"hello ");
        capture.push(b"world");
        let captured = Captured {
            head: capture.head,
            tail: capture.tail.into_iter().collect(),
            dropped: capture.dropped,
        };
        assert_eq!(captured.text(), "hello world");
    }

    /// The pid a shell script printed on its first line.
    #[cfg(target_os = "linux")]
    fn printed_pid(output: &Output) -> u32 {
        let text = output.stdout.text();
        text.lines().next().unwrap().trim().parse().unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_grandchild_holding_the_pipe_is_killed_with_its_group() {
        let spec = Spec::new("/bin/sh", Duration::from_secs(60))
            .arg("-c")
            .arg("sleep 600 & echo $!");
        let output = run(&spec).unwrap();
        assert_eq!(output.exit, Exit::Code(0));
        let grandchild = printed_pid(&output);
        assert!(
            !std::path::Path::new(&format!("/proc/{grandchild}")).exists()
                || procfs_state(grandchild) == Some('Z'),
            "the orphaned sleep {grandchild} outlived the run"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_timeout_kills_the_whole_group() {
        let spec = Spec::new("/bin/sh", Duration::from_millis(300))
            .arg("-c")
            .arg("sleep 600 & echo $!; sleep 600");
        let output = run(&spec).unwrap();
        assert!(
            matches!(output.exit, Exit::TimedOut { .. }),
            "{:?}",
            output.exit
        );
        let grandchild = printed_pid(&output);
        assert!(
            !std::path::Path::new(&format!("/proc/{grandchild}")).exists()
                || procfs_state(grandchild) == Some('Z'),
            "the background sleep {grandchild} outlived the timeout"
        );
    }

    #[cfg(target_os = "linux")]
    fn procfs_state(pid: u32) -> Option<char> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(") ")?.1.chars().next()
    }

    #[cfg(unix)]
    #[test]
    fn output_beyond_the_cap_is_dropped_not_buffered() {
        let mut spec = Spec::new("/bin/sh", Duration::from_secs(60))
            .arg("-c")
            .arg("yes flood | head -c 5000000; echo END");
        spec.output_cap = 1024;
        let output = run(&spec).unwrap();
        assert_eq!(output.exit, Exit::Code(0));
        assert_eq!(output.stdout.total(), 5_000_004);
        assert!(output.stdout.head.len() + output.stdout.tail.len() <= 1024);
        assert!(output.stdout.text().ends_with("END\n"));
    }
}

#[cfg(all(test, target_os = "linux"))]
mod contained_tests {
    use super::*;

    /// Live processes whose command line has `marker` (zombies are gone for good).
    fn alive_with(marker: &str) -> Vec<u32> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                String::from_utf8_lossy(&cmdline).contains(marker)
                    && stat
                        .rsplit_once(") ")
                        .is_some_and(|(_, rest)| !rest.starts_with('Z'))
            })
            .collect()
    }

    #[test]
    fn nothing_an_isolated_run_starts_outlives_it_even_out_of_its_session() {
        if !containment().pid_namespace {
            return; // No PID namespace here: the process group is all there is.
        }
        let escape = |marker: &str, isolate: bool| {
            // `setsid` leaves the run's session and process group: the group kill misses
            // it. The shell ends once it has left (a flag file says so), not before.
            let flag = tempfile::tempdir().unwrap();
            let left = flag.path().join("left");
            let mut spec = Spec::new("/bin/sh", Duration::from_secs(60))
                .arg("-c")
                .arg(format!(
                    "setsid sh -c 'touch {left}; exec sleep {marker}' & \
                     while [ ! -e {left} ]; do sleep 0.01; done; echo started",
                    left = left.display()
                ));
            spec.isolate = isolate;
            let output = run(&spec).unwrap();
            assert_eq!(output.exit, Exit::Code(0));
            assert_eq!(output.stdout.text().trim(), "started");
        };
        let id = std::process::id();
        let isolated = format!("600.{id}1");
        escape(&isolated, true);
        assert_eq!(
            alive_with(&isolated),
            Vec::<u32>::new(),
            "it outlived the run"
        );

        // Without the namespace the same escape survives: what isolation is for.
        let plain = format!("600.{id}2");
        escape(&plain, false);
        let survivors = alive_with(&plain);
        for pid in &survivors {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(i32::try_from(*pid).unwrap()),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        assert_eq!(
            survivors.len(),
            1,
            "the escape did not escape: the test proves nothing"
        );
    }

    fn contained(script: &str) -> Output {
        let mut spec = Spec::new("/bin/sh", Duration::from_secs(60))
            .arg("-c")
            .arg(script);
        spec.contain = true;
        run(&spec).unwrap()
    }

    #[test]
    fn a_contained_process_ends_as_the_test_ended_not_as_its_relay() {
        assert_eq!(contained("exit 3").exit, Exit::Code(3));
        let aborted = contained("kill -ABRT $$").exit;
        assert!(
            matches!(&aborted, Exit::Signal { name, .. } if name == "SIGABRT"),
            "{aborted:?}"
        );
        if containment().pid_namespace {
            // The test is not PID 1 of its namespace (an init ignores the signals it
            // raises): the grader's init is.
            assert_eq!(contained("echo $$").stdout.text().trim(), "2");
        }
    }

    #[test]
    fn confined_reads_reach_the_system_the_scratch_dir_and_proc_but_not_the_users_files() {
        if !containment().read_only_checkout {
            return; // No Landlock here: nothing to confine with.
        }
        let private = tempfile::tempdir().unwrap();
        let secret = private.path().join("secret");
        std::fs::write(&secret, "neighbour").unwrap();
        let script = format!(
            "cat /etc/passwd | grep -q root && echo system; \
             cd \"$HOME\" && echo mine > x && cat x; \
             grep -q Name /proc/self/status && echo proc; \
             cat {} || echo refused",
            secret.display()
        );
        let mut spec = Spec::new("/bin/sh", Duration::from_secs(60))
            .arg("-c")
            .arg(&script);
        spec.contain = true;
        let mut readable: Vec<PathBuf> = SYSTEM_DIRS.iter().map(PathBuf::from).collect();
        readable.push(PathBuf::from("/bin/sh"));
        spec.readable = Some(readable);
        let output = run(&spec).unwrap();
        assert_eq!(
            output.stdout.text(),
            "system\nmine\nproc\nrefused\n",
            "{}",
            output.stderr.text()
        );
        // Unconfined, the same run reads the file.
        assert!(contained(&script).stdout.text().contains("neighbour"));
    }

    #[test]
    fn the_scratch_dir_is_the_contained_process_s_home_and_writable() {
        let output = contained("cd \"$HOME\" && echo hi > x && cat x && pwd");
        assert_eq!(output.exit, Exit::Code(0), "{}", output.stderr.text());
        assert!(output.stdout.text().starts_with("hi\n"));
    }
}
