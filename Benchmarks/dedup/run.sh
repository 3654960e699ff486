#!/usr/bin/env bash
# Deduplication quality and speed: ReviewTrail against bib-dedupe 0.11.0 on the ASySD and SRA gold sets of
# ../shared/data, then the perturbed 100,000 / 1,000,000 record scaling run.
# Usage: Benchmarks/dedup/run.sh [quality|scale|all (default)] [sizes for scale…]
# Generated files (release build, perturbed sets, cluster files) go to Benchmarks/work/dedup/ (git-ignored);
# bib-dedupe is installed into Benchmarks/.venv.
set -euo pipefail
cd "$(dirname "$0")"
what=${1:-all}
shift || true
if [ ! -d ../../../shared/data ]; then
  echo "skipped: ../shared/data is absent (the gold sets are not in the repository)"
  exit 0
fi
work=../work/dedup
mkdir -p "$work"
swift build -c release --scratch-path "$work/.build" --product dedup-bench >&2
bench="$(cd "$work/.build/release" && pwd)/dedup-bench"
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$what" = quality ] || [ "$what" = all ]; then
  if [ ! -x ../.venv/bin/python ]; then
    python3 -m venv ../.venv
    ../.venv/bin/pip install --quiet bib-dedupe==0.11.0
  fi
  ../.venv/bin/python quality.py "$bench" "$work"
fi
if [ "$what" = scale ] || [ "$what" = all ]; then
  python3 scale.py "$bench" "$work" "$@"
fi
