#!/usr/bin/env python3
"""Benchmark: warm edit -> verdict of a model-checked exercise against the floor of a
normal one, side by side in one run.

- floor: `cargo test --no-run --bin NORMAL` plus running its test binary, after an edit
  (the floor of `grade.py`);
- model floor: the same for the model-checked exercise done by hand: `--cfg loom` in a
  target directory of its own, and the test binary run with loom's bounds;
- threadlings: `threadlings run MODEL --solution` after an edit (a `--cfg loom` build in
  `target/loom`, a contained run under the model checker, the verdict).

The target is threadlings on a model-checked exercise <= 2x the floor of a normal one.
Rounds alternate the three so machine noise hits them alike. Run from anywhere in the
checkout:

    python3 grader/bench/model.py [--rounds N] [--model NAME] [--normal NAME]

It builds the grader in release mode first and restores the edited files at the end.
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
FLOOR_ENV = {"CARGO_TARGET_DIR": str(ROOT / "target" / "bench-floor")}
MODEL_FLOOR_ENV = {
    "CARGO_TARGET_DIR": str(ROOT / "target" / "bench-floor-loom"),
    "CARGO_ENCODED_RUSTFLAGS": "--cfg\x1floom",
}
LOOM_ENV = {"LOOM_LOCATION": "1", "LOOM_MAX_PREEMPTIONS": "2"}


def timed(args, ok_codes=(0,), env=None):
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - started
    if done.returncode not in ok_codes:
        sys.exit(f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed, done.stdout.decode()


def test_executable(stdout, name):
    for line in stdout.splitlines():
        if line.startswith("{"):
            message = json.loads(line)
            if (message.get("reason") == "compiler-artifact" and message["profile"]["test"]
                    and message.get("executable") and message["target"]["name"] == name):
                return message["executable"]
    sys.exit(f"cargo built no test executable for {name}")


def median_ms(samples):
    return statistics.median(samples) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--model", default="ordering1")
    parser.add_argument("--normal", default="threads1")
    options = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "threadlings"], cwd=ROOT, check=True)
    grader = ROOT / "target" / "release" / "threadlings"
    info = {e["name"]: e for e in json.loads(timed([grader, "list", "--json"])[1])}
    for name, mode in [(options.model, "model_check"), (options.normal, "test")]:
        if info.get(name, {}).get("mode") != mode:
            sys.exit(f"{name} is not an exercise of mode {mode}")
    sources = {name: ROOT / info[name]["path"].replace("exercises/", "solutions/", 1)
               for name in (options.model, options.normal)}
    originals = {name: path.read_text() for name, path in sources.items()}

    def build(name, env):
        return ["cargo", "test", "--no-run", "--quiet", "--message-format=json",
                "--manifest-path", "solutions/Cargo.toml", "--bin", name], env

    def floor_round(name, env, run_env, tag):
        sources[name].write_text(originals[name] + f"\n// bench edit {tag}\n")
        args, env = build(name, env)
        build_time, stdout = timed(args, env=env)
        run_time, _ = timed([test_executable(stdout, name), "--test-threads=1"], env=run_env)
        return build_time + run_time

    # Warm everything once (the first --cfg loom build compiles every dependency).
    floor_round(options.normal, FLOOR_ENV, {}, "warm")
    floor_round(options.model, MODEL_FLOOR_ENV, LOOM_ENV, "warm")
    timed([grader, "run", options.model, "--solution"])

    floor, model_floor, ours = [], [], []
    try:
        for round_ in range(options.rounds):
            floor.append(floor_round(options.normal, FLOOR_ENV, {}, f"{round_} floor"))
            model_floor.append(floor_round(options.model, MODEL_FLOOR_ENV, LOOM_ENV, f"{round_} model floor"))
            sources[options.model].write_text(originals[options.model] + f"\n// bench edit {round_} grader\n")
            ours.append(timed([grader, "run", options.model, "--solution"])[0])
    finally:
        for name, path in sources.items():
            path.write_text(originals[name])

    print(f"floor of a normal exercise ({options.normal}): {median_ms(floor):.0f} ms")
    print(f"model-checked {options.model} by bare cargo: {median_ms(model_floor):.0f} ms, "
          f"ratio {median_ms(model_floor) / median_ms(floor):.2f}")
    print(f"threadlings run {options.model}: {median_ms(ours):.0f} ms, "
          f"ratio {median_ms(ours) / median_ms(floor):.2f} to the normal floor (target <= 2), "
          f"{median_ms(ours) / median_ms(model_floor):.2f} to its own floor")


if __name__ == "__main__":
    main()
