#!/usr/bin/env python3
"""SHA-256 throughput of `review hash` (ContentHash: swift-crypto, 1 MiB chunks) against
`openssl dgst -sha256` on the same file, and core use when hashing many files, alternating in one run.

Usage: python3 Benchmarks/hash_throughput.py [--size-mib 1024] [--rounds 5] [--files 2000]
"""
import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REVIEW, alternate, fresh, need_review_binary, report, run, summary  # noqa: E402


def write_random(path, mib):
    with open(path, "wb") as out:
        for _ in range(mib):
            out.write(os.urandom(1 << 20))


def cpu_use(argv, cwd=None):
    """(wall seconds, CPU seconds of the child) for one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run(argv, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args()
    need_review_binary()
    work = fresh("hash")
    big = os.path.join(work, "big.bin")
    write_random(big, args.size_mib)
    run(["cat", big])
    first = run([REVIEW, "hash", big]).stdout.split()[0]
    second = run(["openssl", "dgst", "-sha256", "-r", big]).stdout.split()[0]
    if first != second:
        sys.exit(f"digests differ: review {first!r}, openssl {second!r}")
    times = alternate([
        ("review hash (1 file)", [REVIEW, "hash", big], None),
        ("openssl dgst -sha256 (1 file)", ["openssl", "dgst", "-sha256", big], None),
    ], args.rounds)
    report(f"SHA-256 of one {args.size_mib} MiB file (page-cached), alternating", times)
    medians = {name: value[0] for name, value in summary(times).items()}
    mb = args.size_mib * 1.048576
    review_rate = mb / medians["review hash (1 file)"]
    openssl_rate = mb / medians["openssl dgst -sha256 (1 file)"]
    print(f"  throughput: review {review_rate:.0f} MB/s, openssl {openssl_rate:.0f} MB/s, ratio {review_rate / openssl_rate:.2f} (target >= 0.90)")

    folder = os.path.join(work, "many")
    os.makedirs(folder)
    per_file = max(1, args.size_mib // args.files) if args.size_mib >= args.files else 1
    names = []
    for index in range(args.files):
        name = os.path.join(folder, f"f{index:05d}.bin")
        with open(name, "wb") as out:
            out.write(os.urandom(per_file << 20))
        names.append(name)
    run(["cat"] + names[:1])
    for name in names:
        with open(name, "rb") as handle:
            handle.read()
    rows = []
    for label, argv in [("review hash", [REVIEW, "hash"] + names), ("sha256sum", ["sha256sum"] + names),
                        ("openssl dgst -sha256", ["openssl", "dgst", "-sha256"] + names)]:
        walls, cpus = [], []
        for _ in range(args.rounds):
            wall, cpu = cpu_use(argv)
            walls.append(wall)
            cpus.append(cpu)
        walls.sort()
        cpus.sort()
        rows.append((label, walls[len(walls) // 2], cpus[len(cpus) // 2]))
    print(f"\n{args.files} files of {per_file} MiB ({os.cpu_count()} cores), medians of {args.rounds}")
    for label, wall, cpu in rows:
        print(f"  {label:<22} wall {wall:6.2f} s  cpu {cpu:6.2f} s  cores used {cpu / wall:4.2f}")


if __name__ == "__main__":
    main()
