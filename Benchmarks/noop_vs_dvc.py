#!/usr/bin/env python3
"""No-op `review run` / `review status` against `dvc repro` / `dvc status` on an equivalent five-stage
pipeline over the same files, timed alternately in the same run.

Usage: python3 Benchmarks/noop_vs_dvc.py [--rounds N]
Needs DVC 3.x: it creates Benchmarks/.venv and installs dvc there from PyPI on first use.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REVIEW, ROOT, alternate, copy_example, fresh, need_review_binary, report, run, summary  # noqa: E402

VENV = os.path.join(ROOT, "Benchmarks", ".venv")


def dvc_binary():
    dvc = os.path.join(VENV, "bin", "dvc")
    if not os.path.exists(dvc):
        run([sys.executable, "-m", "venv", VENV])
        run([os.path.join(VENV, "bin", "pip"), "install", "-q", "dvc>=3,<4"])
    return dvc


def glob_matches(pattern, path):
    import fnmatch
    return any(c in pattern for c in "*?[") and fnmatch.fnmatch(path, pattern) and pattern.count("/") == path.count("/")


def dvc_pipeline(review_dir, dvc_dir):
    """One DVC stage per review stage: the same hand-made inputs and upstream outputs as deps, the same
    outputs as outs, and a command that copies the outputs the review run produced."""
    workflow = json.load(open(os.path.join(review_dir, "workflow.json")))
    all_outputs = [o for s in workflow["stages"] for st in s["steps"] for o in st["outputs"]]
    stages = {}
    for stage in workflow["stages"]:
        outs = [o.rstrip("/") for step in stage["steps"] for o in step["outputs"]]
        deps = []
        for step in stage["steps"]:
            for pattern in step["inputs"]:
                produced = [o.rstrip("/") for o in all_outputs
                            if pattern == o or (o.endswith("/") and pattern.startswith(o)) or glob_matches(pattern, o)]
                if produced:
                    deps.extend(p for p in produced if p not in outs)
                else:
                    deps.extend(os.path.relpath(m, review_dir) for m in sorted(glob.glob(os.path.join(review_dir, pattern))))
        deps = list(dict.fromkeys(deps))
        cmd = " && ".join(f"mkdir -p {os.path.dirname(o)} && cp -r {os.path.join(review_dir, o)} {o}" for o in outs)
        stages[stage["id"]] = {"cmd": cmd, "deps": deps, "outs": outs}
    for path in sorted({d for s in stages.values() for d in s["deps"]} - {o for s in stages.values() for o in s["outs"]}):
        os.makedirs(os.path.dirname(os.path.join(dvc_dir, path)), exist_ok=True)
        shutil.copy(os.path.join(review_dir, path), os.path.join(dvc_dir, path))
    lines = ["stages:"]
    for name, stage in stages.items():
        lines.append(f"  {name}:")
        lines.append(f"    cmd: {stage['cmd']}")
        lines.append("    deps:")
        lines.extend(f"      - {d}" for d in stage["deps"])
        lines.append("    outs:")
        lines.extend(f"      - {o}:\n          cache: false" for o in stage["outs"])
    open(os.path.join(dvc_dir, "dvc.yaml"), "w").write("\n".join(lines) + "\n")
    return len(stages)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    need_review_binary()
    dvc = dvc_binary()
    review_dir = fresh("noop-review")
    copy_example(review_dir)
    run([REVIEW, "run", "-C", review_dir])
    dvc_dir = fresh("noop-dvc")
    stage_count = dvc_pipeline(review_dir, dvc_dir)
    env = dict(os.environ, DVC_NO_ANALYTICS="1")
    subprocess.run([dvc, "init", "--no-scm", "-q"], cwd=dvc_dir, check=True, env=env)
    subprocess.run([dvc, "config", "core.autostage", "false"], cwd=dvc_dir, check=True, env=env)
    subprocess.run([dvc, "repro", "-q"], cwd=dvc_dir, check=True, env=env)
    check = subprocess.run([dvc, "status"], cwd=dvc_dir, stdout=subprocess.PIPE, env=env).stdout.decode()
    if "up to date" not in check.lower():
        sys.exit(f"dvc pipeline is not up to date after repro:\n{check}")
    version = subprocess.run([dvc, "--version"], stdout=subprocess.PIPE, env=env).stdout.decode().strip()
    files = sum(len(f) for _, _, f in os.walk(os.path.join(review_dir, "stages")))
    print(f"example review: {stage_count} stages, {files} files under stages/; dvc {version}; review {REVIEW}")
    os.environ["DVC_NO_ANALYTICS"] = "1"
    times = alternate([
        ("review run (no-op)", [REVIEW, "run", "-C", review_dir], None),
        ("dvc repro (no-op)", [dvc, "repro", "-q"], dvc_dir),
        ("review status", [REVIEW, "status", "-C", review_dir], None),
        ("dvc status", [dvc, "status", "-q"], dvc_dir),
    ], args.rounds)
    report("no-op timings, alternating", times)
    medians = {name: value[0] for name, value in summary(times).items()}
    print(f"\n  ratio dvc repro / review run:  {medians['dvc repro (no-op)'] / medians['review run (no-op)']:.1f}x (target >= 20x)")
    print(f"  ratio dvc status / review status: {medians['dvc status'] / medians['review status']:.1f}x (target >= 20x)")


if __name__ == "__main__":
    main()
