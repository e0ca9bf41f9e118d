//! Where each thread of a doomed process is, in the learner's words and lines.
//!
//! The walker (Linux, x86_64) attaches to every thread with ptrace (`PTRACE_SEIZE` and
//! `PTRACE_INTERRUPT`: the threads stop where they are), reads their registers, unwinds
//! each stack with the unwind tables (`.eh_frame`) of the modules mapped in the process
//! (framehop), detaches, and resolves the return addresses inside the test executable to
//! functions, files and lines with its line tables (addr2line), inlined frames included.
//! No debugger is needed. The process is about to be killed: nothing here restores it.
//!
//! The explanation of a stack is pure: [`explain`] finds the innermost frame in the
//! learner's file and the library call just inside it (`Receiver::recv`, `Mutex::lock`,
//! `JoinHandle::join`, ...), which says what the thread waits for.

use std::path::Path;

use serde::Serialize;

use super::{Diagnosis, Sources, Stacks};

/// One frame of a thread's stack, innermost first; inlined calls are frames of their own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// Demangled, without the hash (`std::sync::mpsc::Receiver<T>::recv`).
    pub function: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// What a blocked thread waits for, in the learner's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Wait {
    /// `JoinHandle::join`, or the end of a `thread::scope`.
    Join,
    /// `recv`, `for msg in rx`, ...
    Receive,
    /// `send` on a full bounded channel.
    Send,
    /// `Mutex::lock`, `RwLock::read`/`write`.
    Lock,
    /// `Condvar::wait`.
    Condvar,
    /// `Barrier::wait`.
    Barrier,
    /// `thread::park`.
    Park,
    /// `thread::sleep`.
    Sleep,
    /// A pool's worker (rayon) with nothing to do: not the learner's code.
    Idle,
}

/// A line of the learner's exercise file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceLine {
    /// The file's name (`mpsc3.rs`).
    pub file: String,
    pub line: u32,
    /// When the line is in a function of the file that another function of it called
    /// (say, a helper the course wrote, called by the learner's code; calls from the tests
    /// are left out): that call, which is where the learner may need to look.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub called_from: Option<Call>,
}

/// A call from one function of the learner's file into another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The function the line is in (`lock_slot`).
    pub callee: String,
    /// The function that called it (`transaction`), and the line of the call.
    pub caller: String,
    pub line: u32,
}

/// `diagnosis` with each thread's wait and line in the learner's file, read from the
/// stacks of process `pid` (about to be killed); says why when they cannot be read.
pub fn locate(mut diagnosis: Diagnosis, pid: u32, sources: &Sources) -> Diagnosis {
    let Some(threads) = diagnosis.threads_mut() else {
        return diagnosis;
    };
    let tids: Vec<u32> = threads.iter().map(|thread| thread.tid).collect();
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    let status = match walker::walk(pid, &tids, &sources.executable) {
        Ok(stacks) => {
            for thread in threads.iter_mut() {
                // libtest's own thread only waits for the test: its frames say nothing.
                let Some(frames) = stacks.get(&thread.tid).filter(|_| !thread.main) else {
                    continue;
                };
                let (wait, at) = explain(frames, &sources.learner_file);
                thread.waits = wait;
                thread.at = at;
                if wait == Some(Wait::Join) {
                    thread.joins = walker::joined_thread(pid, thread.tid)
                        .filter(|joined| *joined != thread.tid && tids.contains(joined));
                }
            }
            Stacks::Read
        }
        Err(reason) => Stacks::Unavailable(reason),
    };
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    let status = {
        let _ = (pid, sources, tids);
        Stacks::Unavailable("reading stacks needs Linux on x86_64".to_owned())
    };
    match &mut diagnosis {
        Diagnosis::Deadlock { stacks, .. }
        | Diagnosis::BusyLoop { stacks, .. }
        | Diagnosis::Waiting { stacks, .. } => {
            *stacks = status;
        }
        Diagnosis::Unknown => {}
    }
    diagnosis
}

