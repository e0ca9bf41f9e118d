#!/usr/bin/env python3
"""Benchmark: this grader against another build of it (an older commit), on the same course.

A refactor must leave the grader as fast as it was. This measures both binaries side by side
in one run, on two clones of this checkout (each with its own target directory, so neither
rebuilds what the other built), alternating rounds so machine noise hits both alike:

1. Edit one solution, then `threadlings run NAME --solution` (rebuild + test run).
2. `threadlings verify --solutions` of the whole course (cached builds + every test run).

Prints each side's median and the ratio other/this (1.00: the same; above 1: this one is
faster). Build the other binary first, e.g. from a worktree of the older commit:

    git worktree add /tmp/before <commit> && cargo build --release --manifest-path /tmp/before/Cargo.toml -p threadlings
    python3 grader/bench/versus.py /tmp/before/target/release/threadlings [--rounds N]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def timed(args, ok_codes=(0, 1)):
    started = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok_codes:
        sys.exit(f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed


def clone(into):
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(into)], check=True)
    return into


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", help="the other grader binary (e.g. an older commit's)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--exercise", default="threads1")
    options = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "threadlings"], cwd=ROOT, check=True)
    graders = {"this": ROOT / "target" / "release" / "threadlings", "other": Path(options.other).resolve()}
    scratch = Path(tempfile.mkdtemp(prefix="threadlings-versus-"))
    try:
        courses = {side: clone(scratch / side) for side in graders}
        solution = {side: next(course.glob(f"solutions/*/{options.exercise}.rs")) for side, course in courses.items()}
        original = solution["this"].read_text()

        def run(side, edit=None):
            if edit is not None:
                solution[side].write_text(original + f"\n// versus edit {edit}\n")
                return timed([graders[side], "--course-dir", courses[side], "run", options.exercise, "--solution"])
            return timed([graders[side], "--course-dir", courses[side], "verify", "--solutions"])

        for side in graders:  # Warm: every crate and every solution built once.
            run(side)
        edits = {side: [] for side in graders}
        verifies = {side: [] for side in graders}
        for round_ in range(options.rounds):
            for side in graders:
                edits[side].append(run(side, edit=round_))
            for side in graders:
                verifies[side].append(run(side))
        for what, samples in (("edit + run " + options.exercise, edits), ("verify --solutions", verifies)):
            this, other = (statistics.median(samples[side]) * 1000 for side in ("this", "other"))
            print(f"{what}: this {this:.0f} ms, other {other:.0f} ms, other/this {other / this:.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
