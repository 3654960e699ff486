#!/bin/sh
# Stand-in for the built-in step records/deduplicate (2-search/deduplicate).
#
#   sh deduplicate.sh PRIORITY RECORDS UNIQUE_TSV DUPLICATES_CSV [UNIQUE_JSONL]
#
# RECORDS is records.jsonl (the canonical records written by the built-in records/import) or a table
# with the 14 columns below.
#
# PRIORITY is the comma-separated order of export file stems (e.g. medline,scopus,wos): of each cluster
# of duplicates the record from the first export in that order is kept (within one export, the first
# record). Two records are duplicates when
#   - their DOIs are equal (RECORDS_TSV holds them normalised: lower case, no URL prefix), or
#   - their normalised titles (lower case, letters and digits only) and years are equal, and the records
#     of that title and year carry at most one distinct DOI (two different DOIs are never merged).
# Writes
#   UNIQUE_TSV      the kept records (columns of RECORDS_TSV plus members and databases), in priority order
#   UNIQUE_JSONL    (when RECORDS is records.jsonl) the kept records' lines of RECORDS, in priority order
#   DUPLICATES_CSV  cluster,record_id,source_id,status,match,score for every cluster of two or more
#                   records; status kept|removed; match doi|title-year; score 1.000 (exact matches only).
# Exits 2 with a message on stderr on bad input (wrong header, unknown stem, duplicate record id).
set -eu
export LC_ALL=C

if [ $# -ne 4 ] && [ $# -ne 5 ]; then
    echo "usage: sh deduplicate.sh PRIORITY RECORDS UNIQUE_TSV DUPLICATES_CSV [UNIQUE_JSONL]" >&2
    exit 2
fi
[ -f "$2" ] || { echo "deduplicate: $2: no such file" >&2; exit 2; }

# records.jsonl (the canonical records of records/import) as the 14-column table this script reads:
# id, database, format, line, source_id, type, authors, year, title, journal, volume, issue, pages, doi.
records_table() {
    case $1 in
        *.jsonl) ;;
        *) cat "$1"; return ;;
    esac
    awk '
    function unescape(v) {
        gsub(/\\\\/, "\001", v); gsub(/\\"/, "\"", v); gsub(/\\[nrt]/, " ", v); gsub(/\\\//, "/", v); gsub(/\001/, "\\", v)
        gsub(/\t/, " ", v)
        return v
    }
    function str(line, key,   v) {
        if (!match(line, "\"" key "\":\"([^\"\\\\]|\\\\.)*\"")) return ""
        v = substr(line, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
        return unescape(v)
    }
    function num(line, key) {
        if (!match(line, "\"" key "\":[0-9]+")) return ""
        return substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
    }
    function authors(line,   list, n, i, parts, out, family, given) {
        if (!match(line, /"authors":\[[^]]*\]/)) return ""
        list = substr(line, RSTART + 11, RLENGTH - 12)
        n = split(list, parts, /\},\{/)
        out = ""
        for (i = 1; i <= n; i++) {
            family = str(parts[i], "family"); given = str(parts[i], "given")
            out = out (i > 1 ? "; " : "") family (given != "" ? ", " given : "")
        }
        return out
    }
    function pages(line,   p, start, end) {
        if (!match(line, /"pages":\{[^}]*\}/)) return ""
        p = substr(line, RSTART, RLENGTH); start = str(p, "start"); end = str(p, "end")
        return start (end != "" ? "-" end : "")
    }
    BEGIN { OFS = "\t"; print "id", "database", "format", "line", "source_id", "type", "authors", "year", "title", "journal", "volume", "issue", "pages", "doi" }
    NF == 0 { next }
    {
        if (!match($0, /"source":\{[^}]*\}/)) { printf "deduplicate: %s:%d: a record without a source\n", FILENAME, FNR > "/dev/stderr"; exit 2 }
        src = substr($0, RSTART, RLENGTH)
        print str($0, "id"), str(src, "database"), str(src, "format"), num(src, "line"), str($0, "source_id"), str($0, "type"), authors($0), num($0, "year"), str($0, "title"), str($0, "journal"), str($0, "volume"), str($0, "issue"), pages($0), str($0, "doi")
    }' "$1"
}

