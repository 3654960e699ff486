#!/usr/bin/env python3
"""A stage snapshot of 10,000 small hand-made files (`review run`: hash, write blobs, tree, commit,
move the ref) against `git add -A && git commit` of the same files, fresh copies each round, alternating.
git's automatic gc (which 10,000 loose objects would start in the background) is turned off so that it
does not run into the next measurement.

Usage: python3 Benchmarks/snapshot_10k.py [--files 10000] [--rounds 5]
"""
import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REVIEW, fresh, need_review_binary, run  # noqa: E402


def timed_cpu(argv, cwd=None, env=None):
    """(wall seconds, CPU seconds of the child processes)."""
    import resource
    import time
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run(argv, cwd=cwd, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def make_review(folder, files):
    data = os.path.join(folder, "stages", "1-data", "files")
    os.makedirs(data)
    for index in range(files):
        with open(os.path.join(data, f"record-{index:05d}.txt"), "w") as out:
            out.write(f"TY  - JOUR\nTI  - Record {index}\nPY  - {2010 + index % 12}\nER  - \n")
    workflow = {"version": 1, "stages": [{"id": "1-data", "steps": [{
        "id": "count", "run": ["sh", "-c", "ls stages/1-data/files | wc -l > {outputs[0]}"],
        "inputs": ["stages/1-data/files/"], "outputs": ["stages/1-data/out/count.txt"]}]}]}
    with open(os.path.join(folder, "workflow.json"), "w") as out:
        json.dump(workflow, out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--where", help="folder to work in (e.g. /dev/shm to leave the disk out); default Benchmarks/work")
    args = parser.parse_args()
    need_review_binary()
    work = fresh("snapshot")
    if args.where:
        work = os.path.join(args.where, "reviewtrail-snapshot-benchmark")
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    template = os.path.join(work, "template")
    os.makedirs(template)
    make_review(template, args.files)
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null",
               GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.org", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.org")
    review_times, git_times = [], []
    for round_ in range(args.rounds):
        review_dir = os.path.join(work, f"review-{round_}")
        git_dir = os.path.join(work, f"git-{round_}")
        shutil.copytree(template, review_dir)
        shutil.copytree(template, git_dir)
        run(["sync"])
        review_times.append(timed_cpu([REVIEW, "run", "-C", review_dir]))
        git_times.append(timed_cpu(["sh", "-c", "git init -q && git add -A && git -c gc.auto=0 -c maintenance.auto=false commit -q -m snapshot"], cwd=git_dir, env=env))
        count = run(["git", "--git-dir", os.path.join(review_dir, ".review", "trail.git"), "ls-tree", "-r", "--name-only", "trail"]).stdout.count(b"\n")
        if count < args.files:
            sys.exit(f"the review snapshot holds {count} files, fewer than {args.files}")
        shutil.rmtree(review_dir, ignore_errors=True)
        shutil.rmtree(git_dir, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"snapshot of {args.files} small files in {work}, medians of {args.rounds} rounds (fresh copies each round)")
    for label, times in [("review run (hash, blobs, tree, commit)", review_times), ("git init + add -A + commit", git_times)]:
        walls = sorted(t[0] for t in times)
        cpus = sorted(t[1] for t in times)
        print(f"  {label:<40} wall {walls[len(walls) // 2] * 1000:7.0f} ms  cpu {cpus[len(cpus) // 2] * 1000:7.0f} ms   walls: {[round(w * 1000) for w in walls]}")
    r = sorted(t[0] for t in review_times)[len(review_times) // 2]
    g = sorted(t[0] for t in git_times)[len(git_times) // 2]
    print(f"  ratio git / review (wall): {g / r:.2f} (target >= 1.0)")


if __name__ == "__main__":
    main()
