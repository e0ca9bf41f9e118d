#!/usr/bin/env python3
"""Benchmark: grading a class with `threadlings grade` against the floor, side by side.

A synthetic class: each student's checkout holds the assigned exercises, each one the
reference solution or the stub (a different mix per student), with a comment naming the
student so that no two students' files are the same. The floor for one student is what
bare cargo needs for the same work: one `cargo test --no-run` building every assigned
exercise's test binary in a copy of the course holding the student's files, plus running
each test binary once. Every file carries a mark of the run, so neither side finds a
build from an earlier run. The grader does that and more (scratch checkouts, the classroom
policy's lints, contained test runs, the reports).

Printed, for a class of `--small` and of `--large` students:
- the grader's time and the floor's, and their ratio (throughput against the floor);
- how each grows from the small class to the large one (linear growth is large/small);
- a regrade of the large class after one student changed a file (the kept grades).

Run from anywhere in the checkout:

    python3 grader/bench/class.py [--small 5] [--large 20] [--exercises a,b,c]

It builds the grader in release mode first; classes and floors live in target/bench-class.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "target" / "bench-class"
FLOOR_TARGET = WORK / "floor-target"
DEFAULT_EXERCISES = "threads1,scoped1,pools1,mpsc1,cbchan1,shared2,locks5,concurrent3"
RUN = time.time_ns()


def run(args, cwd=ROOT, env=None, ok=(0,)):
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})})
    if done.returncode not in ok:
        sys.exit(f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr.decode()[-3000:]}")
    return time.perf_counter() - started, done.stdout.decode()


def course_exercises():
    """name -> dir, from `threadlings list --json`."""
    _, out = run([ROOT / "target/release/threadlings", "list", "--json"])
    return {e["name"]: Path(e["path"]).parent.name for e in json.loads(out)}


def make_class(size, exercises, dirs):
    folder = WORK / f"class{size}"
    shutil.rmtree(folder, ignore_errors=True)
    for student in range(size):
        for index, name in enumerate(exercises):
            side = "exercises" if (student + index) % 3 == 0 else "solutions"
            source = (ROOT / side / dirs[name] / f"{name}.rs").read_text()
            target = folder / f"s{student:03}" / "exercises" / dirs[name] / f"{name}.rs"
            target.parent.mkdir(parents=True, exist_ok=True)
            # A mark of this run too: neither side may find a student's build from before.
            target.write_text(f"// student s{student:03}, run {RUN}\n{source}")
    return folder


def floor_copy():
    """A copy of the course (no target, no grader sources) for bare cargo."""
    copy = WORK / "floor-course"
    if not copy.exists():
        grader = ROOT / "grader"

        def ignore(directory, names):
            skip = {"target", ".git"}
            if Path(directory) == grader:
                skip |= {"src", "bench", "tests"}
            return [name for name in names if name in skip]

        shutil.copytree(ROOT, copy, ignore=ignore)
        manifest = (copy / "Cargo.toml").read_text()
        (copy / "Cargo.toml").write_text(manifest.replace('"grader", ', "").replace('default-members = ["grader", "grader/testkit"]', 'default-members = ["grader/testkit"]'))
    return copy


def floor(folder, exercises, dirs):
    """Bare cargo, student by student: one build of the assigned tests, then each binary."""
    copy = floor_copy()
    env = {"CARGO_TARGET_DIR": str(FLOOR_TARGET)}
    total = 0.0
    for student in sorted(folder.iterdir()):
        for name in exercises:
            shutil.copy(student / "exercises" / dirs[name] / f"{name}.rs", copy / "exercises" / dirs[name] / f"{name}.rs")
        args = ["cargo", "test", "--no-run", "--no-fail-fast", "--message-format=json", "--manifest-path",
                str(copy / "exercises" / "Cargo.toml"), "--features", "exercises"]
        for name in exercises:
            args += ["--bin", name]
        elapsed, out = run(args, env=env, ok=(0, 101))
        total += elapsed
        for line in out.splitlines():
            message = json.loads(line) if line.startswith("{") else {}
            if message.get("reason") == "compiler-artifact" and message.get("executable") and message["profile"]["test"]:
                elapsed, _ = run([message["executable"], "--test-threads=1"], ok=(0, 101))
                total += elapsed
    return total


def grade(folder, exercises, fresh=True):
    args = [ROOT / "target/release/threadlings", "grade", folder, "--format", "json", "--out", WORK / "out"]
    for name in exercises:
        args += ["--exercise", name]
    if fresh:
        args.append("--fresh")
    elapsed, _ = run(args, ok=(0, 1))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=5)
    parser.add_argument("--large", type=int, default=20)
    parser.add_argument("--exercises", default=DEFAULT_EXERCISES)
    options = parser.parse_args()
    exercises = options.exercises.split(",")
    WORK.mkdir(parents=True, exist_ok=True)
    print("building the grader (release)...", file=sys.stderr)
    run(["cargo", "build", "--release", "-q", "-p", "threadlings"])
    dirs = course_exercises()
    results = {}
    for size in (options.small, options.large):
        folder = make_class(size, exercises, dirs)
        if not results:
            # Warm both build folders (dependencies, testkit) before anything is timed.
            floor(make_class(1, exercises, dirs), exercises, dirs)
            grade(WORK / "class1", exercises)
        results[size] = (grade(folder, exercises), floor(folder, exercises, dirs))
        print(f"{size:3} students x {len(exercises)} exercises: grader {results[size][0]:7.1f} s, "
              f"floor {results[size][1]:7.1f} s, ratio {results[size][0] / results[size][1]:.2f}")
    small, large = results[options.small], results[options.large]
    print(f"growth {options.small} -> {options.large} students (linear: {options.large / options.small:.1f}x): "
          f"grader {large[0] / small[0]:.2f}x, floor {large[1] / small[1]:.2f}x")
    folder = WORK / f"class{options.large}"
    grade(folder, exercises, fresh=False)
    changed = folder / "s000" / "exercises" / dirs[exercises[0]] / f"{exercises[0]}.rs"
    changed.write_text(changed.read_text() + "\n// resubmitted\n")
    again = grade(folder, exercises, fresh=False)
    print(f"regrade of {options.large} students after one resubmission: {again:.1f} s "
          f"({again / large[0]:.2f} of a full grading)")


if __name__ == "__main__":
    main()
