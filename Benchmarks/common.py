"""Shared helpers for the benchmark scripts: the review binary, work folders, alternating timings."""
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "Benchmarks", "work")
REVIEW = os.environ.get("REVIEW_BIN", os.path.join(ROOT, ".build", "release", "review"))


def need_review_binary():
    if not os.access(REVIEW, os.X_OK):
        sys.exit(f"no review binary at {REVIEW}: run `make build` first (or set REVIEW_BIN)")


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def copy_example(dest):
    """The example review's hand-made files (no generated out/ folders)."""
    shutil.copy(os.path.join(ROOT, "workflow.json"), dest)
    shutil.copytree(os.path.join(ROOT, "stages"), os.path.join(dest, "stages"),
                    ignore=shutil.ignore_patterns("out"))


def run(argv, cwd=None, check=True, env=None):
    result = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr.decode(errors='replace')}")
    return result


def timed(argv, cwd=None, env=None):
    start = time.perf_counter()
    run(argv, cwd=cwd, env=env)
    return time.perf_counter() - start


def alternate(commands, rounds):
    """Times each (name, argv, cwd) once per round, in turn, so that machine noise hits all alike.
    Returns name -> list of seconds."""
    times = {name: [] for name, _, _ in commands}
    for _ in range(rounds):
        for name, argv, cwd in commands:
            times[name].append(timed(argv, cwd=cwd))
    return times


def summary(times):
    return {name: (statistics.median(values), min(values), max(values)) for name, values in times.items()}


def report(title, times, unit="ms", scale=1000.0):
    print(f"\n{title}")
    for name, (median, low, high) in summary(times).items():
        print(f"  {name:<34} median {median * scale:9.1f} {unit}   (min {low * scale:.1f}, max {high * scale:.1f}, n={len(times[name])})")