records_table "$2" | awk -F '\t' -v source="$2" -v priority="$1" -v unique="$3" -v duplicates="$4" '
function fail(msg) { printf "deduplicate: %s:%d: %s\n", source, FNR, msg > "/dev/stderr"; failed = 1; exit 2 }
function find(x,   r) { r = x; while (parent[r] != r) r = parent[r]; while (parent[x] != r) { t = parent[x]; parent[x] = r; x = t }; return r }
function union(a, b,   ra, rb) { ra = find(a); rb = find(b); if (ra == rb) return; if (ra < rb) parent[rb] = ra; else parent[ra] = rb }
function csv(v) { if (v ~ /[",]/) { gsub(/"/, "\"\"", v); v = "\"" v "\"" }; return v }
BEGIN { np = split(priority, p, ","); for (i = 1; i <= np; i++) prio[p[i]] = i }
NR == 1 {
    if ($1 != "id" || $14 != "doi" || NF != 14) fail("not a records table header (id ... doi, 14 columns)")
    header = $0
    next
}
{
    if (NF != 14) fail(NF " columns where the header has 14")
    id = $1; stem = id; sub(/:.*/, "", stem); num = id; sub(/^[^:]*:/, "", num)
    if (!(stem in prio)) fail("record " id ": export \"" stem "\" is not in the priority list " priority)
    if (num !~ /^[1-9][0-9]*$/) fail("record id " id " is not <export-file-stem>:<n>")
    if (id in seen) fail("record id " id " appears twice")
    seen[id] = 1
    r = sprintf("%02d%06d", prio[stem], num)
    rank[++n] = r; row[r] = $0; rid[r] = id; sid[r] = $5; doi[r] = $14; db[r] = $2
    parent[r] = r
    t = tolower($9); gsub(/[^a-z0-9]/, "", t)
    tkey[r] = (t != "" && $8 != "") ? t "|" $8 : ""
}
END {
    if (failed) exit 2
    # ranks are zero-padded, so sorting them as strings sorts by export priority then position
    for (i = 2; i <= n; i++) { v = rank[i]; for (j = i - 1; j >= 1 && rank[j] > v; j--) rank[j + 1] = rank[j]; rank[j + 1] = v }
    for (i = 1; i <= n; i++) { r = rank[i]; if (doi[r] != "") { if (doi[r] in bydoi) union(bydoi[doi[r]], r); else bydoi[doi[r]] = r } }
    for (i = 1; i <= n; i++) { r = rank[i]; k = tkey[r]; if (k == "") continue; members[k] = members[k] " " r; if (doi[r] != "" && index(dois[k] " ", " " doi[r] " ") == 0) { dois[k] = dois[k] " " doi[r]; ndoi[k]++ } }
    for (i = 1; i <= n; i++) {   # iterate title keys in rank order so the result never depends on hash order
        r = rank[i]; k = tkey[r]; if (k == "" || (k in done)) continue; done[k] = 1
        if (ndoi[k] > 1) { printf "deduplicate: not merged (same title and year, different DOIs):%s\n", members[k] > "/dev/stderr"; continue }
        m = split(substr(members[k], 2), mm, " ")
        for (j = 2; j <= m; j++) union(mm[1], mm[j])
    }
    printf "%s\tmembers\tdatabases\n", header > unique
    printf "cluster,record_id,source_id,status,match,score\n" > duplicates
    nc = 0
    for (i = 1; i <= n; i++) { r = rank[i]; root = find(r); list[root] = list[root] " " r; cnt[root]++ }
    for (i = 1; i <= n; i++) {
        r = rank[i]
        if (find(r) != r) continue
        m = split(substr(list[r], 2), mm, " ")
        ids = ""; dbs = ""
        for (j = 1; j <= m; j++) {
            ids = ids (j > 1 ? ";" : "") rid[mm[j]]
            if (index(";" dbs ";", ";" db[mm[j]] ";") == 0) dbs = dbs (dbs != "" ? ";" : "") db[mm[j]]
        }
        printf "%s\t%s\t%s\n", row[r], ids, dbs > unique
        if (m < 2) continue
        nc++
        printf "%d,%s,%s,kept,,\n", nc, rid[r], csv(sid[r]) > duplicates
        for (j = 2; j <= m; j++) {
            x = mm[j]
            match_ = (doi[x] != "" && doi[x] == doi[r]) ? "doi" : "title-year"
            printf "%d,%s,%s,removed,%s,1.000\n", nc, rid[x], csv(sid[x]), match_ > duplicates
        }
    }
}
'

# The kept records as canonical JSON Lines, in the order of UNIQUE_TSV.
if [ $# -eq 5 ]; then
    awk -F '\t' -v records="$2" '
    NR == FNR { if (FNR > 1) { order[++n] = $1; kept[$1] = 1 } next }
    {
        if (match($0, /"id":"[^"]*"/)) {
            id = substr($0, RSTART + 6, RLENGTH - 7)
            if (id in kept) line[id] = $0
        }
    }
    END { for (i = 1; i <= n; i++) print line[order[i]] }
    ' "$3" "$2" > "$5"
fi

# One summary line (and counts) for the trail commit, when the runner asks for it.
if [ -n "${REVIEW_SUMMARY:-}" ]; then
    n=$(grep -c . "$2") u=$(($(wc -l < "$3") - 1))
    case $2 in *.jsonl) ;; *) n=$((n - 1)) ;; esac
    c=$(awk -F, 'NR > 1 && $4 == "kept" { c++ } END { print c + 0 }' "$4")
    printf '%d duplicates removed in %d clusters, %d unique\nduplicates_removed=%d\nclusters=%d\nunique=%d\n' \
        "$((n - u))" "$c" "$u" "$((n - u))" "$c" "$u" > "$REVIEW_SUMMARY"
fi
