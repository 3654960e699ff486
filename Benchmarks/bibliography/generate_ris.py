#!/usr/bin/env python3
"""Writes a synthetic RIS export of N records (deterministic for a given seed).

Each record carries the tag mix of a typical database export: several authors, title, journal,
year, volume/issue/pages, DOI, ISSN, an abstract of a few hundred words, keywords, a URL and a note.
Usage: generate_ris.py N OUT.ris [SEED]
"""
import random
import sys

WORDS = (
    "systematic review scoping evidence synthesis patients outcome cohort trial randomised control "
    "intervention health care quality measurement analysis model population risk factor children adults "
    "treatment effect association study data method result conclusion background objective design setting "
    "participants exposure follow-up mortality hospital primary community nursing policy practice"
).split()
FAMILY = "Smith Jones Garcia Müller Rossi Dubois Kowalski Nguyen Tanaka Silva Olsen Novak Horvath Ivanova".split()
GIVEN = "Anna John Maria Pierre Kenji Lucía Ole Eva Tomasz Mei Sara Lars Jan Ines".split()
JOURNALS = ["BMJ Open", "Journal of Clinical Epidemiology", "Systematic Reviews", "PLoS One", "The Lancet"]


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def main():
    count = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20240501)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for i in range(1, count + 1):
            lines = ["TY  - JOUR", f"ID  - {i}"]
            for _ in range(rng.randint(1, 8)):
                lines.append(f"AU  - {rng.choice(FAMILY)}, {rng.choice(GIVEN)} {chr(65 + rng.randint(0, 25))}.")
            lines.append("TI  - " + sentence(rng, rng.randint(8, 18)))
            lines.append("T2  - " + rng.choice(JOURNALS))
            lines.append(f"PY  - {rng.randint(1990, 2024)}")
            lines.append(f"VL  - {rng.randint(1, 400)}")
            lines.append(f"IS  - {rng.randint(1, 12)}")
            start = rng.randint(1, 2000)
            lines.append(f"SP  - {start}")
            lines.append(f"EP  - {start + rng.randint(1, 20)}")
            lines.append(f"DO  - 10.{rng.randint(1000, 9999)}/x{i:07d}")
            lines.append(f"SN  - {rng.randint(1000, 9999)}-{rng.randint(100, 999)}X")
            lines.append("AB  - " + " ".join(sentence(rng, rng.randint(10, 25)) for _ in range(rng.randint(4, 9))))
            for _ in range(rng.randint(2, 8)):
                lines.append("KW  - " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))))
            lines.append(f"UR  - https://example.org/record/{i}")
            lines.append("N1  - " + sentence(rng, 6))
            lines.append("DB  - Synthetic")
            lines.append("ER  - ")
            f.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
