#!/usr/bin/env python3
"""Scores ReviewTrail's deduplicator, and bib-dedupe 0.11.0 on the same records, against the gold duplicate
groups of ../shared/data (ASySD Diabetes and Neuroimaging, SRA Haematology and Stroke), as SOURCES.md describes.

    python3 quality.py DEDUP_BENCH WORKDIR [--no-peer] [--threshold X] [--sets a,b] [--link-notices]

Per gold group of n records of which a tool keeps k: k = 0 gives 1 false positive and n-1 true positives;
otherwise 1 true negative, n-k true positives and k-1 false negatives. Times are wall-clock seconds of import
plus deduplication (ours: one process, records_pre_merged.csv to clusters; bib-dedupe: read_csv, prep, block,
match, cluster). Diabetes and Haematology are the tuning sets; Neuroimaging and Stroke are held out.
"""
import csv
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
SETS = {
    "diabetes": ("asysd-benchmark/diabetes", "tuning"),
    "haematology": ("sra-beller/haematology", "tuning"),
    "neuroimaging": ("asysd-benchmark/neuroimaging", "held out"),
    "stroke": ("sra-beller/stroke", "held out"),
}


def gold_groups(name, folder):
    """Gold group id per record ID (id_%07d)."""
    ids = []
    with open(os.path.join(folder, "records_pre_merged.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids.append(row["ID"])
    group = {i: i for i in ids}
    labelled = [p for p in os.listdir(folder) if p.startswith("final_labelled")]
    if labelled:
        # ASySD sets: DuplicateID is the gold group (the RecordID of its kept record).
        with open(os.path.join(folder, labelled[0]), newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                rid = "id_%07d" % int(row["RecordID"])
                if rid in group and row["DuplicateID"].strip():
                    group[rid] = "g%s" % row["DuplicateID"].strip()
    else:
        with open(os.path.join(folder, "merged_record_ids.csv"), newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                members = row["merged_ids"].split(";")
                for m in members:
                    group[m] = members[0]
    return ids, group


def score(ids, group, kept_of):
    """Sensitivity, specificity, TP, FP, TN, FN under the per-group scoring."""
    members = {}
    for i in ids:
        members.setdefault(group[i], []).append(i)
    tp = fp = tn = fn = 0
    for g, m in members.items():
        n = len(m)
        k = sum(1 for i in m if kept_of.get(i, i) == i)
        if k == 0:
            fp += 1
            tp += n - 1
        else:
            tn += 1
            tp += n - k
            fn += k - 1
    sens = tp / (tp + fn) if tp + fn else 1.0
    spec = tn / (tn + fp) if tn + fp else 1.0
    return sens, spec, tp, fp, tn, fn


def run_ours(bench, folder, work, name, threshold, notices=False):
    out = os.path.join(work, name + ".clusters.tsv")
    cmd = [bench, os.path.join(folder, "records_pre_merged.csv"), out]
    if threshold:
        cmd.append(threshold)
    if notices:
        cmd.append("--link-notices")
    start = time.perf_counter()
    line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
    elapsed = time.perf_counter() - start
    kept_of = {}
    with open(out, encoding="utf-8") as f:
        next(f)
        for row in f:
            a, b = row.rstrip("\n").split("\t")
            kept_of[a] = b
    return kept_of, elapsed, line


def run_peer(folder):
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    start = time.perf_counter()
    records = pd.read_csv(os.path.join(folder, "records_pre_merged.csv"))
    records = prep(records, verbosity_level=0)
    blocked = block(records, verbosity_level=0)
    matched = match(blocked, verbosity_level=0)
    sets = cluster(matched, verbosity_level=0)
    elapsed = time.perf_counter() - start
    kept_of = {}
    for s in sets:
        s = sorted(s)
        for i in s:
            kept_of[i] = s[0]
    return kept_of, elapsed


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        sys.exit(2)
    bench, work = args[0], args[1]
    peer = "--no-peer" not in args
    threshold = args[args.index("--threshold") + 1] if "--threshold" in args else None
    chosen = args[args.index("--sets") + 1].split(",") if "--sets" in args else list(SETS)
    notices = "--link-notices" in args
    if not os.path.isdir(DATA):
        print("skipped: %s is absent (the gold sets live in ../shared/data)" % DATA)
        return
    os.makedirs(work, exist_ok=True)
    print("| set | role | records | gold duplicates | tool | sensitivity | specificity | FN | FP | seconds | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in chosen:
        rel, role = SETS[name]
        folder = os.path.join(DATA, rel)
        ids, group = gold_groups(name, folder)
        dups = len(ids) - len(set(group.values()))
        kept, ours_s, line = run_ours(bench, folder, work, name, threshold, notices)
        s = score(ids, group, kept)
        print("| %s | %s | %d | %d | ReviewTrail%s | %.4f | %.5f | %d | %d | %.3f | |" % (name, role, len(ids), dups, " (notices linked)" if notices else "", s[0], s[1], s[5], s[3], ours_s))
        print("<!-- %s: %s -->" % (name, line), file=sys.stderr)
        if peer:
            pk, peer_s = run_peer(folder)
            p = score(ids, group, pk)
            print("| %s | %s | %d | %d | bib-dedupe 0.11.0 | %.4f | %.5f | %d | %d | %.3f | %.1fx |" % (
                name, role, len(ids), dups, p[0], p[1], p[5], p[3], peer_s, peer_s / ours_s))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
