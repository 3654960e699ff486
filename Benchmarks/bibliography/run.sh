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
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
seconds() { awk '{print $3}'; }
# Every contender reads the export from the page cache: read it once before timing.
cat "$ris" > /dev/null
# The reader parses a large RIS export on every core (BIB_THREADS unset); BIB_THREADS=1 keeps it on one thread.
# The machine's speed drifts from minute to minute (it is shared), so each round times rispy and every one of ours
# back to back, and the ratio of each round is kept as well as the best times.
cores=$(nproc)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
times=$work/times.txt
: > "$times"
for round in $(seq "$repeats"); do
  {
    echo "rispy $("$work/venv/bin/python" rispy_bench.py "$ris" | seconds)"
    echo "read $("$bench" read "$ris" | seconds)"
    echo "read1 $(BIB_THREADS=1 "$bench" read "$ris" | seconds)"
    echo "next $("$bench" next "$ris" | seconds)"
    echo "import $("$bench" import "$ris" "$work/records.jsonl" | seconds)"
    echo "import1 $(BIB_THREADS=1 "$bench" import "$ris" "$work/records.jsonl" | seconds)"
  } | sed "s/^/$round /" >> "$times"
done
timed() { awk -v k="$1" '$2 == k {print $3}' "$times" | best; }
# rispy's time over ours in the same round, for each round.
ratios() {
  awk -v k="$1" '$2 == "rispy" {r[$1] = $3} $2 == k {o[$1] = $3} END {for (i in o) printf "%.1f\n", r[i] / o[i]}' "$times" \
    | sort -n | tr '\n' ' '
}
rounds() { local all; all=$(ratios "$1"); echo "rounds ${all% }, median $(echo "$all" | tr ' ' '\n' | grep . | median)x"; }
rispy=$(timed rispy)
ours_read=$(timed read)
ours_read1=$(timed read1)
ours_next=$(timed next)
ours_import=$(timed import)
ours_import1=$(timed import1)
ours_jsonl=$(for _ in $(seq "$repeats"); do "$bench" read "$work/records.jsonl" | seconds; done | best)
# Peak resident memory of read + write: the reader hands back the mapped pages it has passed.
ours_rss=$( { /usr/bin/time -f '%M' "$bench" import "$ris" "$work/records.jsonl" > /dev/null; } 2>&1 | tail -1)

echo "records: $records ($(du -hL "$ris" | cut -f1)), best of $repeats rounds, $(nproc) cores, load $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "rispy 0.10.0 rispy.load:                 ${rispy} s"
ratio() { awk -v a="$rispy" -v b="$1" 'BEGIN {printf "%.1f", a / b}'; }
echo "ReviewTrail RecordReader.forEachBatch, $cores threads: ${ours_read} s  ($(ratio "$ours_read")x faster; $(rounds read))"
echo "ReviewTrail RecordReader.forEachBatch, 1 thread:  ${ours_read1} s  ($(ratio "$ours_read1")x faster; $(rounds read1))"
echo "ReviewTrail RecordReader.next (one record at a time), $cores threads: ${ours_next} s  ($(ratio "$ours_next")x faster; $(rounds next))"
echo "ReviewTrail read + JSON Lines write, $cores threads: ${ours_import} s  ($(ratio "$ours_import")x faster)"
echo "ReviewTrail read + JSON Lines write, 1 thread:  ${ours_import1} s  ($(ratio "$ours_import1")x faster)"
echo "ReviewTrail read + write, peak RSS:      $((ours_rss / 1024)) MiB for a $(($(stat -L -c %s "$ris") / 1048576)) MiB export"
echo "ReviewTrail JSON Lines read back:        ${ours_jsonl} s  ($(du -h "$work/records.jsonl" | cut -f1))"
