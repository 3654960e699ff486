"""Writes the second reviewer's DEMO decisions (decisions/<phase>-second.csv) and the resolutions of the
conflicts they make (resolutions/<phase>.csv), for the records that out/sample.csv draws.

The decisions are invented by a fixed rule, not by a person and not to reach any total:
  - the second reviewer decides each sampled record as the first reviewer did (a first-reviewer `maybe`
    becomes `include`: retrieve the full text);
  - except the records at sample ranks 5, 10 and 15 of each phase (ranks 5 and 10 at `final`), where the
    second reviewer decides the other way: an include becomes an exclusion with the phase's demo reason,
    an exclusion becomes an include;
  - each such conflict is resolved in favour of the first reviewer, whose decisions rest on the seed's text.
The resolutions of the first reviewer's own `maybe` answers are kept as they are.
Run from the review root after `review run 3-selection/sample`:  python3 stages/3-selection/demo/make-second-reviewer.py
"""
import csv
import io

PHASES = ["abstract", "fulltext", "final"]
RANKS = {"abstract": [5, 10, 15], "fulltext": [5, 10, 15], "final": [5, 10]}
REASON = {"abstract": "not-peer-worker", "fulltext": "review-or-commentary", "final": "research-or-education-role"}
ROOT = "stages/3-selection/"


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path, header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([row[h] for h in header])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


sample = read(ROOT + "out/sample.csv")
header = ["record_id", "decision", "reason", "note"]
for phase in PHASES:
    first = {r["record_id"]: r for r in read(ROOT + f"decisions/{phase}-first.csv")}
    drawn = sorted((int(r["rank"]), r["record_id"]) for r in sample if r["phase"] == phase)
    flipped = {rid for rank, rid in drawn if rank in RANKS[phase]}
    order = list(first)
    second, resolutions = [], []
    for rid in sorted((rid for _, rid in drawn), key=order.index):
        decision = first[rid]["decision"]
        row = {"record_id": rid, "decision": "include" if decision == "maybe" else decision, "reason": "", "note": ""}
        if decision == "exclude":
            row["reason"] = first[rid]["reason"]
        if rid in flipped:
            if decision == "exclude":
                row.update(decision="include", reason="", note="DEMO disagreement (invented)")
            else:
                row.update(decision="exclude", reason=REASON[phase], note="DEMO disagreement (invented)")
            resolutions.append({"record_id": rid, "decision": "include" if decision == "maybe" else decision,
                                "reason": first[rid]["reason"] if decision == "exclude" else "",
                                "note": "DEMO resolution (invented): discussed; the first reviewer's decision stands"})
        second.append(row)
    write(ROOT + f"decisions/{phase}-second.csv", header, second)
    kept = [r for r in read(ROOT + f"resolutions/{phase}.csv") if first.get(r["record_id"], {}).get("decision") == "maybe"]
    done = {r["record_id"] for r in resolutions}
    write(ROOT + f"resolutions/{phase}.csv", header, [r for r in kept if r["record_id"] not in done] + resolutions)
