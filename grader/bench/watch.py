#!/usr/bin/env python3
"""Benchmark: save → verdict in the watch loop, against the floor, side by side.

Two scratch clones of this checkout, each with its own target directory under target/
(kept between runs, so the course's crates are built once): in clone A, `threadlings watch --events json` runs; in clone B, the floor is
measured by hand. Each round edits the current exercise in A and reads the timestamps of
the loop's events (`started`, `verdict`), then makes the same edit in B and times
`cargo test --no-run --bin NAME` plus running the test binary (when it compiles).

Two exercises are measured: `threads2`, whose stub does not compile (the build-only path),
and `threads3`, whose stub compiles and fails its tests (build + test run). Prints, per
path, the medians of save → verdict and of the floor, their ratio, and the detection cost
(save → `started`, i.e. file event + debounce). Target: save → verdict <= floor + 200 ms.

    python3 grader/bench/watch.py [--rounds N]
"""

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clone(into):
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(into)], check=True)
    return into


def now_ms():
    return time.time() * 1000


def floor_round(course, name, edit, env):
    source = course / "exercises" / "01_threads" / f"{name}.rs"
    source.write_text(source.read_text() + edit)
    started = now_ms()
    done = subprocess.run(
        ["cargo", "test", "--no-run", "--quiet", "--message-format=json", "--features", "exercises",
         "--manifest-path", "exercises/Cargo.toml", "--bin", name],
        cwd=course, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for line in done.stdout.decode().splitlines():
        if line.startswith("{"):
            message = json.loads(line)
            if message.get("reason") == "compiler-artifact" and message["profile"]["test"] and message.get("executable"):
                subprocess.run([message["executable"], "--test-threads=1"], cwd=course,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return now_ms() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=8)
    options = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "threadlings"], cwd=ROOT, check=True)
    grader = ROOT / "target" / "release" / "threadlings"
    scratch = Path(tempfile.mkdtemp(prefix="threadlings-bench-"))
    # Each clone gets its own target directory, kept between runs so the crates are built
    # once. Never share one with another checkout of the course: cargo names a workspace's
    # artifacts by paths relative to the workspace, so two checkouts would overwrite each
    # other's exercise binaries and trust them by timestamp.
    env_for = lambda course: {**os.environ, "CARGO_TARGET_DIR": str(ROOT / "target" / f"bench-{course.name}")}
    try:
        watched, floor = clone(scratch / "watched"), clone(scratch / "floor")
        # threads1 done, so the loop starts at threads2.
        for course in (watched, floor):
            shutil.copy(course / "solutions/01_threads/threads1.rs", course / "exercises/01_threads/threads1.rs")
        subprocess.run([grader, "run", "threads1", "--course-dir", watched], env=env_for(watched), check=True, stdout=subprocess.DEVNULL)
        loop = subprocess.Popen([grader, "watch", "--events", "json", "--course-dir", watched], env=env_for(watched),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        events = queue.Queue()
        threading.Thread(target=lambda: [events.put(json.loads(line)) for line in loop.stdout], daemon=True).start()

        def wait_for(kind, name):
            while True:
                event = events.get(timeout=300)
                if event["event"] == kind and event.get("exercise") == name:
                    return event

        results = {}
        for name, path_kind in (("threads2", "build only (compile error)"), ("threads3", "build + tests (test failed)")):
            wait_for("verdict", name)  # the loop's own first grading of it
            floor_round(floor, name, "\n// warm-up\n", env_for(floor))
            totals, detections, floors = [], [], []
            source = watched / "exercises/01_threads" / f"{name}.rs"
            for round_ in range(options.rounds):
                saved = now_ms()
                source.write_text(source.read_text() + f"\n// watched edit {round_}\n")
                started = wait_for("started", name)
                verdict = wait_for("verdict", name)
                totals.append(verdict["at_ms"] - saved)
                detections.append(started["at_ms"] - saved)
                floors.append(floor_round(floor, name, f"\n// floor edit {round_}\n", env_for(floor)))
            results[name] = (path_kind, statistics.median(totals), statistics.median(detections), statistics.median(floors))
            if name == "threads2":
                # Pass threads2: the loop moves on to threads3.
                shutil.copy(watched / "solutions/01_threads/threads2.rs", source)
                wait_for("next", "threads3")
        loop.stdin.write("q\n")
        loop.stdin.flush()
        loop.wait(timeout=60)
        for name, (path_kind, total, detection, floor_ms) in results.items():
            print(f"{name}, {path_kind}: save -> verdict {total:.0f} ms, floor {floor_ms:.0f} ms, "
                  f"ratio {total / floor_ms:.2f}, over the floor {total - floor_ms:+.0f} ms (target <= +200), "
                  f"detection (event + debounce) {detection:.0f} ms")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
