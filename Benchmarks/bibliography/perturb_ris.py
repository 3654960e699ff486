#!/usr/bin/env python3
"""Builds a large RIS export by repeating and perturbing the real RIS exports of ../shared/data.

Takes every RIS export there that rispy 0.10.0 reads (those with a rispy `.expected.json` beside them) and
writes copies of their records, each copy perturbed the way the same article differs between databases:
title case (upper or lower), a trailing full stop dropped from the title, authors' given names cut to
initials, the DOI line dropped, the pages written as one `SP  - 12-19` line. Deterministic for a given N.
Usage: perturb_ris.py N OUT.ris DATA_DIR
"""
import glob
import os
import re
import sys

TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


def records(path):
    """The records of one export as lists of lines (from TY to ER), other lines dropped."""
    out, current = [], None
    with open(path, encoding="utf-8-sig", errors="strict") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            m = TAG.match(line)
            if m and m.group(1) == "TY":
                current = [line]
            elif current is not None:
                current.append(line)
                if m and m.group(1) == "ER":
                    out.append(current)
                    current = None
    return out


def initials(name):
    family, _, given = name.partition(",")
    if not given.strip():
        return name
    return family + ", " + " ".join(part[0] + "." for part in given.split() if part[0].isalpha())


def perturb(record, k):
    out, start = [], None
    for line in record:
        m = TAG.match(line)
        if not m:
            out.append(line)
            continue
        tag, value = m.groups()
        if tag in ("TI", "T1"):
            if k % 3 == 1:
                value = value.upper()
            elif k % 3 == 2:
                value = value.lower()
            if k % 2 == 1:
                value = value.rstrip(".")
        elif tag in ("AU", "A1") and k % 4 in (1, 2):
            value = initials(value)
        elif tag == "DO" and k % 5 == 4:
            continue
        elif tag == "SP" and k % 4 == 3:
            start = len(out)
        elif tag == "EP" and k % 4 == 3 and start is not None:
            out[start] = out[start] + "-" + value
            continue
        out.append(f"{tag}  - {value}")
    return out


def main():
    count, target, data = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    sources = []
    for expected in sorted(glob.glob(os.path.join(data, "*", "*.expected.json"))):
        path = expected[: -len(".expected.json")]
        if path.endswith((".ris", ".txt")):
            with open(path, encoding="utf-8-sig", errors="replace") as f:
                if "TY  - " not in f.read(200):
                    continue
            sources.extend(records(path))
    if not sources:
        sys.exit(f"perturb_ris.py: no RIS exports under {data}")
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        for n in range(count):
            record = sources[n % len(sources)]
            f.write("\n".join(perturb(record, n // len(sources))) + "\n\n")
    print(f"{count} records from {len(sources)} real records", file=sys.stderr)


main()
