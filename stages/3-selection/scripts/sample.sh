#!/bin/sh
# Stand-in for the built-in screening-sample step (3-selection/sample).
#
#   sh sample.sh PERCENT SEED SAMPLE_CSV DECISION_FILE...
#
# The paper: the first author screened every record of each selection phase, the second author a random
# 20% (randomised in Excel). Here the sample is drawn, per phase, from the records the full screener
# decided on: each DECISION_FILE is decisions/<phase>-<reviewer>.csv of the reviewer who screens 100%.
# Every record gets the key cksum("SEED:<phase>:<record_id>"); records are sorted by (key, record_id)
# and the first ceil(PERCENT% of the phase's records) are taken. Deterministic: same files, same sample.
# Writes SAMPLE_CSV: phase,rank,record_id,key (phases in file-name order, then by rank).
# Exits 2 with a message on stderr on bad input (bad percent, a file that is not <phase>-<reviewer>.csv,
# a bad header, a duplicate record id).
set -eu
export LC_ALL=C

if [ $# -lt 4 ]; then
    echo "usage: sh sample.sh PERCENT SEED SAMPLE_CSV DECISION_FILE..." >&2
    exit 2
fi
percent=$1
seed=$2
out=$3
shift 3
case $percent in
    ''|*[!0-9]*) echo "sample: PERCENT must be a whole number from 1 to 100, not \"$percent\"" >&2; exit 2 ;;
esac
if [ "$percent" -lt 1 ] || [ "$percent" -gt 100 ]; then
    echo "sample: PERCENT must be from 1 to 100, not $percent" >&2
    exit 2
fi

{
    printf 'phase,rank,record_id,key\n'
    for file in "$@"; do
        base=${file##*/}
        case $base in
            *-*.csv) phase=${base%%-*} ;;
            *) echo "sample: $file: not a decisions/<phase>-<reviewer>.csv file" >&2; exit 2 ;;
        esac
        case $phase in
            ''|*[!a-z0-9]*) echo "sample: $file: phase id \"$phase\" is not [a-z0-9]+" >&2; exit 2 ;;
        esac
        [ -f "$file" ] || { echo "sample: $file: no such file" >&2; exit 2; }
        ids=$(awk -F ',' -v file="$file" '
            NR == 1 { sub(/\r$/, ""); if ($0 !~ /^record_id,decision,reason,note$/) { printf "sample: %s:1: header must be record_id,decision,reason,note\n", file > "/dev/stderr"; exit 2 }; next }
            /^[ \t\r]*$/ { next }
            { if ($1 !~ /^[A-Za-z0-9_.-]+:[1-9][0-9]*$/) { printf "sample: %s:%d: \"%s\" is not a record id\n", file, NR, $1 > "/dev/stderr"; exit 2 }
              if ($1 in seen) { printf "sample: %s:%d: record %s is decided twice\n", file, NR, $1 > "/dev/stderr"; exit 2 }
              seen[$1] = 1; print $1 }' "$file") || exit 2
        n=$(printf '%s\n' "$ids" | grep -c . || true)
        k=$(( (n * percent + 99) / 100 ))
        printf '%s\n' "$ids" | grep . | while IFS= read -r id; do
            key=$(printf '%s' "$seed:$phase:$id" | cksum)
            printf '%s %s\n' "${key%% *}" "$id"
        done | sort -k1,1n -k2,2 | head -n "$k" | awk -v phase="$phase" '{ printf "%s,%d,%s,%s\n", phase, NR, $2, $1 }'
    done
} > "$out"

# One summary line (and counts) for the trail commit, when the runner asks for it.
if [ -n "${REVIEW_SUMMARY:-}" ]; then
    s=$(($(wc -l < "$out") - 1))
    printf '%d records sampled (%d%%) for the second reviewer\nsampled=%d\n' "$s" "$percent" "$s" > "$REVIEW_SUMMARY"
fi
