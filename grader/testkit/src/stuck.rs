//! Whether any other thread of this process could still do something: the fast path of
//! the bounded waits (Linux, from `/proc/self`; elsewhere it never answers yes).
//!
//! A thread can still act when it runs, is runnable, sleeps on a timer or in a wait with a
//! deadline, or is in any system call but a futex wait without a timeout. When every
//! other thread (those known to be waiting at the same meeting point aside) sleeps in
//! such a wait, and none of them gained CPU time or woke up for [`SETTLE`], only this
//! thread could wake them, and it is waiting too: nobody will ever arrive.

use std::time::{Duration, Instant};

/// How long every other thread must stay blocked for good before the wait gives up.
pub(crate) const SETTLE: Duration = Duration::from_millis(200);

/// Watches the other threads across successive looks.
#[derive(Debug, Default)]
pub(crate) struct Stillness {
    /// Since when every other thread has been stuck with this progress.
    quiet: Option<(Instant, Vec<(u32, u64)>)>,
}

impl Stillness {
    /// True once every thread of the process except `excluded` has been blocked for good,
    /// with no progress, for [`SETTLE`]. Never true where `/proc` does not tell.
    pub(crate) fn nobody_else_can_act(&mut self, excluded: &[u32]) -> bool {
        let Some(others) = others(excluded) else {
            self.quiet = None;
            return false;
        };
        self.observe(Instant::now(), others)
    }

    fn observe(&mut self, now: Instant, others: Option<Vec<(u32, u64)>>) -> bool {
        let Some(progress) = others else {
            self.quiet = None;
            return false;
        };
        match &self.quiet {
            Some((since, before)) if *before == progress => now.duration_since(*since) >= SETTLE,
            _ => {
                self.quiet = Some((now, progress));
                false
            }
        }
    }
}

/// This thread's id, as `/proc` names it.
pub(crate) fn current_tid() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// `Some(None)`: some other thread can still act. `Some(Some(progress))`: every other
/// thread is stuck; their ids and progress counters. `None`: `/proc` does not tell.
#[expect(
    clippy::option_option,
    reason = "three answers: unknown, someone can act, everyone is stuck"
)]
fn others(excluded: &[u32]) -> Option<Option<Vec<(u32, u64)>>> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let mut progress = Vec::new();
    for task in tasks.flatten() {
        let Some(tid) = task.file_name().to_str().and_then(|tid| tid.parse().ok()) else {
            continue;
        };
        if excluded.contains(&tid) {
            continue;
        }
        let dir = task.path();
        let read = |file: &str| std::fs::read_to_string(dir.join(file));
        // A thread that ended between the listing and now can act no more.
        let Ok(stat) = read("stat") else { continue };
        let Ok(syscall) = read("syscall") else {
            return None;
        };
        let (state, ticks) = state_and_ticks(&stat)?;
        if state != 'S' || !in_untimed_futex_wait(&syscall) {
            return Some(None);
        }
        let switches = read("status").map_or(0, |status| context_switches(&status));
        progress.push((tid, ticks + switches));
    }
    progress.sort_unstable();
    Some(Some(progress))
}

/// The state letter and the CPU ticks of a `stat` line.
fn state_and_ticks(stat: &str) -> Option<(char, u64)> {
    let (_, after_name) = stat.rsplit_once(") ")?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((state, utime + stime))
}

