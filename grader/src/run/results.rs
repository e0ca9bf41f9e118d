//! A results channel the tested program's own code cannot forge by ordinary means.
//!
//! libtest writes its per-test results to the file named by `--logfile`, and the test's
//! code runs in the same process: a file path on the command line is a path the test can
//! write too. So the path names a FIFO in a private directory. The grader opens its read
//! end before the program starts; libtest's open of the write end completes the pair, and
//! the grader then removes the path at once, so nothing can open it again (and Landlock
//! lets the test create no file there). libtest's next step is to print its first line;
//! the program's stdout pipe is filled by the grader beforehand, so that print waits
//! until the path is gone: no test code runs while the path exists.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

/// A FIFO in a private directory, for one run.
#[derive(Debug)]
pub struct ResultsChannel {
    // Removed (with anything left in it) when the channel is dropped.
    _dir: tempfile::TempDir,
    fifo: PathBuf,
}

impl ResultsChannel {
    pub fn new() -> io::Result<ResultsChannel> {
        let dir = tempfile::Builder::new()
            .prefix("threadlings-results-")
            .tempdir()?;
        let fifo = dir.path().join("results");
        make_fifo(&fifo)?;
        Ok(ResultsChannel { _dir: dir, fifo })
    }

    /// The path to hand the program.
    pub fn path(&self) -> &Path {
        &self.fifo
    }

    /// The FIFO's path, for the thread that reads it.
    pub(super) fn clone_path(&self) -> FifoPath {
        FifoPath(self.fifo.clone())
    }

    /// Frees a reader still waiting for a writer (the program ended before it opened its
    /// end): opens the write end once and closes it, so the reader sees the end.
    pub(super) fn release_reader(&self, deadline: Instant) {
        while self.fifo.exists() && Instant::now() < deadline {
            match open_writer_nonblocking(&self.fifo) {
                Ok(_) => return,
                // No reader yet: its thread has not reached `open`.
                Err(_) => thread::sleep(Duration::from_millis(1)),
            }
        }
    }
}

/// The FIFO's path, moved to the reading thread.
pub(super) struct FifoPath(PathBuf);

impl FifoPath {
    /// Waits until the program opens the write end, then removes the path.
    pub(super) fn open_reader(self) -> Option<File> {
        let file = File::open(&self.0).ok()?;
        let _ = fs::remove_file(&self.0);
        Some(file)
    }
}

#[cfg(unix)]
fn make_fifo(path: &Path) -> io::Result<()> {
    nix::unistd::mkfifo(
        path,
        nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
    )
    .map_err(io::Error::from)
}

#[cfg(not(unix))]
fn make_fifo(path: &Path) -> io::Result<()> {
    // No FIFOs: a plain file, read once the program has ended (no forgery protection).
    File::create(path).map(drop)
}

#[cfg(unix)]
fn open_writer_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_writer_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().append(true).open(path)
}

/// A stdout pipe filled to the brim by the grader before the program starts, so the
/// program's first write waits until the grader starts reading (after skipping its own
/// filler).
#[derive(Debug)]
pub struct GatedPipe {
    read: File,
    write: Option<std::os::fd::OwnedFd>,
    prefilled: usize,
}

#[cfg(unix)]
pub fn gated_pipe() -> io::Result<GatedPipe> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    use std::io::Write;
    let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
    let mut writer = File::from(write);
    let filler = [0u8; 4096];
    let mut prefilled = 0;
    loop {
        match writer.write(&filler) {
            Ok(written) => prefilled += written,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
            Err(err) => return Err(err),
        }
    }
    // Both ends blocking again: the program's writes must wait, not fail.
    fcntl(&writer, FcntlArg::F_SETFL(OFlag::empty()))?;
    fcntl(&read, FcntlArg::F_SETFL(OFlag::empty()))?;
    Ok(GatedPipe {
        read: File::from(read),
        write: Some(writer.into()),
        prefilled,
    })
}

#[cfg(not(unix))]
pub fn gated_pipe() -> io::Result<GatedPipe> {
    Err(io::Error::other("gated pipes need Unix"))
}

impl GatedPipe {
    /// The write end, for the child's stdout (taken once).
    pub fn child_end(&mut self) -> io::Result<Stdio> {
        self.write
            .take()
            .map(Stdio::from)
            .ok_or_else(|| io::Error::other("the pipe's write end was already taken"))
    }

    /// Bytes of filler to skip when reading.
    pub fn prefilled(&self) -> usize {
        self.prefilled
    }

    pub fn into_reader(self) -> impl Read + Send + 'static {
        self.read
    }
}
