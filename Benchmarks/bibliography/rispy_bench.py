#!/usr/bin/env python3
"""Times rispy.load on RIS files: prints `<file> <records> <seconds>` per file."""
import sys
import time

import rispy

for path in sys.argv[1:]:
    start = time.perf_counter()
    with open(path, encoding="utf-8-sig") as handle:
        entries = rispy.load(handle)
    seconds = time.perf_counter() - start
    print(f"{path} {len(entries)} {seconds:.3f}")