fn context_switches(status: &str) -> u64 {
    status
        .lines()
        .filter(|line| line.contains("ctxt_switches:"))
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// Whether a `/proc/.../syscall` line is a futex wait with no timeout (x86_64 and
/// aarch64 numbers): a lock, a join, a channel, a condvar or a park that only another
/// thread can end. A deadline more than a minute away counts as none (libtest's runner
/// waits for its tests with one, to warn about slow tests after 60 s): this wait gives
/// up long before.
fn in_untimed_futex_wait(line: &str) -> bool {
    const FUTEX: u64 = if cfg!(target_arch = "aarch64") {
        98
    } else {
        202
    };
    const FAR: Duration = Duration::from_secs(50);
    const FUTEX_CLOCK_REALTIME: u64 = 256;
    let mut fields = line.split_whitespace();
    let number = |field: Option<&str>| {
        field.and_then(|field| u64::from_str_radix(field.trim_start_matches("0x"), 16).ok())
    };
    if fields.next().and_then(|nr| nr.parse::<u64>().ok()) != Some(FUTEX) {
        return false;
    }
    let _address = fields.next();
    let Some(op) = number(fields.next()) else {
        return false;
    };
    let _value = fields.next();
    let Some(timeout) = number(fields.next()) else {
        return false;
    };
    // FUTEX_WAIT, FUTEX_LOCK_PI, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_LOCK_PI2.
    if !matches!(op & 0x7f, 0 | 6 | 9 | 11 | 13) {
        return false;
    }
    if timeout == 0 {
        return true;
    }
    // Only std's own waits (a monotonic deadline, FUTEX_WAIT_BITSET) are read.
    if op & 0x7f != 9 || op & FUTEX_CLOCK_REALTIME != 0 {
        return false;
    }
    deadline_at(timeout)
        .zip(seconds_since_boot())
        .is_some_and(|(deadline, now)| deadline.saturating_sub(now) > FAR)
}

/// The absolute deadline in the `timespec` at `address` in this process.
fn deadline_at(address: u64) -> Option<Duration> {
    use std::os::unix::fs::FileExt;
    let mem = std::fs::File::open("/proc/self/mem").ok()?;
    let mut bytes = [0u8; 16];
    mem.read_exact_at(&mut bytes, address).ok()?;
    let secs = u64::try_from(i64::from_ne_bytes(bytes[..8].try_into().ok()?)).ok()?;
    let nanos = u32::try_from(i64::from_ne_bytes(bytes[8..].try_into().ok()?)).ok()?;
    Some(Duration::new(secs, nanos))
}

/// The time since boot (`/proc/uptime`): never behind the monotonic clock, so a deadline
/// measured against it is never thought further away than it is.
fn seconds_since_boot() -> Option<Duration> {
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let seconds: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_untimed_futex_waits_are_stuck() {
        let x86 = cfg!(target_arch = "x86_64");
        if !x86 {
            return;
        }
        let rows = [
            (
                "202 0x55b8d2d705f8 0x89 0xffffffff 0x0 0x0 0x7ffc 0x7ffc 0x7fc1",
                true,
            ),
            (
                "202 0x55b8d2d705f8 0x80 0x3a2f 0x0 0x0 0x7ffc 0x7ffc 0x7fc1",
                true,
            ),
            (
                "202 0x55b8d2d705f8 0x89 0x0 0x7ffc6cbc7000 0x0 0x0 0x7ffc 0x7fc1",
                false,
            ),
            (
                "202 0x55b8d2d705f8 0x81 0x1 0x0 0x0 0x0 0x7ffc 0x7fc1",
                false,
            ),
            ("230 0x1 0x0 0x7ffc 0x7ffc 0x0 0x0 0x7ffc 0x7fc1", false),
            ("running", false),
            ("-1 0x7ffc 0x7fc1", false),
        ];
        for (line, stuck) in rows {
            assert_eq!(in_untimed_futex_wait(line), stuck, "{line}");
        }
    }

    #[test]
    fn stillness_needs_the_settle_period_without_progress() {
        let start = Instant::now();
        let mut still = Stillness::default();
        let at = |ms| start + Duration::from_millis(ms);
        assert!(!still.observe(at(0), Some(vec![(1, 5)])));
        assert!(!still.observe(at(100), Some(vec![(1, 5)])));
        assert!(
            !still.observe(at(150), Some(vec![(1, 6)])),
            "progress restarts it"
        );
        assert!(!still.observe(at(300), Some(vec![(1, 6)])));
        assert!(still.observe(at(350), Some(vec![(1, 6)])));
        assert!(!still.observe(at(400), None), "someone can act again");
    }
}
