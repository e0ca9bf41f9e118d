//! Diagnosing a hung process from `/proc` (Linux).
//!
//! Two samples of every thread's state and CPU ticks, a short interval apart: a thread
//! that is runnable or gained CPU time is spinning; if every thread sleeps and none moved,
//! the process is waiting for something that will never happen.

use std::fs;
use std::thread;
use std::time::Duration;

use super::{Diagnosis, Stacks, ThreadState};

/// Long enough for a spinning thread to gain several clock ticks (10 ms each).
const SAMPLE_INTERVAL: Duration = Duration::from_millis(120);

struct Sample {
    tid: u32,
    state: char,
    ticks: u64,
}

pub fn diagnose(pid: u32) -> Diagnosis {
    let Some(first) = sample(pid) else {
        return Diagnosis::Unknown;
    };
    thread::sleep(SAMPLE_INTERVAL);
    let Some(second) = sample(pid) else {
        return Diagnosis::Unknown;
    };
    let mut running = Vec::new();
    let mut sleeping = Vec::new();
    for now in &second {
        let gained = first
            .iter()
            .find(|then| then.tid == now.tid)
            .map_or(0, |then| now.ticks.saturating_sub(then.ticks));
        let thread = describe(pid, now.tid);
        if now.state == 'R' || gained > 0 {
            running.push((gained, thread));
        } else {
            sleeping.push(thread);
        }
    }
    if running.is_empty() {
        // Asleep is not stuck: a thread on a timer, in a wait that ends by itself or
        // stopped by a signal makes the process slow, not deadlocked.
        if super::hang::all_stuck(pid) == Some(false) {
            return Diagnosis::Waiting {
                threads: sleeping,
                stacks: Stacks::NotTried,
            };
        }
        Diagnosis::Deadlock {
            threads: sleeping,
            early: false,
            stacks: Stacks::NotTried,
        }
    } else {
        // The busiest thread first: it is the one to look at.
        running.sort_by_key(|(gained, _)| std::cmp::Reverse(*gained));
        Diagnosis::BusyLoop {
            running: running.into_iter().map(|(_, thread)| thread).collect(),
            stacks: Stacks::NotTried,
        }
    }
}

/// The threads of a process the watcher found deadlocked.
pub fn deadlocked(pid: u32) -> Diagnosis {
    let Some(threads) = sample(pid) else {
        return Diagnosis::Unknown;
    };
    Diagnosis::Deadlock {
        threads: threads
            .iter()
            .map(|thread| describe(pid, thread.tid))
            .collect(),
        early: true,
        stacks: Stacks::NotTried,
    }
}

fn sample(pid: u32) -> Option<Vec<Sample>> {
    let tasks = fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut samples: Vec<Sample> = tasks
        .flatten()
        .filter_map(|task| {
            let tid: u32 = task.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(task.path().join("stat")).ok()?;
            parse_stat(tid, &stat)
        })
        .collect();
    samples.sort_by_key(|sample| sample.tid);
    (!samples.is_empty()).then_some(samples)
}

/// Fields of `/proc/PID/task/TID/stat` after the parenthesised name: state is the first,
/// utime and stime the 12th and 13th.
fn parse_stat(tid: u32, stat: &str) -> Option<Sample> {
    let (state, ticks) = state_and_ticks(stat)?;
    Some(Sample { tid, state, ticks })
}

/// The state letter and the CPU ticks (user + system) of a `stat` line.
pub(super) fn state_and_ticks(stat: &str) -> Option<(char, u64)> {
    let (_, after_name) = stat.rsplit_once(") ")?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((state, utime + stime))
}

fn describe(pid: u32, tid: u32) -> ThreadState {
    let read = |file: &str| {
        fs::read_to_string(format!("/proc/{pid}/task/{tid}/{file}"))
            .ok()
            .map(|text| text.trim().to_owned())
    };
    ThreadState {
        main: tid == pid,
        // Containers often hide it ("0"); it is a bonus when present.
        waiting_in: read("wchan").filter(|wchan| !wchan.is_empty() && wchan != "0"),
        ..ThreadState::new(tid, read("comm").unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_names_parse() {
        let stat = "4242 (tests::a (b)) S 1 2 3 4 5 6 7 8 9 10 17 4 0 0 20 0 1 0";
        let sample = parse_stat(4242, stat).unwrap();
        assert_eq!(sample.state, 'S');
        assert_eq!(sample.ticks, 21);
    }
}
