#!/usr/bin/env python3
"""Benchmark: time to verdict for hangs and sequential answers, before and after early
detection, side by side in one run.

Three cases, each graded with `threadlings run NAME`:

- deadlock: two locks taken in opposite orders (the fixture course's `lock_order`,
  10 s limit);
- channel never closed: a `for line in rx` loop whose sender is never dropped (the
  fixture course's `channel_open`, 10 s limit);
- sequential answer: the real course's `threads1` stub, which joins each worker right
  after spawning it, so its `Rendezvous` never fills (3 s bound).

"before" sets THREADLINGS_NO_EARLY_DEADLOCK=1, which turns off both the grader's deadlock
watch and the testkit's early give-up (the time limit and the fixed bound stay, as before
issue 8); "after" is the default. Rounds alternate before and after so machine noise hits
both alike; medians are printed. Every case is built once first, so the rounds time the
grading, not the first compile. Run from anywhere in the checkout:

    python3 grader/bench/hang.py [--rounds N]

The fixture course is copied to target/bench-hang/ (its build cache is kept between runs).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "grader/tests/fixtures/course"
SCRATCH = ROOT / "target/bench-hang"


def grader():
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "threadlings"], cwd=ROOT, check=True
    )
    return ROOT / "target/release/threadlings"


def fixture_copy():
    course = SCRATCH / "course"
    if course.exists():
        for entry in course.iterdir():
            if entry.name != "target":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    else:
        course.mkdir(parents=True)
    for entry in FIXTURE.iterdir():
        target = course / entry.name
        shutil.copytree(entry, target) if entry.is_dir() else shutil.copy(entry, target)
    # The fixture names the testkit by a path relative to where it lives in the repo.
    for side in ("exercises", "solutions"):
        manifest = course / side / "Cargo.toml"
        text = manifest.read_text().replace('path = "../../../../testkit"', f'path = "{ROOT / "grader" / "testkit"}"')
        manifest.write_text(text)
    return course


def timed_run(binary, course, name, before):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("THREADLINGS_NO_EARLY_DEADLOCK", None)
    if before:
        env["THREADLINGS_NO_EARLY_DEADLOCK"] = "1"
    started = time.perf_counter()
    done = subprocess.run(
        [str(binary), "run", name, "--course-dir", str(course)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 1:
        sys.exit(f"{name}: expected a failing verdict, got status {done.returncode}:\n"
                 f"{done.stdout.decode()}{done.stderr.decode()}")
    return elapsed, done.stdout.decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds

    binary = grader()
    fixture = fixture_copy()
    cases = [
        ("deadlock (lock_order)", fixture, "lock_order"),
        ("channel never closed (channel_open)", fixture, "channel_open"),
        ("sequential answer (threads1 stub)", ROOT, "threads1"),
    ]
    print(f"{rounds} rounds each, median time to verdict (threadlings run NAME, wall clock)")
    print(f"{'case':<40} {'before':>9} {'after':>9} {'ratio':>7}")
    for label, course, name in cases:
        timed_run(binary, course, name, before=False)  # builds it
        samples = {True: [], False: []}
        for _ in range(rounds):
            for before in (True, False):
                samples[before].append(timed_run(binary, course, name, before)[0])
        before, after = (statistics.median(samples[flag]) for flag in (True, False))
        print(f"{label:<40} {before:>8.2f}s {after:>8.2f}s {before / after:>6.1f}x")
    # What the learner reads after the change, for the record.
    print()
    print(timed_run(binary, fixture, "channel_open", before=False)[1])


if __name__ == "__main__":
    main()
