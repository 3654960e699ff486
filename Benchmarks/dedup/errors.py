#!/usr/bin/env python3
"""Lists ReviewTrail's false negatives and false positives on one gold set, with the records side by side, from
the clusters file that quality.py left in WORKDIR (per-group scoring, as quality.py counts them).

    python3 errors.py WORKDIR SET        # SET: diabetes, haematology, neuroimaging or stroke

A false negative is a gold group whose records are kept in k >= 2 of our clusters (k - 1 misses); a false
positive is a gold group none of whose records is kept (all were merged into a record of another group).
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality import DATA, SETS, gold_groups  # noqa: E402

FIELDS = ["title", "author", "year", "journal", "volume", "number", "pages", "doi", "ENTRYTYPE"]


def show(rec, mark=""):
    parts = []
    for f in FIELDS:
        v = (rec.get(f) or "").strip()
        if f == "author" and len(v) > 90:
            v = v[:90] + "…"
        if v:
            parts.append("%s=%s" % (f, v))
    return "   %s%s  %s" % (mark, rec["ID"], " | ".join(parts))


def main():
    work, name = sys.argv[1], sys.argv[2]
    folder = os.path.join(DATA, SETS[name][0])
    ids, group = gold_groups(name, folder)
    with open(os.path.join(folder, "records_pre_merged.csv"), newline="", encoding="utf-8") as f:
        recs = {r["ID"]: r for r in csv.DictReader(f)}
    kept_of = {}
    with open(os.path.join(work, name + ".clusters.tsv"), encoding="utf-8") as f:
        next(f)
        for row in f:
            a, b = row.rstrip("\n").split("\t")
            kept_of[a] = b
    members = {}
    for i in ids:
        members.setdefault(group[i], []).append(i)
    ours = {}
    for i in ids:
        ours.setdefault(kept_of.get(i, i), []).append(i)
    fn = fp = 0
    for g, m in members.items():
        kept = [i for i in m if kept_of.get(i, i) == i]
        if len(kept) >= 2:
            fn += len(kept) - 1
            print("FN x%d  gold group %s: our clusters %s" % (len(kept) - 1, g, sorted({kept_of.get(i, i) for i in m})))
            for i in m:
                print(show(recs[i], "*" if kept_of.get(i, i) == i else " "))
        elif not kept:
            fp += 1
            k = kept_of.get(m[0], m[0])
            print("FP  gold group %s merged into the cluster kept as %s (gold group %s)" % (g, k, group[k]))
            for i in sorted(set(m) | set(ours[k])):
                print(show(recs[i], "=" if group[i] == g else " "))
    print("total FN %d FP %d" % (fn, fp))


if __name__ == "__main__":
    main()
