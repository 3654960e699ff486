#!/usr/bin/env bash
# Fuzzes the Bibliography readers with libFuzzer (see Fuzz/README.md).
#
#   Fuzz/run.sh [SECONDS] [READER...]
#
# SECONDS  how long each reader runs (default 600).
# READER   any of: ris ris-chunks medline wos wos-tab csv endnote-xml bibtex jsonl auto (default: all of them;
#          `auto` reads with format detection, ReadOptions(format: nil); `ris-chunks` reads RIS cut into chunks on
#          two threads and aborts when that differs from the one-thread read).
#
# Environment:
#   PARALLEL=2   how many fuzzers run at the same time (default 2).
#   BUILD=0      reuse the binary already built instead of rebuilding it.
#   OUT=dir      where binary, logs, working corpora and crashes go (default Benchmarks/work/fuzz, git-ignored).
#   SEGMENT=s    run each reader as fresh libFuzzer processes of at most s seconds each, resuming from the same
#                corpus (default: 300 for endnote-xml and auto, whose memory grows through a FoundationXML leak
#                of 72 bytes per XML error, see Fuzz/README.md; one process for the others).
#
# Everything produced goes under $OUT: the binary fuzz-bibliography, logs/<reader>.log, the growing corpus
# corpus/<reader>/ (seeded read-only from Fuzz/corpus/<reader>/) and crash/timeout/oom files in crashes/<reader>/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-600}"
shift || true
ALL=(ris ris-chunks medline wos wos-tab csv endnote-xml bibtex jsonl auto)
READERS=("$@")
[ ${#READERS[@]} -eq 0 ] && READERS=("${ALL[@]}")
PARALLEL="${PARALLEL:-2}"
OUT="${OUT:-$ROOT/Benchmarks/work/fuzz}"
BIN="$OUT/fuzz-bibliography"

segment() {
    if [ -n "${SEGMENT:-}" ]; then echo "$SEGMENT"; return; fi
    case "$1" in
        endnote-xml | auto) echo 300 ;;
        *) echo "$SECONDS_EACH" ;;
    esac
}

max_len() {
    case "$1" in
        endnote-xml | auto) echo 16384 ;;
        *) echo 8192 ;;
    esac
}

for r in "${READERS[@]}"; do
    case " ${ALL[*]} " in *" $r "*) ;; *) echo "unknown reader: $r (one of ${ALL[*]})" >&2; exit 2 ;; esac
done

mkdir -p "$OUT/logs"
if [ "${BUILD:-1}" != 0 ] || [ ! -x "$BIN" ]; then
    echo "building $BIN"
    # The ld.gold warnings about __asan_* local symbols are harmless.
    # -assert-config Debug keeps assertions in the optimised build: every string made without a second UTF-8 check
    # (Bytes.validString) is checked after all.
    swiftc -O -g -assert-config Debug -sanitize=fuzzer,address -parse-as-library \
        "$ROOT/Fuzz/harness.swift" "$ROOT"/Sources/Bibliography/*.swift \
        -o "$BIN.new.$$" 2> >(grep -v "Cannot export local symbol '__asan" >&2)
    mv -f "$BIN.new.$$" "$BIN"  # a rename, so fuzzers still running the old binary are not disturbed
fi

run_one() {
    local reader="$1"
    local work="$OUT/corpus/$reader" crashes="$OUT/crashes/$reader" log="$OUT/logs/$reader.log"
    local seeds=() dict=()
    mkdir -p "$work" "$crashes"
    if [ "$reader" = auto ]; then
        for d in "$ROOT"/Fuzz/corpus/*/; do seeds+=("$d"); done
        local tmp
        tmp="$(mktemp "$OUT/auto.dict.XXXXXX")"
        cat "$ROOT"/Fuzz/dict/*.dict > "$tmp"
        dict=("-dict=$tmp")
    else
        local base="${reader%-chunks}"  # ris-chunks fuzzes the RIS reader from the RIS seeds
        seeds=("$ROOT/Fuzz/corpus/$base")
        [ -f "$ROOT/Fuzz/dict/$base.dict" ] && dict=("-dict=$ROOT/Fuzz/dict/$base.dict")
    fi
    echo "fuzzing $reader for ${SECONDS_EACH}s (log: $log)"
    : > "$log"
    local left="$SECONDS_EACH" part status
    while [ "$left" -gt 0 ]; do
        part="$(segment "$reader")"
        [ "$part" -gt "$left" ] && part="$left"
        left=$((left - part))
        echo "=== run.sh: $reader, ${part}s ===" >> "$log"
        # Fuzz/lsan.supp silences a leak inside FoundationXML (see the file); leaks in our code are still reported.
        status=0
        FUZZ_FORMAT="$reader" LSAN_OPTIONS="suppressions=$ROOT/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" "$BIN" \
            -max_total_time="$part" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$reader")" \
            -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
            "$work" "${seeds[@]}" >> "$log" 2>&1 || status=$?
        # libFuzzer exits non-zero when it finds something: stop this reader, keep going with the others.
        if [ "$status" != 0 ]; then
            echo "$reader: libFuzzer exited with $status (see $log)"
            break
        fi
    done
    grep -E '^Done [0-9]+ runs' "$log" | sed "s/^/$reader: /"
}

running=0
for r in "${READERS[@]}"; do
    if [ "$running" -ge "$PARALLEL" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$r" &
    running=$((running + 1))
done
wait

echo
echo "summary:"
for r in "${READERS[@]}"; do
    log="$OUT/logs/$r.log"
    done_line="$(grep -E '^Done [0-9]+ runs' "$log" 2>/dev/null | paste -sd ';' - || true)"
    found="$(ls "$OUT/crashes/$r" 2>/dev/null | tr '\n' ' ')"
    printf '  %-12s %s%s\n' "$r" "${done_line:-no Done line (crashed or stopped?)}" "${found:+  artifacts: $found}"
done
