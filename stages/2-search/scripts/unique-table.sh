#!/bin/sh
# Bridge for the stand-ins of stages 3 and 5, which still read a table of the unique records: flattens
# unique.jsonl (written by the built-in records/deduplicate) into unique.tsv. Remove it once they read unique.jsonl.
#
#   sh unique-table.sh RECORDS_JSONL UNIQUE_JSONL UNIQUE_TSV
#
# UNIQUE_TSV has the columns id, database, format, line, source_id, type, authors, year, title, journal, volume,
# issue, pages, doi, members (the merged record's member ids, `;`-joined) and databases (the databases of its
# members, `;`-joined, first seen first; read from RECORDS_JSONL), one row per unique record, in its order.
# Exits 2 with a message on stderr when a member id is not in RECORDS_JSONL.
set -eu
export LC_ALL=C

[ $# -eq 3 ] || { echo "usage: sh unique-table.sh RECORDS_JSONL UNIQUE_JSONL UNIQUE_TSV" >&2; exit 2; }
for f in "$1" "$2"; do [ -f "$f" ] || { echo "unique-table: $f: no such file" >&2; exit 2; }; done

awk -v out="$3" '
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
function authors(line,   list, n, i, parts, res, family, given) {
    if (!match(line, /"authors":\[[^]]*\]/)) return ""
    list = substr(line, RSTART + 11, RLENGTH - 12)
    n = split(list, parts, /\},\{/)
    res = ""
    for (i = 1; i <= n; i++) {
        family = str(parts[i], "family"); given = str(parts[i], "given")
        res = res (i > 1 ? "; " : "") family (given != "" ? ", " given : "")
    }
    return res
}
function pages(line,   p, start, end) {
    if (!match(line, /"pages":\{[^}]*\}/)) return ""
    p = substr(line, RSTART, RLENGTH); start = str(p, "start"); end = str(p, "end")
    return start (end != "" ? "-" end : "")
}
function source(line) {
    if (!match(line, /"source":\{[^}]*\}/)) return ""
    return substr(line, RSTART, RLENGTH)
}
NF == 0 { next }
NR == FNR { db[str($0, "id")] = str(source($0), "database"); next }
FNR == 1 { OFS = "\t"; print "id", "database", "format", "line", "source_id", "type", "authors", "year", "title", "journal", "volume", "issue", "pages", "doi", "members", "databases" > out }
{
    id = str($0, "id"); src = source($0)
    members = id
    if (match($0, /"members":\[[^]]*\]/)) { members = substr($0, RSTART + 12, RLENGTH - 14); gsub(/","/, ";", members) }
    n = split(members, m, ";"); dbs = ""
    for (i = 1; i <= n; i++) {
        if (!(m[i] in db)) { printf "unique-table: %s:%d: member %s is not a record of %s\n", FILENAME, FNR, m[i], ARGV[1] > "/dev/stderr"; exit 2 }
        if (index(";" dbs ";", ";" db[m[i]] ";") == 0) dbs = dbs (dbs != "" ? ";" : "") db[m[i]]
    }
    print id, str(src, "database"), str(src, "format"), num(src, "line"), str($0, "source_id"), str($0, "type"), authors($0), num($0, "year"), str($0, "title"), str($0, "journal"), str($0, "volume"), str($0, "issue"), pages($0), str($0, "doi"), members, dbs > out
}' "$1" "$2"
