#!/usr/bin/env bash
# Times ReviewTrail's RIS reader against rispy 0.10.0 on the same export (the real exports of ../shared/data
# repeated and perturbed; a synthetic one where ../shared is absent), in the same run.
# Usage: Benchmarks/bibliography/run.sh [RECORDS (default 1000000)] [REPEATS (default 3)]
# Everything generated (the export, rispy's virtual environment, the release build) goes to
# Benchmarks/work/bibliography/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")"
records=${1:-1000000}
repeats=${2:-3}
work=../work/bibliography
mkdir -p "$work"
data=../../../shared/data
if [ -d "$data" ]; then
  # The real RIS exports of ../shared/data, repeated and perturbed (see perturb_ris.py).
  ris="$work/perturbed-$records.ris"
  [ -f "$ris" ] || python3 perturb_ris.py "$records" "$ris" "$data"
else
  echo "../shared/data is absent: using a synthetic export instead of the perturbed real ones" >&2
  ris="$work/synthetic-$records.ris"
  [ -f "$ris" ] || python3 generate_ris.py "$records" "$ris"
fi
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet rispy==0.10.0
fi
swift build -c release --scratch-path "$work/.build" --product bib-bench >&2
bench="$work/.build/release/bib-bench"

best() { sort -n | head -1; }
# Every contender reads the export from the page cache: read it once before timing.
cat "$ris" > /dev/null
# The reader parses a large RIS export on every core (BIB_THREADS unset); BIB_THREADS=1 keeps it on one thread.
cores=$(nproc)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
ours_read=$(for _ in $(seq "$repeats"); do "$bench" read "$ris" | awk '{print $3}'; done | best)
ours_read1=$(for _ in $(seq "$repeats"); do BIB_THREADS=1 "$bench" read "$ris" | awk '{print $3}'; done | best)
ours_next=$(for _ in $(seq "$repeats"); do "$bench" next "$ris" | awk '{print $3}'; done | best)
ours_import=$(for _ in $(seq "$repeats"); do "$bench" import "$ris" "$work/records.jsonl" | awk '{print $3}'; done | best)
ours_import1=$(for _ in $(seq "$repeats"); do BIB_THREADS=1 "$bench" import "$ris" "$work/records.jsonl" | awk '{print $3}'; done | best)
ours_jsonl=$(for _ in $(seq "$repeats"); do "$bench" read "$work/records.jsonl" | awk '{print $3}'; done | best)
# Peak resident memory of read + write: the reader hands back the mapped pages it has passed.
ours_rss=$( { /usr/bin/time -f '%M' "$bench" import "$ris" "$work/records.jsonl" > /dev/null; } 2>&1 | tail -1)
rispy=$(for _ in $(seq "$repeats"); do "$work/venv/bin/python" rispy_bench.py "$ris" | awk '{print $3}'; done | best)

echo "records: $records ($(du -hL "$ris" | cut -f1)), best of $repeats, $(nproc) cores, load $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "rispy 0.10.0 rispy.load:                 ${rispy} s"
ratio() { awk -v a="$rispy" -v b="$1" 'BEGIN {printf "%.1f", a / b}'; }
echo "ReviewTrail RecordReader.forEachBatch, $cores threads: ${ours_read} s  ($(ratio "$ours_read")x faster)"
echo "ReviewTrail RecordReader.forEachBatch, 1 thread:  ${ours_read1} s  ($(ratio "$ours_read1")x faster)"
echo "ReviewTrail RecordReader.next (one record at a time), $cores threads: ${ours_next} s  ($(ratio "$ours_next")x faster)"
echo "ReviewTrail read + JSON Lines write, $cores threads: ${ours_import} s  ($(ratio "$ours_import")x faster)"
echo "ReviewTrail read + JSON Lines write, 1 thread:  ${ours_import1} s  ($(ratio "$ours_import1")x faster)"
echo "ReviewTrail read + write, peak RSS:      $((ours_rss / 1024)) MiB for a $(($(stat -L -c %s "$ris") / 1048576)) MiB export"
echo "ReviewTrail JSON Lines read back:        ${ours_jsonl} s  ($(du -h "$work/records.jsonl" | cut -f1))"
