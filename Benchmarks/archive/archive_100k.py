#!/usr/bin/env python3
"""Bag build + validate for a review of 100,000 records, sha256 and sha512 manifests, against bagit.py on the
same payload, measured in the same script, alternating rounds.

ReviewTrail: `review archive` (reads the trail's last snapshot, flattens unique.jsonl to CSV, writes the bag with
both manifests and tag manifests, bag.zip, bag.tar, the RO-Crate, the bundle) then `review verify --archive`.
bagit.py 1.9.0: `bagit.py --sha256 --sha512` on a copy of the same payload files (as plain files), then
`bagit.py --validate`. ReviewTrail does strictly more work (it also builds the payload, the zip and the tar).

The records are invented synthetic data (generated here, seeded), not bibliographic data of any study.

Usage: python3 Benchmarks/archive/archive_100k.py [--records 100000] [--rounds 3]
Needs the review binary (REVIEW_BIN or .build/release/review) and pip access to install bagit==1.9.0 into
Benchmarks/.venv.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import REVIEW, ROOT, fresh, need_review_binary, run  # noqa: E402

VENV = os.path.join(ROOT, "Benchmarks", ".venv")


def bagit_py():
    path = os.path.join(VENV, "bin", "bagit.py")
    if not os.path.exists(path):
        run([sys.executable, "-m", "venv", VENV])
        run([os.path.join(VENV, "bin", "pip"), "install", "--quiet", "bagit==1.9.0"])
    return path


WORDS = ("peer support worker recovery mental health service user involvement co-production design community "
         "substance use outcome trial qualitative evaluation program practice stigma training role").split()


def make_review(folder, records):
    rng = random.Random(2026)
    search = os.path.join(folder, "stages", "2-search")
    os.makedirs(search)
    with open(os.path.join(search, "unique-input.jsonl"), "w") as out:
        for n in range(1, records + 1):
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()
            abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 160)))
            record = {
                "abstract": abstract,
                "authors": [{"family": f"Author{rng.randint(1, 5000)}", "given": "A."} for _ in range(rng.randint(1, 6))],
                "id": f"synthetic:{n}",
                "journal": f"Synthetic Journal {rng.randint(1, 300)}",
                "pages": {"end": str(rng.randint(101, 200)), "start": str(rng.randint(1, 100))},
                "source": {"database": "synthetic", "file": "synthetic.ris", "format": "ris", "line": n * 12},
                "title": title,
                "type": "JOUR",
                "volume": str(rng.randint(1, 60)),
                "year": rng.randint(1990, 2024),
            }
            out.write(json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
    with open(os.path.join(search, "clusters.csv"), "w") as out:
        out.write("cluster,record_id,source_id,status,match,score\n")
        for n in range(1, records + 1):
            out.write(f"{n},synthetic:{n},{n},kept,,1.000\n")
    workflow = {
        "version": 1,
        "review": {
            "title": "Synthetic benchmark review (invented data)",
            "description": "Invented synthetic records for the archive benchmark.",
            "authors": [{"name": "Benchmark, Synthetic", "affiliation": "None"}],
            "contact": {"name": "Benchmark, Synthetic", "email": "benchmark@example.org"},
            "subject": ["Other"], "license": "CC0-1.0",
        },
        "stages": [{"id": "2-search", "steps": [
            {"id": "unique", "run": ["cp", "{inputs[0]}", "{outputs[0]}"],
             "inputs": ["stages/2-search/unique-input.jsonl"], "outputs": ["stages/2-search/out/unique.jsonl"]},
            {"id": "duplicates", "run": ["cp", "{inputs[0]}", "{outputs[0]}"],
             "inputs": ["stages/2-search/clusters.csv"], "outputs": ["stages/2-search/out/duplicates.csv"]}]}],
    }
    with open(os.path.join(folder, "workflow.json"), "w") as out:
        json.dump(workflow, out, indent=2)
    run([REVIEW, "run", "-C", folder])


def timed(argv, cwd=None):
    start = time.perf_counter()
    run(argv, cwd=cwd)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    need_review_binary()
    bagit = bagit_py()
    review = fresh("archive-review")
    make_review(review, args.records)
    run([REVIEW, "archive", "-C", review, "--output", "warmup"])
    payload = os.path.join(review, "warmup", "bag", "data")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(payload) for f in fs)
    files = sum(len(fs) for _, _, fs in os.walk(payload))
    print(f"payload: {files} files, {size / 1e6:.1f} MB ({args.records} records)")
    times = {"review archive + verify --archive": [], "bagit.py --sha256 --sha512 + --validate": []}
    phases = {"review archive": [], "review verify --archive": [], "bagit.py --sha256 --sha512": [], "bagit.py --validate": []}
    for _ in range(args.rounds):
        out = os.path.join(review, "bench")
        shutil.rmtree(out, ignore_errors=True)
        build = timed([REVIEW, "archive", "-C", review, "--output", "bench"])
        check = timed([REVIEW, "verify", "-C", review, "--archive", "bench"])
        times["review archive + verify --archive"].append(build + check)
        phases["review archive"].append(build)
        phases["review verify --archive"].append(check)
        copy = os.path.join(review, "bagit-copy")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(payload, copy)
        build = timed([os.path.join(VENV, "bin", "python"), bagit, "--quiet", "--sha256", "--sha512", copy])
        check = timed([os.path.join(VENV, "bin", "python"), bagit, "--quiet", "--validate", copy])
        times["bagit.py --sha256 --sha512 + --validate"].append(build + check)
        phases["bagit.py --sha256 --sha512"].append(build)
        phases["bagit.py --validate"].append(check)
    for name, values in phases.items():
        print(f"  {name:43s} median {statistics.median(values):.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name:45s} median {medians[name]:.2f} s  (min {min(values):.2f}, max {max(values):.2f}, {len(values)} rounds)")
    ours = medians["review archive + verify --archive"]
    theirs = medians["bagit.py --sha256 --sha512 + --validate"]
    print(f"speed-up: {theirs / ours:.2f}x (target >= 1.5x)")


if __name__ == "__main__":
    main()
