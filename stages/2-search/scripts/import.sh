#!/bin/sh
# Stand-in for the built-in step records/import (2-search/import), until ReviewTrail's Swift import exists.
#
#   sh import.sh RECORDS_TSV IDENTIFICATION_CSV EXPORT...
#
# Reads native database exports (RIS as Ovid writes it, Scopus CSV, Web of Science plain text; the format
# is detected from the first line) and writes:
#   RECORDS_TSV         one row per record: id, database, format, line, source_id, type, authors, year,
#                       title, journal, volume, issue, pages, doi
#                       id = <export-file-stem>:<n>, n the record's 1-based position in its file;
#                       type is a RIS type code; doi lower-cased without URL or doi: prefix; abbreviated
#                       page ranges (475-80) are written out (475-480); authors joined with "; ".
#   IDENTIFICATION_CSV  file,database,format,records: the records read from each export.
# Bad input (unknown format, a malformed line, a record without its end tag, two exports with one
# stem) stops the step: a message on stderr naming file and line, exit status 2.
# POSIX sh + awk (works with mawk); writes nothing but its two outputs.
set -eu
export LC_ALL=C

if [ $# -lt 3 ]; then
    echo "usage: sh import.sh RECORDS_TSV IDENTIFICATION_CSV EXPORT..." >&2
    exit 2
fi
records=$1
identification=$2
shift 2
for f in "$@"; do
    [ -f "$f" ] || { echo "import: $f: no such export file" >&2; exit 2; }
done

awk -v records="$records" -v identification="$identification" '
function fail(msg) { printf "import: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"; failed = 1; exit 2 }
function clean(s) { gsub(/[\t\r\n]/, " ", s); gsub(/  +/, " ", s); sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
function normdoi(d) {
    d = clean(d)
    sub(/^[Hh][Tt][Tt][Pp][Ss]?:\/\/(dx\.)?doi\.org\//, "", d)
    sub(/^[Dd][Oo][Ii]: ?/, "", d)
    return tolower(d)
}
function expand(p,   a, b, pa, pb, da, db) {   # "475-80" -> "475-480", "S258-66" -> "S258-S266"
    p = clean(p)
    if (index(p, "-") == 0) return p
    a = p; sub(/-.*/, "", a); b = p; sub(/^[^-]*-/, "", b)
    pa = a; sub(/[0-9]+$/, "", pa); da = substr(a, length(pa) + 1)
    pb = b; sub(/[0-9]+$/, "", pb); db = substr(b, length(pb) + 1)
    if (pb == "" && pa != "") pb = pa
    if (da != "" && db != "" && length(db) < length(da)) db = substr(da, 1, length(da) - length(db)) db
    return a "-" pb db
}
function pages(sp, ep) { sp = clean(sp); ep = clean(ep); if (sp == "") return ep; if (ep == "" ) return expand(sp); return sp "-" ep }
function reset() { split("", f); nau = 0; authors = "" }
function addauthor(a) { a = clean(a); if (a != "") { authors = authors (nau > 0 ? "; " : "") a; nau++ } }
function emit(fmt, type, title, journal, vol, iss, pg, doi, sid, year) {
    n++
    if (year !~ /^[0-9][0-9][0-9][0-9]$/) year = substr(year, 1, 4)
    if (year !~ /^[0-9][0-9][0-9][0-9]$/) year = ""
    printf "%s:%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", stem, n, clean(database), fmt, start, clean(sid), type, authors,
        year, clean(title), clean(journal), clean(vol), clean(iss), pg, normdoi(doi) > records
}
function finishfile() {
    if (FILENAME_prev == "") return
    if (fmt_prev == "ris" && open) { FILENAME = FILENAME_prev; fail("record starting on line " start " has no ER line") }
    if (fmt_prev == "wos" && open) { FILENAME = FILENAME_prev; fail("record starting on line " start " has no ER line") }
    if (fmt_prev == "wos" && !ended) { FILENAME = FILENAME_prev; fail("no EF line at the end of the file") }
    printf "%s,%s,%s,%d\n", file_prev, database_prev, fmt_prev, n > identification
}
# ---- CSV: split one line into fields (quoted fields, doubled quotes); multi-line fields are not supported
function csvsplit(line, out,   i, c, nf, field, inq) {
    nf = 0; field = ""; inq = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (inq) {
            if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { field = field "\""; i++ } else inq = 0 }
            else field = field c
        } else if (c == "\"") inq = 1
        else if (c == ",") { out[++nf] = field; field = "" }
        else field = field c
    }
    if (inq) return -1
    out[++nf] = field
    return nf
}
BEGIN {
    printf "id\tdatabase\tformat\tline\tsource_id\ttype\tauthors\tyear\ttitle\tjournal\tvolume\tissue\tpages\tdoi\n" > records
    printf "file,database,format,records\n" > identification
}
FNR == 1 {
    finishfile()
    sub(/^\357\273\277/, "")
    stem = FILENAME; sub(/.*\//, "", stem); file = stem; sub(/\.[^.]*$/, "", stem)
    if (stem in stems) fail("file stem \"" stem "\" is also the stem of " stems[stem] "; record ids would clash")
    stems[stem] = FILENAME
    n = 0; open = 0; ended = 0; reset()
    if ($0 ~ /^TY  - /) { fmt = "ris"; database = "" }
    else if ($0 ~ /^FN /) { fmt = "wos"; database = "Web of Science"; FILENAME_prev = FILENAME; file_prev = file; fmt_prev = fmt; database_prev = database; next }
    else if ($0 ~ /^"?Authors"?,/) {
        fmt = "scopus-csv"; database = "Scopus"
        nh = csvsplit($0, head); split("", col)
        for (i = 1; i <= nh; i++) col[head[i]] = i
        if (!("Title" in col) || !("Year" in col)) fail("a Scopus CSV needs Title and Year columns")
        FILENAME_prev = FILENAME; file_prev = file; fmt_prev = fmt; database_prev = database
        next
    }
    else fail("unknown export format (expected RIS, Scopus CSV or Web of Science plain text)")
    FILENAME_prev = FILENAME; file_prev = file; fmt_prev = fmt; database_prev = database
}
{ sub(/\r$/, "") }
# ---- RIS
fmt == "ris" && /^[A-Z][A-Z0-9]  - ?/ {
    tag = substr($0, 1, 2); val = substr($0, 7)
    if (tag == "TY") { if (open) fail("TY before the ER of the record starting on line " start); open = 1; start = FNR; reset(); f["TY"] = clean(val); next }
    if (!open) fail("tag " tag " outside a record")
    if (tag == "ER") {
        if (database == "" && f["DB"] != "") database = f["DB"]
        database_prev = database
        journal = f["JF"] != "" ? f["JF"] : (f["JO"] != "" ? f["JO"] : f["T2"])
        emit("ris", f["TY"], f["TI"] != "" ? f["TI"] : f["T1"], journal, f["VL"], f["IS"], pages(f["SP"], f["EP"]), f["DO"],
             f["ID"] != "" ? f["ID"] : f["AN"], f["PY"] != "" ? f["PY"] : f["Y1"])
        open = 0; next
    }
    if (tag == "AU" || tag == "A1") { addauthor(val); next }
    if (!(tag in f) || f[tag] == "") f[tag] = val
    next
}
fmt == "ris" && /^[ \t]*$/ { next }
fmt == "ris" { fail("not a RIS line: " substr($0, 1, 40)) }
# ---- Scopus CSV
fmt == "scopus-csv" {
    if ($0 ~ /^[ \t]*$/) next
    nf = csvsplit($0, v)
    if (nf < 0) fail("unbalanced quotes (multi-line fields are not supported)")
    if (nf != nh) fail(nf " fields where the header has " nh)
    start = FNR; reset()
    na = split(v[col["Authors"]], a, /; /)
    for (i = 1; i <= na; i++) addauthor(a[i])
    dt = v[col["Document Type"]]
    type = (dt == "Book") ? "BOOK" : (dt == "Book chapter") ? "CHAP" : (dt == "Report") ? "RPRT" : (dt == "Conference Paper") ? "CONF" : "JOUR"
    pg = pages(v[col["Page start"]], v[col["Page end"]]); if (pg == "") pg = clean(v[col["Art. No."]])
    if (v[col["Source"]] != "") database = v[col["Source"]]
    database_prev = database
    emit("scopus-csv", type, v[col["Title"]], v[col["Source title"]], v[col["Volume"]], v[col["Issue"]], pg, v[col["DOI"]], v[col["EID"]], v[col["Year"]])
    next
}
# ---- Web of Science plain text
fmt == "wos" {
    if ($0 ~ /^[ \t]*$/) next
    if ($0 == "EF") { if (open) fail("EF inside the record starting on line " start); ended = 1; next }
    if (ended) fail("text after EF")
    if ($0 ~ /^   /) { if (!open || last == "") fail("continuation line outside a field"); val = substr($0, 4); if (last == "AU") addauthor(val); else if (last != "AF" && last != "BE") f[last] = f[last] " " val; next }
    if ($0 !~ /^[A-Z][A-Z0-9]( |$)/) fail("not a Web of Science field line: " substr($0, 1, 40))
    tag = substr($0, 1, 2); val = substr($0, 4); last = tag
    if (tag == "VR") next
    if (tag == "PT") { if (open) fail("PT before the ER of the record starting on line " start); open = 1; start = FNR; reset(); f["PT"] = val; next }
    if (!open) fail("field " tag " outside a record")
    if (tag == "ER") {
        type = (f["PT"] == "J" || f["PT"] == "S") ? "JOUR" : (f["PT"] == "B" ? (f["DT"] ~ /Book Chapter/ ? "CHAP" : "BOOK") : (f["PT"] == "C" ? "CONF" : "GEN"))
        pg = pages(f["BP"], f["EP"]); if (pg == "") pg = clean(f["AR"])
        emit("wos", type, f["TI"], f["SO"], f["VL"], f["IS"], pg, f["DI"], f["UT"], f["PY"])
        open = 0; last = ""; next
    }
    if (tag == "AU") { addauthor(val); next }
    f[tag] = val
    next
}
END {
    if (failed) exit 2
    finishfile()
}
' "$@"

# One summary line (and counts) for the trail commit, when the runner asks for it.
if [ -n "${REVIEW_SUMMARY:-}" ]; then
    n=$(($(wc -l < "$records") - 1)) e=$(($(wc -l < "$identification") - 1))
    printf '%d records imported from %d exports\nrecords=%d\nexports=%d\n' "$n" "$e" "$n" "$e" > "$REVIEW_SUMMARY"
fi