/// What a stack says: the wait it is in and the learner's line it waits at.
pub fn explain(frames: &[Frame], learner_file: &Path) -> (Option<Wait>, Option<SourceLine>) {
    let learner = frames.iter().position(|frame| {
        frame
            .file
            .as_deref()
            .is_some_and(|file| is_learner(file, learner_file))
    });
    let at = learner.and_then(|index| {
        let frame = &frames[index];
        Some(SourceLine {
            file: learner_file.file_name()?.to_string_lossy().into_owned(),
            line: frame.line?,
            called_from: caller(&frames[index..], learner_file),
        })
    });
    // The library call nearest the learner's code says what it waits for: a Barrier
    // waits on a Condvar inside, but the learner called `Barrier::wait`.
    let inside = &frames[..learner.unwrap_or(frames.len())];
    let wait = inside.iter().rev().find_map(wait_of);
    let pool_worker = || {
        frames.iter().any(|frame| {
            let mentions = |text: &Option<String>| {
                text.as_deref()
                    .is_some_and(|text| text.contains("rayon_core") || text.contains("rayon-core"))
            };
            mentions(&frame.function) || mentions(&frame.file)
        })
    };
    if learner.is_none() && pool_worker() {
        return (Some(Wait::Idle), None);
    }
    (wait, at)
}

/// The call into the innermost function of `frames` (which starts in the learner's file)
/// from another function of the learner's file, if there is one and it is not the tests'
/// own code (a test calling the learner's function says nothing new).
fn caller(frames: &[Frame], learner_file: &Path) -> Option<Call> {
    let callee = frames.first()?.function.as_deref().map(function_name)?;
    let outer = frames.iter().skip(1).find(|frame| {
        frame
            .file
            .as_deref()
            .is_some_and(|file| is_learner(file, learner_file))
    })?;
    let path = strip_generics(outer.function.as_deref()?);
    if path.split("::").any(|segment| segment == "tests") {
        return None;
    }
    let caller = function_name(&path);
    (caller != callee)
        .then(|| Call {
            callee,
            caller,
            line: outer.line.unwrap_or_default(),
        })
        .filter(|call| call.line > 0)
}

/// A function's own name, from its path: `locks3::Store::lock_slot` is `lock_slot`, a
/// closure is named after the function it is in.
fn function_name(path: &str) -> String {
    strip_generics(path)
        .rsplit("::")
        .find(|segment| !segment.starts_with("{{"))
        .unwrap_or_default()
        .to_owned()
}

/// Whether a frame's file is the learner's: the same file name in the same folder.
fn is_learner(file: &str, learner_file: &Path) -> bool {
    let file = Path::new(file);
    fn tail(path: &Path) -> Vec<std::path::Component<'_>> {
        let mut components: Vec<_> = path.components().rev().take(2).collect();
        components.reverse();
        components
    }
    !tail(learner_file).is_empty() && tail(file) == tail(learner_file)
}

/// The wait a library call stands for, if it is one of those the course teaches. Inlined
/// frames are named by their function alone (`recv<alloc::string::String>`), so the
/// file they come from (`std/src/sync/mpsc.rs`) says which library it is.
fn wait_of(frame: &Frame) -> Option<Wait> {
    let function = strip_generics(frame.function.as_deref()?);
    let name = function.rsplit("::").next().unwrap_or_default();
    let place = format!("{function} {}", frame.file.as_deref().unwrap_or_default());
    let has = |needle: &str| place.contains(needle);
    let channel =
        has("mpsc") || has("mpmc") || has("crossbeam-channel") || has("crossbeam_channel");
    match name {
        "recv" | "recv_deadline" | "next" if channel => Some(Wait::Receive),
        "send" if channel => Some(Wait::Send),
        "join"
            if has("join_handle")
                || has("JoinHandle")
                || has("JoinInner")
                || has("thread/lifecycle") =>
        {
            Some(Wait::Join)
        }
        "scope" if has("scoped") => Some(Wait::Join),
        "wait" if has("barrier") || has("Barrier") => Some(Wait::Barrier),
        "wait" | "wait_while" if has("condvar") || has("Condvar") => Some(Wait::Condvar),
        "lock" | "lock_contended" | "lock_slow" if has("mutex") || has("Mutex") => Some(Wait::Lock),
        "read"
        | "write"
        | "read_contended"
        | "write_contended"
        | "lock_shared_slow"
        | "lock_exclusive_slow"
            if has("rwlock") || has("RwLock") =>
        {
            Some(Wait::Lock)
        }
        "park" if has("thread") || has("Parker") => Some(Wait::Park),
        "sleep" if has("thread") => Some(Wait::Sleep),
        _ => None,
    }
}

