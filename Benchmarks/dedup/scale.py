#!/usr/bin/env python3
"""Times ReviewTrail's import plus deduplication on perturbed sets (perturb.py) and scores them against their
known clusters: the time ratio between the sizes, the peak memory, sensitivity and specificity.

    python3 scale.py DEDUP_BENCH WORKDIR [N ...]   (default 100000 1000000)
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from quality import DATA, score  # noqa: E402


def main():
    bench, work = sys.argv[1], sys.argv[2]
    sizes = [int(x) for x in sys.argv[3:]] or [100_000, 1_000_000]
    if not os.path.isdir(DATA):
        print("skipped: %s is absent (the perturbed sets are built from ../shared/data)" % DATA)
        return
    os.makedirs(work, exist_ok=True)
    times = {}
    print("| records | studies (gold clusters) | seconds (import + dedup) | import s | dedup s | candidate pairs | peak RSS MiB | sensitivity | specificity |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        csv_path = os.path.join(work, "perturbed-%d.csv" % n)
        gold_path = os.path.join(work, "perturbed-%d.gold.tsv" % n)
        if not os.path.exists(gold_path):
            subprocess.run([sys.executable, os.path.join(HERE, "perturb.py"), str(n), csv_path, gold_path], check=True, stdout=subprocess.DEVNULL)
        group = {}
        ids = []
        with open(gold_path, encoding="utf-8") as f:
            next(f)
            for line in f:
                rid, study = line.rstrip("\n").split("\t")
                ids.append(rid)
                group[rid] = study
        out = os.path.join(work, "perturbed-%d.clusters.tsv" % n)
        start = time.perf_counter()
        line = subprocess.run([bench, csv_path, out], check=True, capture_output=True, text=True).stdout.strip()
        elapsed = time.perf_counter() - start
        fields = dict(kv.split("=") for kv in line.split())
        kept = {}
        with open(out, encoding="utf-8") as f:
            next(f)
            for row in f:
                a, b = row.rstrip("\n").split("\t")
                kept[a] = b
        s = score(ids, group, kept)
        times[n] = float(fields["total_s"])
        print("| %d | %d | %s | %s | %s | %s | %s | %.4f | %.5f |" % (
            n, len(set(group.values())), fields["total_s"], fields["import_s"], fields["dedup_s"], fields["pairs"],
            fields["peak_rss_mib"], s[0], s[1]))
        sys.stdout.flush()
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print("\ntime(%d) / time(%d) = %.2f (records ratio %.0f)" % (b, a, times[b] / times[a], b / a))


if __name__ == "__main__":
    main()
