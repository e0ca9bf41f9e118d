#!/usr/bin/env python3
"""Benchmark: the grader against the floor of bare cargo, side by side in one run.

1. Edit one exercise, then grade it: `threadlings run NAME --solution` versus the floor,
   `cargo test --no-run --bin NAME` plus running the test binary directly. Every round
   edits the file before each side, so both recompile it.
2. Grade the whole course: `threadlings verify --solutions` versus one cargo call that
   builds every solution's test binary plus running each of them, plus trybuild run
   through cargo for each compile-fail lesson (the floor of checking those lessons), plus
   one `--cfg loom` cargo call (in a target dir of its own) building the model-checked
   lessons and running each under the model checker's bounds.

Rounds alternate floor and grader so machine noise hits both alike; the medians and their
ratio are printed. Run from anywhere in the checkout:

    python3 grader/bench/grade.py [--rounds N] [--exercise NAME]

It builds the grader in release mode first and restores the edited file at the end.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Bare cargo builds in a target dir of its own: the grader compiles learner crates through
# its rustc wrapper, which cargo fingerprints, so sharing one dir would make each side
# rebuild what the other just built.
FLOOR_ENV = {"CARGO_TARGET_DIR": str(ROOT / "target" / "bench-floor")}
# Model-checked lessons: `--cfg loom` recompiles every dependency, so in a dir of its own.
MODEL_FLOOR_ENV = {
    "CARGO_TARGET_DIR": str(ROOT / "target" / "bench-floor-loom"),
    "CARGO_ENCODED_RUSTFLAGS": "--cfg\x1floom",
}
LOOM_ENV = {"LOOM_LOCATION": "1", "LOOM_MAX_PREEMPTIONS": "2"}


def sh(args, **kwargs):
    return subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def timed(args, ok_codes=(0,), env=None):
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - started
    if done.returncode not in ok_codes:
        sys.exit(f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed, done.stdout.decode()


def test_executables(stdout):
    """Test executables from cargo's JSON messages, by target name."""
    found = {}
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["profile"]["test"] and message.get("executable"):
            found[message["target"]["name"]] = message["executable"]
    return found


def median_ms(samples):
    return statistics.median(samples) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--exercise", default="threads1")
    options = parser.parse_args()

    sh(["cargo", "build", "--release", "--quiet", "-p", "threadlings"])
    grader = ROOT / "target" / "release" / "threadlings"
    manifest = "solutions/Cargo.toml"
    name = options.exercise
    info = json.loads(sh([grader, "list", "--json"]).stdout)
    entry = next((e for e in info if e["name"] == name), None)
    if entry is None:
        sys.exit(f"no exercise named {name}")
    source = ROOT / entry["path"].replace("exercises/", "solutions/", 1)
    original = source.read_text()

    floor_build = ["cargo", "test", "--no-run", "--quiet", "--message-format=json", "--manifest-path", manifest, "--bin", name]
    # Warm everything once.
    timed(floor_build, env=FLOOR_ENV)
    timed([grader, "run", name, "--solution"])

    floor, ours, uncontained = [], [], []
    try:
        for round_ in range(options.rounds):
            source.write_text(original + f"\n// bench edit {round_} floor\n")
            build_time, stdout = timed(floor_build, env=FLOOR_ENV)
            executable = test_executables(stdout)[name]
            run_time, _ = timed([executable, "--test-threads=1"])
            floor.append(build_time + run_time)

            source.write_text(original + f"\n// bench edit {round_} grader\n")
            grade_time, _ = timed([grader, "run", name, "--solution"])
            ours.append(grade_time)

            source.write_text(original + f"\n// bench edit {round_} uncontained\n")
            grade_time, _ = timed([grader, "run", name, "--solution"], env={"THREADLINGS_CONTAINMENT": "off"})
            uncontained.append(grade_time)
    finally:
        source.write_text(original)
    timed(floor_build, env=FLOOR_ENV)

    edit_ratio = median_ms(ours) / median_ms(floor)
    print(f"edit + run {name}: floor {median_ms(floor):.0f} ms, threadlings {median_ms(ours):.0f} ms, "
          f"ratio {edit_ratio:.2f} (target <= 1.15)")
    print(f"  without containment (THREADLINGS_CONTAINMENT=off): {median_ms(uncontained):.0f} ms, "
          f"ratio {median_ms(uncontained) / median_ms(floor):.2f}")

    compile_fail = [e["name"] for e in info if e["mode"] == "compile_fail"]
    for lesson in compile_fail:
        timed([grader, "run", lesson, "--solution"])  # stages the lesson
    all_build = ["cargo", "test", "--no-run", "--quiet", "--message-format=json", "--manifest-path", manifest]
    model_checked = [e["name"] for e in info if e["mode"] == "model_check"]
    model_build = ["cargo", "test", "--no-run", "--quiet", "--message-format=json", "--manifest-path", manifest]
    for lesson in model_checked:
        model_build += ["--bin", lesson]
    floor, ours = [], []
    for _ in range(max(3, options.rounds // 2)):
        started = time.perf_counter()
        _, stdout = timed(all_build, env=FLOOR_ENV)
        for executable in test_executables(stdout).values():
            subprocess.run([executable, "--test-threads=1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if model_checked:
            _, stdout = timed(model_build, env=MODEL_FLOOR_ENV)
            for executable in test_executables(stdout).values():
                subprocess.run([executable, "--test-threads=1"], cwd=ROOT, env={**os.environ, **LOOM_ENV},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for lesson in compile_fail:
            # The stage the grader left behind: the same files trybuild checks.
            subprocess.run(["cargo", "test", "--quiet", "--manifest-path", "grader/ui-harness/Cargo.toml", "--test", "ui"],
                           cwd=ROOT, env={**os.environ, **FLOOR_ENV, "THREADLINGS_UI_DIR": f"../../.threadlings/ui/{lesson}"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        floor.append(time.perf_counter() - started)
        verify_time, _ = timed([grader, "verify", "--solutions"])
        ours.append(verify_time)
    verify_ratio = median_ms(ours) / median_ms(floor)
    print(f"verify --solutions ({len(info)} exercises): floor {median_ms(floor):.0f} ms, "
          f"threadlings {median_ms(ours):.0f} ms, ratio {verify_ratio:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