/// `a::B<T>::c` without `<T>`; `<a::B<T> as c::D>::e` becomes `a::B as c::D::e`.
fn strip_generics(function: &str) -> String {
    let mut out = String::with_capacity(function.len());
    let mut depth = 0usize;
    let text = function.strip_prefix('<').unwrap_or(function);
    for ch in text.chars() {
        match ch {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            // The closing `>` of a leading `<... as ...>`.
            '>' => {}
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod walker {
    use std::collections::BTreeMap;
    use std::fs;
    use std::os::unix::fs::FileExt;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use addr2line::gimli;
    use framehop::x86_64::{CacheX86_64, UnwindRegsX86_64, UnwinderX86_64};
    use framehop::{ExplicitModuleSectionInfo, Module, Unwinder};
    use nix::sys::ptrace;
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    use nix::unistd::Pid;
    use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol};

    use super::Frame;

    /// Frames kept per thread: deep enough for a learner's call under libtest's.
    const MAX_FRAMES: usize = 64;
    /// How long the threads get to stop once interrupted.
    const STOP_BOUND: Duration = Duration::from_millis(500);

    /// The stacks of threads `tids` of process `pid`, whose executable is `executable`.
    /// An error says why they could not be read (ptrace not permitted, ...).
    pub fn walk(
        pid: u32,
        tids: &[u32],
        executable: &Path,
    ) -> Result<BTreeMap<u32, Vec<Frame>>, String> {
        let modules = mapped_modules(pid);
        let mut unwinder = UnwinderX86_64::new();
        for module in &modules {
            if let Some(loaded) = module.load() {
                unwinder.add_module(loaded);
            }
        }
        let mem = fs::File::open(format!("/proc/{pid}/mem"))
            .map_err(|err| format!("cannot read the process's memory: {err}"))?;

        let mut addresses: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
        let mut attached = Vec::new();
        let mut failure = None;
        for &tid in tids {
            // A thread in uninterruptible sleep (or stopped, or gone) would not stop for
            // us: it is left alone.
            if !matches!(thread_state(pid, tid), Some('S' | 'R')) {
                continue;
            }
            let thread = Pid::from_raw(i32::try_from(tid).map_err(|err| err.to_string())?);
            if let Err(err) = ptrace::seize(thread, ptrace::Options::empty()) {
                failure = Some(format!("the system does not allow ptrace ({err})"));
                continue;
            }
            attached.push((tid, thread));
            let _ = ptrace::interrupt(thread);
        }
        let deadline = Instant::now() + STOP_BOUND;
        for &(tid, thread) in &attached {
            if !stopped(thread, deadline) {
                continue;
            }
            let Ok(regs) = ptrace::getregs(thread) else {
                continue;
            };
            let mut cache = CacheX86_64::new();
            let mut read_stack = |address: u64| {
                let mut word = [0u8; 8];
                mem.read_exact_at(&mut word, address)
                    .map(|()| u64::from_ne_bytes(word))
                    .map_err(|_| ())
            };
            let mut frames = unwinder.iter_frames(
                regs.rip,
                UnwindRegsX86_64::new(regs.rip, regs.rsp, regs.rbp),
                &mut cache,
                &mut read_stack,
            );
            let mut found = Vec::new();
            while let Ok(Some(frame)) = frames.next() {
                found.push(frame.address_for_lookup());
                if found.len() == MAX_FRAMES {
                    break;
                }
            }
            addresses.insert(tid, found);
        }
        // Let them go before anything else waits on the process: a tracee's stops would
        // otherwise be reported to whoever waits next.
        for (_, thread) in attached {
            let _ = ptrace::detach(thread, None);
        }
        if addresses.is_empty() {
            return Err(failure.unwrap_or_else(|| "no thread could be stopped".to_owned()));
        }

        let exe = modules
            .iter()
            .find(|module| same_file(&module.path, executable))
            .ok_or_else(|| "the test executable is not mapped in the process".to_owned())?;
        let data =
            fs::read(&exe.path).map_err(|err| format!("cannot read the test executable: {err}"))?;
        let symbols = Symbolizer::new(&data, exe.bias)
            .ok_or_else(|| "cannot read the test executable's line tables".to_owned())?;
        Ok(addresses
            .into_iter()
            .map(|(tid, addresses)| {
                let frames = addresses
                    .into_iter()
                    .flat_map(|address| {
                        if exe.contains(address) {
                            symbols.frames(address)
                        } else {
                            vec![Frame::default()]
                        }
                    })
                    .collect();
                (tid, frames)
            })
            .collect())
    }

    /// The thread `tid` waits to join: glibc's join waits on the joined thread's id
    /// (`FUTEX_WAIT` until the kernel clears it), so the futex's expected value is its tid.
    pub fn joined_thread(pid: u32, tid: u32) -> Option<u32> {
        let line = fs::read_to_string(format!("/proc/{pid}/task/{tid}/syscall")).ok()?;
        match crate::run::hang::parse_syscall(&line)? {
            // FUTEX_WAIT or FUTEX_WAIT_BITSET.
            crate::run::hang::Syscall::In { nr: 202, args } if matches!(args[1] & 0x7f, 0 | 9) => {
                let waited_on = u32::try_from(args[2]).ok()?;
                Some(host_tid(pid, waited_on).unwrap_or(waited_on))
            }
            _ => None,
        }
    }

    /// The grader's id of the thread of `pid` that its own PID namespace calls `ns_tid`
    /// (a contained test sees only its namespace's ids): the last `NSpid` field is the
    /// innermost one.
    fn host_tid(pid: u32, ns_tid: u32) -> Option<u32> {
        fs::read_dir(format!("/proc/{pid}/task"))
            .ok()?
            .flatten()
            .find_map(|task| {
                let tid: u32 = task.file_name().to_str()?.parse().ok()?;
                let status = fs::read_to_string(task.path().join("status")).ok()?;
                let ns_ids = status
                    .lines()
                    .find_map(|line| line.strip_prefix("NSpid:"))?;
                let innermost: u32 = ns_ids.split_whitespace().last()?.parse().ok()?;
                (innermost == ns_tid).then_some(tid)
            })
    }

    /// Waits for `thread`'s interrupt stop, until `deadline`.
    fn stopped(thread: Pid, deadline: Instant) -> bool {
        loop {
            match waitpid(thread, Some(WaitPidFlag::__WALL | WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(WaitStatus::PtraceEvent(..) | WaitStatus::Stopped(..)) => return true,
                _ => return false,
            }
        }
    }

    /// The state letter of a thread, from its `stat`.
    fn thread_state(pid: u32, tid: u32) -> Option<char> {
        let stat = fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?;
        stat.rsplit_once(") ")?.1.chars().next()
    }

    fn same_file(mapped: &Path, executable: &Path) -> bool {
        mapped == executable
            || fs::canonicalize(executable).is_ok_and(|canonical| canonical == mapped)
    }

    /// A file mapped in the process, with its executable address ranges.
    struct Mapped {
        path: PathBuf,
        /// Where the file's address 0 is in the process (its load bias).
        bias: u64,
        range: std::ops::Range<u64>,
    }

    impl Mapped {
        fn contains(&self, address: u64) -> bool {
            self.range.contains(&address)
        }

        /// The module with its unwind tables, for framehop.
        fn load(&self) -> Option<Module<Vec<u8>>> {
            let data = fs::read(&self.path).ok()?;
            let file = object::File::parse(&*data).ok()?;
            let section = |name: &str| {
                let section = file.section_by_name(name)?;
                let range = section.address()..section.address() + section.size();
                Some((range, section.data().ok()?.to_vec()))
            };
            let text = section(".text");
            let eh_frame = section(".eh_frame");
            let eh_frame_hdr = section(".eh_frame_hdr");
            let got = section(".got");
            eh_frame.as_ref()?;
            Some(Module::new(
                self.path.display().to_string(),
                self.range.clone(),
                self.bias,
                ExplicitModuleSectionInfo {
                    base_svma: 0,
                    text_svma: text.as_ref().map(|(range, _)| range.clone()),
                    text: text.map(|(_, data)| data),
                    got_svma: got.map(|(range, _)| range),
                    eh_frame_svma: eh_frame.as_ref().map(|(range, _)| range.clone()),
                    eh_frame: eh_frame.map(|(_, data)| data),
                    eh_frame_hdr_svma: eh_frame_hdr.as_ref().map(|(range, _)| range.clone()),
                    eh_frame_hdr: eh_frame_hdr.map(|(_, data)| data),
                    ..Default::default()
                },
            ))
        }
    }

    /// The ELF files mapped in `pid`, from `/proc/PID/maps`.
    fn mapped_modules(pid: u32) -> Vec<Mapped> {
        let Ok(maps) = fs::read_to_string(format!("/proc/{pid}/maps")) else {
            return Vec::new();
        };
        // path -> (lowest address minus its file offset, executable range)
        let mut files: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
        for line in maps.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [range, perms, offset, _, _, path, ..] = fields.as_slice() else {
                continue;
            };
            if !path.starts_with('/') {
                continue;
            }
            let Some((start, end)) = range.split_once('-') else {
                continue;
            };
            let (Ok(start), Ok(end), Ok(offset)) = (
                u64::from_str_radix(start, 16),
                u64::from_str_radix(end, 16),
                u64::from_str_radix(offset, 16),
            ) else {
                continue;
            };
            let entry = files
                .entry((*path).to_owned())
                .or_insert((u64::MAX, u64::MAX, 0));
            if offset == 0 {
                entry.0 = entry.0.min(start);
            }
            if perms.contains('x') {
                entry.1 = entry.1.min(start);
                entry.2 = entry.2.max(end);
            }
        }
        files
            .into_iter()
            .filter(|(_, (base, low, _))| *base != u64::MAX && *low != u64::MAX)
            .filter_map(|(path, (base, low, high))| {
                let path = PathBuf::from(path);
                // The first loadable segment sits at the mapping of offset 0.
                let data = fs::read(&path).ok()?;
                let file = object::File::parse(&*data).ok()?;
                let first = file.segments().map(|segment| segment.address()).min()?;
                let bias = base.checked_sub(first & !0xfff)?;
                Some(Mapped {
                    path,
                    bias,
                    range: low..high,
                })
            })
            .collect()
    }

    /// Line tables and symbols of the test executable.
    struct Symbolizer<'data> {
        context: addr2line::Context<gimli::EndianSlice<'data, gimli::RunTimeEndian>>,
        symbols: Vec<(u64, &'data str)>,
        bias: u64,
    }

    impl<'data> Symbolizer<'data> {
        fn new(data: &'data [u8], bias: u64) -> Option<Symbolizer<'data>> {
            let file = object::File::parse(data).ok()?;
            let endian = if file.is_little_endian() {
                gimli::RunTimeEndian::Little
            } else {
                gimli::RunTimeEndian::Big
            };
            let dwarf = gimli::Dwarf::load(|id| -> Result<_, gimli::Error> {
                let bytes = file
                    .section_by_name(id.name())
                    .and_then(|section| section.data().ok())
                    .unwrap_or_default();
                Ok(gimli::EndianSlice::new(bytes, endian))
            })
            .ok()?;
            let context = addr2line::Context::from_dwarf(dwarf).ok()?;
            let mut symbols: Vec<(u64, &'data str)> = file
                .symbols()
                .filter(|symbol| symbol.kind() == object::SymbolKind::Text && symbol.address() != 0)
                .filter_map(|symbol| Some((symbol.address(), symbol.name().ok()?)))
                .collect();
            symbols.sort_unstable_by_key(|(address, _)| *address);
            Some(Symbolizer {
                context,
                symbols,
                bias,
            })
        }

        /// The frames at `address` in the process, inlined calls first.
        fn frames(&self, address: u64) -> Vec<Frame> {
            let probe = address - self.bias;
            let mut frames = Vec::new();
            if let Ok(mut found) = self.context.find_frames(probe).skip_all_loads() {
                while let Ok(Some(frame)) = found.next() {
                    let function = frame
                        .function
                        .as_ref()
                        .and_then(|name| name.demangle().ok())
                        .map(|name| without_hash(name.as_ref()));
                    let (file, line) = frame.location.map_or((None, None), |location| {
                        (location.file.map(str::to_owned), location.line)
                    });
                    frames.push(Frame {
                        function,
                        file,
                        line,
                    });
                }
            }
            if frames.is_empty() {
                frames.push(Frame::default());
            }
            // Without debug info for the function, the symbol table still names it.
            if let Some(last) = frames.last_mut()
                && last.function.is_none()
            {
                let index = self.symbols.partition_point(|(start, _)| *start <= probe);
                last.function = index
                    .checked_sub(1)
                    .map(|index| without_hash(&rustc_demangle(self.symbols[index].1)));
            }
            frames
        }
    }

    fn rustc_demangle(name: &str) -> String {
        addr2line::demangle(name, gimli::DW_LANG_Rust).unwrap_or_else(|| name.to_owned())
    }

    /// `a::b::h0123456789abcdef` without its hash.
    fn without_hash(name: &str) -> String {
        match name.rsplit_once("::h") {
            Some((path, hash))
                if hash.len() == 16 && hash.chars().all(|ch| ch.is_ascii_hexdigit()) =>
            {
                path.to_owned()
            }
            _ => name.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, file: &str, line: u32) -> Frame {
        Frame {
            function: Some(function.to_owned()),
            file: Some(file.to_owned()),
            line: Some(line),
        }
    }

    const STD: &str = "/rustc/abc/library/std/src/sync/mod.rs";
    const LEARNER: &str = "/course/exercises/03_channels/mpsc3.rs";

    /// Each row: a stack (innermost first) and what it says.
    #[test]
    fn stacks_are_explained_in_the_learner_s_words() {
        let learner = Path::new("/course/exercises/03_channels/mpsc3.rs");
        let at = |line| {
            Some(SourceLine {
                file: "mpsc3.rs".to_owned(),
                line,
                called_from: None,
            })
        };
        type Row = (&'static str, Vec<Frame>, Option<Wait>, Option<SourceLine>);
        let rows: Vec<Row> = vec![
            (
                "a lock in a helper of the file, called by the learner's function",
                vec![
                    frame(
                        "std::sys::sync::mutex::futex::Mutex::lock_contended",
                        STD,
                        1,
                    ),
                    frame("std::sync::poison::mutex::Mutex<T>::lock", STD, 2),
                    frame("mpsc3::Store::lock_slot", LEARNER, 45),
                    frame("mpsc3::transaction<i64,F>", LEARNER, 70),
                    frame("mpsc3::tests::a_cycle::{{closure}}", LEARNER, 140),
                ],
                Some(Wait::Lock),
                Some(SourceLine {
                    file: "mpsc3.rs".to_owned(),
                    line: 45,
                    called_from: Some(Call {
                        callee: "lock_slot".to_owned(),
                        caller: "transaction".to_owned(),
                        line: 70,
                    }),
                }),
            ),
            (
                "a closure inside the learner's function is that function",
                vec![
                    frame("std::sync::poison::mutex::Mutex<T>::lock", STD, 2),
                    frame("mpsc3::transaction::{{closure}}", LEARNER, 72),
                    frame("mpsc3::transaction", LEARNER, 70),
                ],
                Some(Wait::Lock),
                at(72),
            ),
            (
                "a `for msg in rx` loop",
                vec![
                    Frame::default(),
                    frame("std::sys::pal::unix::futex::futex_wait", STD, 1),
                    frame("std::sync::mpmc::list::Channel<T>::recv", STD, 2),
                    frame("std::sync::mpsc::Receiver<T>::recv", STD, 3),
                    frame(
                        "<std::sync::mpsc::IntoIter<T> as core::iter::traits::iterator::Iterator>::next",
                        STD,
                        4,
                    ),
                    frame(
                        "mpsc3::main::{{closure}}",
                        "exercises/03_channels/mpsc3.rs",
                        30,
                    ),
                    frame("std::thread::Builder::spawn_unchecked_", STD, 5),
                ],
                Some(Wait::Receive),
                at(30),
            ),
            (
                "a join",
                vec![
                    Frame::default(),
                    frame("std::thread::JoinInner<T>::join", STD, 1),
                    frame("std::thread::JoinHandle<T>::join", STD, 2),
                    frame("mpsc3::run", LEARNER, 41),
                    frame("mpsc3::tests::logs", LEARNER, 60),
                ],
                Some(Wait::Join),
                at(41),
            ),
            (
                "a barrier waits on a condvar inside",
                vec![
                    frame("std::sync::poison::condvar::Condvar::wait", STD, 1),
                    frame("std::sync::barrier::Barrier::wait", STD, 2),
                    frame("mpsc3::run", LEARNER, 12),
                ],
                Some(Wait::Barrier),
                at(12),
            ),
            (
                "a lock",
                vec![
                    frame(
                        "std::sys::sync::mutex::futex::Mutex::lock_contended",
                        STD,
                        1,
                    ),
                    frame("std::sync::poison::mutex::Mutex<T>::lock", STD, 2),
                    frame("mpsc3::run::{{closure}}", LEARNER, 18),
                ],
                Some(Wait::Lock),
                at(18),
            ),
            (
                "a condvar",
                vec![
                    frame("std::sync::poison::condvar::Condvar::wait", STD, 1),
                    frame("mpsc3::run", LEARNER, 15),
                ],
                Some(Wait::Condvar),
                at(15),
            ),
            (
                "a send on a full channel",
                vec![
                    frame("std::sync::mpmc::array::Channel<T>::send", STD, 1),
                    frame("std::sync::mpsc::SyncSender<T>::send", STD, 2),
                    frame("mpsc3::run", LEARNER, 9),
                ],
                Some(Wait::Send),
                at(9),
            ),
            (
                "inlined frames are named by their function alone",
                vec![
                    frame(
                        "<std::thread::thread::Thread>::park",
                        "/rustc/a/library/std/src/thread/thread.rs",
                        121,
                    ),
                    frame(
                        "wait_until",
                        "/rustc/a/library/std/src/sync/mpmc/context.rs",
                        143,
                    ),
                    frame(
                        "recv<alloc::string::String>",
                        "/rustc/a/library/std/src/sync/mpmc/list.rs",
                        442,
                    ),
                    frame(
                        "recv<alloc::string::String>",
                        "/rustc/a/library/std/src/sync/mpsc.rs",
                        849,
                    ),
                    frame(
                        "next<alloc::string::String>",
                        "/rustc/a/library/std/src/sync/mpsc.rs",
                        1075,
                    ),
                    frame("mpsc3::log_all::{{closure}}", LEARNER, 13),
                ],
                Some(Wait::Receive),
                at(13),
            ),
            (
                "an inlined join",
                vec![
                    frame(
                        "<std::sys::thread::unix::Thread>::join",
                        "/rustc/a/library/std/src/sys/thread/unix.rs",
                        126,
                    ),
                    frame(
                        "join<usize>",
                        "/rustc/a/library/std/src/thread/lifecycle.rs",
                        241,
                    ),
                    frame("log_all", LEARNER, 22),
                ],
                Some(Wait::Join),
                at(22),
            ),
            (
                "crossbeam's receiver",
                vec![
                    frame(
                        "crossbeam_channel::channel::Receiver<T>::recv",
                        "/x/crossbeam-channel/src/channel.rs",
                        1,
                    ),
                    frame("mpsc3::run", LEARNER, 7),
                ],
                Some(Wait::Receive),
                at(7),
            ),
            (
                "the end of a thread scope",
                vec![
                    frame("std::thread::park", STD, 1),
                    frame("std::thread::scoped::scope", STD, 2),
                    frame("mpsc3::run", LEARNER, 22),
                ],
                Some(Wait::Join),
                at(22),
            ),
            (
                "libtest's harness: no learner frame",
                vec![
                    frame("std::sync::mpsc::Receiver<T>::recv", STD, 3),
                    frame("test::run_tests", "/rustc/abc/library/test/src/lib.rs", 4),
                ],
                Some(Wait::Receive),
                None,
            ),
            (
                "a spin in the learner's code, and the call that led there",
                vec![
                    frame("mpsc3::spin", LEARNER, 5),
                    frame("mpsc3::run", LEARNER, 50),
                ],
                None,
                Some(SourceLine {
                    file: "mpsc3.rs".to_owned(),
                    line: 5,
                    called_from: Some(Call {
                        callee: "spin".to_owned(),
                        caller: "run".to_owned(),
                        line: 50,
                    }),
                }),
            ),
            (
                "an idle rayon worker",
                vec![
                    frame("std::sys::sync::condvar::futex::Condvar::wait", STD, 1),
                    frame(
                        "rayon_core::sleep::Sleep::sleep",
                        "/x/rayon-core-1.13.0/src/sleep/mod.rs",
                        2,
                    ),
                    frame(
                        "rayon_core::registry::WorkerThread::wait_until_cold",
                        "/x/rayon-core-1.13.0/src/registry.rs",
                        3,
                    ),
                ],
                Some(Wait::Idle),
                None,
            ),
            ("nothing known", vec![Frame::default()], None, None),
        ];
        for (what, frames, wait, line) in rows {
            assert_eq!(explain(&frames, learner), (wait, line), "{what}");
        }
    }

    /// A process already traced by someone else (a debugger) cannot be attached to: the
    /// diagnosis keeps the kernel's view and says why the stacks are missing.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn without_ptrace_the_diagnosis_says_why_and_keeps_the_threads() {
        use crate::run::ThreadState;
        use nix::sys::ptrace;
        use nix::unistd::Pid;
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        // This thread becomes its tracer; the walker, on another thread, cannot attach.
        ptrace::seize(Pid::from_raw(pid.cast_signed()), ptrace::Options::empty()).unwrap();
        let located = std::thread::spawn(move || {
            let diagnosis = Diagnosis::Deadlock {
                threads: vec![ThreadState::new(pid, "sleep")],
                early: true,
                stacks: Stacks::NotTried,
            };
            let sources = Sources {
                executable: "/bin/sleep".into(),
                learner_file: "/course/exercises/x/y.rs".into(),
            };
            locate(diagnosis, pid, &sources)
        })
        .join()
        .unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let Diagnosis::Deadlock {
            threads, stacks, ..
        } = located
        else {
            panic!("{located:?}");
        };
        assert!(
            matches!(&stacks, Stacks::Unavailable(why) if why.contains("ptrace")),
            "{stacks:?}"
        );
        assert_eq!(threads, [ThreadState::new(pid, "sleep")]);
    }

    #[test]
    fn another_exercise_with_the_same_name_is_not_the_learner_s() {
        let learner = Path::new("/course/exercises/03_channels/mpsc3.rs");
        assert!(is_learner("exercises/03_channels/mpsc3.rs", learner));
        assert!(is_learner("/elsewhere/03_channels/mpsc3.rs", learner));
        assert!(!is_learner("/x/solutions/other/mpsc3.rs", learner));
    }

    #[test]
    fn generics_are_left_out_of_function_paths() {
        assert_eq!(
            strip_generics("std::sync::mpsc::Receiver<T>::recv"),
            "std::sync::mpsc::Receiver::recv"
        );
        assert_eq!(
            strip_generics("<std::sync::mpsc::IntoIter<T> as core::iter::Iterator>::next"),
            "std::sync::mpsc::IntoIter as core::iter::Iterator::next"
        );
    }
}
