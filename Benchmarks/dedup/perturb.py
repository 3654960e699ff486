#!/usr/bin/env python3
"""Builds a perturbed set of N records with known duplicate clusters, from the real records of ../shared/data.

    python3 perturb.py N OUT.csv GOLD.tsv [SEED]

Each study gets a title of words drawn from the real titles (so studies differ as real ones do), authors,
journal and DOI prefixes drawn from the real records, a year, volume and page range; then 1 to 4 records of it
(mean about 1.6), each perturbed as databases do: letter case, punctuation, author initials with or without
dots and given names, dropped DOIs, abbreviated page ranges (`221-228` / `221-8`), a missing volume, an
occasional typo. OUT.csv is in bib-dedupe's input layout (ID, ENTRYTYPE, author, year, title, journal, volume,
number, pages, doi); GOLD.tsv maps each ID to its study.
"""
import csv
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
FILES = ["asysd-benchmark/diabetes", "asysd-benchmark/neuroimaging", "sra-beller/haematology", "sra-beller/stroke"]


def pools():
    words, authors, journals, lengths = [], [], [], []
    for rel in FILES:
        with open(os.path.join(DATA, rel, "records_pre_merged.csv"), newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                t = re.findall(r"[A-Za-z][A-Za-z-]+", row.get("title") or "")
                if t:
                    words.extend(w.lower() for w in t)
                    lengths.append(len(t))
                for a in (row.get("author") or "").split(" and "):
                    fam = a.split(",")[0].strip()
                    if fam and fam.replace("-", "").replace(" ", "").isalpha():
                        authors.append(fam)
                if row.get("journal"):
                    journals.append(row["journal"])
    return words, sorted(set(authors)), sorted(set(journals)), lengths


def perturb_title(t, rng):
    r = rng.random()
    if r < 0.25:
        t = t.upper()
    elif r < 0.4:
        t = t.lower()
    if rng.random() < 0.3:
        t = t.replace(":", " -").replace(",", "")
    if rng.random() < 0.3:
        t = t + "."
    if rng.random() < 0.05 and len(t) > 20:
        i = rng.randrange(5, len(t) - 5)
        t = t[:i] + t[i + 1:]
    return t


def main():
    n, out, gold = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    if not os.path.isdir(DATA):
        print("skipped: %s is absent" % DATA)
        sys.exit(0)
    words, authors, journals, lengths = pools()
    written = 0
    study = 0
    with open(out, "w", newline="", encoding="utf-8") as f, open(gold, "w", encoding="utf-8") as g:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ID", "ENTRYTYPE", "author", "year", "title", "journal", "volume", "number", "pages", "doi"])
        g.write("ID\tstudy\n")
        while written < n:
            study += 1
            k = max(6, rng.choice(lengths))
            title = " ".join(rng.choice(words) for _ in range(k))
            title = title[0].upper() + title[1:]
            if rng.random() < 0.3:
                cut = title.find(" ", len(title) // 2)
                if cut > 0:
                    title = title[:cut] + ":" + title[cut:]
            people = [(rng.choice(authors), "".join(rng.choice("ABCDEFGHIJKLMNOPRSTW") for _ in range(rng.randint(1, 2))))
                      for _ in range(rng.randint(1, 8))]
            year = rng.randint(1985, 2024)
            journal = rng.choice(journals)
            volume = str(rng.randint(1, 400))
            number = str(rng.randint(1, 12))
            first = rng.randint(1, 3000)
            last = first + rng.randint(2, 25)
            doi = "10.%d/synthetic.%d" % (1000 + study % 9000, study)
            copies = min(n - written, rng.choice([1, 1, 1, 2, 2, 2, 3, 4]))
            for c in range(copies):
                written += 1
                rid = "id_%08d" % written
                style = rng.random()
                if style < 0.33:
                    a = " and ".join("%s, %s" % (fam, ". ".join(ini) + ".") for fam, ini in people)
                elif style < 0.66:
                    a = " and ".join("%s, %s" % (fam, ini) for fam, ini in people)
                else:
                    a = " and ".join("%s %s" % (fam.upper() if rng.random() < 0.2 else fam, ini) for fam, ini in people)
                pages = "%d-%d" % (first, last)
                if rng.random() < 0.4:
                    s, e = str(first), str(last)
                    i = 0
                    while i < len(s) - 1 and i < len(e) - 1 and s[i] == e[i]:
                        i += 1
                    pages = "%s-%s" % (s, e[i:]) if len(s) == len(e) else pages
                w.writerow([
                    rid, "article", a, year, perturb_title(title, rng), journal,
                    "" if rng.random() < 0.05 else volume, number, pages,
                    "" if rng.random() < 0.4 else (doi.upper() if rng.random() < 0.2 else doi),
                ])
                g.write("%s\t%d\n" % (rid, study))
    print("%d records, %d studies" % (written, study))


if __name__ == "__main__":
    main()
