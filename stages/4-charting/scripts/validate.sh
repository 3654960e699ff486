#!/bin/sh
# Stand-in for the built-in charting step (4-charting/validate).
#
#   sh validate.sh CODEBOOK_JSON CHARTING_CSV INCLUDED_TSV CHARTED_CSV
#
# Checks the hand-made charting table against the codebook and the included studies, and writes the
# charted table.
# CODEBOOK_JSON  { "variables": [ ... ] } with ONE VARIABLE OBJECT PER LINE (this stand-in reads it line by
#                line): name, type (integer|text|category), allowed (category only), multiple, required,
#                description; description text may not contain a double quote.
# CHARTING_CSV   one row per included study, columns exactly the codebook's variables in codebook order.
# INCLUDED_TSV   3-selection/out/included.tsv.
# Checks: every included study has exactly one row and no other record has one; required values present;
# integers are integers; year equals the included record's year; category values are allowed; several
# values (separated by ";") only where multiple is true.
# Writes CHARTED_CSV: record_id, identified_via, citation (first author and year), then the codebook's
# other variables, in included.tsv order, with several values of a category put in the codebook's order.
# Exit 2 with a message naming file, line and field on bad input.
set -eu
export LC_ALL=C

if [ $# -ne 4 ]; then
    echo "usage: sh validate.sh CODEBOOK_JSON CHARTING_CSV INCLUDED_TSV CHARTED_CSV" >&2
    exit 2
fi
for f in "$1" "$2" "$3"; do [ -f "$f" ] || { echo "validate: $f: no such file" >&2; exit 2; }; done

awk -v codebook="$1" -v charting="$2" -v included="$3" -v charted="$4" '
function fail(msg) { printf "validate: %s\n", msg > "/dev/stderr"; failed = 1; exit 2 }
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
function csv(v) { if (v ~ /[",\n]/) { gsub(/"/, "\"\"", v); v = "\"" v "\"" }; return v }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function strval(line, key,   s) {   # "key": "value" -> value ("" and found=0 when absent)
    found = match(line, "\"" key "\": *\"[^\"]*\"")
    if (!found) return ""
    s = substr(line, RSTART, RLENGTH); sub(/^"[^"]*": *"/, "", s); sub(/"$/, "", s); return s
}
function boolval(line, key, where,   s) {
    if (!match(line, "\"" key "\": *(true|false)")) fail(where ": \"" key "\" (true or false) is missing")
    s = substr(line, RSTART, RLENGTH); return s ~ /true$/
}
BEGIN {
    # ---- codebook
    ln = 0; nv = 0
    while ((getline line < codebook) > 0) {
        ln++; where = codebook ":" ln
        sub(/\r$/, "", line); if (ln == 1) sub(/^\357\273\277/, "", line)
        t = trim(line)
        if (t == "{" || t == "}" || t == "]" || t == "" || t ~ /^"variables": *\[$/) { if (t ~ /variables/) sawvars = 1; continue }
        if (t !~ /^\{ *"name": .*\},?$/) fail(where ": expected one variable object per line ({ \"name\": ... }), found: " substr(t, 1, 50))
        rest = t
        while (match(rest, /"[A-Za-z_]+": /)) {
            k = substr(rest, RSTART + 1, RLENGTH - 4)
            if (k !~ /^(name|type|allowed|multiple|required|description)$/) fail(where ": unknown key \"" k "\" (keys: name, type, allowed, multiple, required, description)")
            rest = substr(rest, RSTART + RLENGTH)
        }
        name = strval(t, "name"); if (name !~ /^[a-z][a-z0-9_]*$/) fail(where ": variable name \"" name "\" is not [a-z][a-z0-9_]*")
        if (name in vindex) fail(where ": variable " name " is declared twice")
        type = strval(t, "type"); if (type !~ /^(integer|text|category)$/) fail(where ": " name ": type \"" type "\" is not integer, text or category")
        strval(t, "description"); if (!found) fail(where ": " name ": description is missing")
        nv++; vname[nv] = name; vindex[name] = nv; vtype[nv] = type
        vmulti[nv] = boolval(t, "multiple", where); vreq[nv] = boolval(t, "required", where)
        if (match(t, /"allowed": *\[[^]]*\]/)) {
            if (type != "category") fail(where ": " name ": allowed values are for category variables")
            a = substr(t, RSTART, RLENGTH); sub(/^"allowed": *\[/, "", a); sub(/\]$/, "", a)
            na = split(a, al, ",")
            for (i = 1; i <= na; i++) {
                av = trim(al[i]); if (av !~ /^"[^"]+"$/) fail(where ": " name ": allowed value " av " is not a string")
                av = substr(av, 2, length(av) - 2); allowed[nv, av] = i; nallowed[nv]++; aval[nv, i] = av
            }
        } else if (type == "category") fail(where ": " name ": a category needs its allowed values")
    }
    close(codebook)
    if (ln == 0) fail(codebook ": cannot read the file")
    if (!sawvars || nv == 0) fail(codebook ": no \"variables\" list with variables")
    if (vname[1] != "record_id") fail(codebook ": the first variable must be record_id")
    yv = ("year" in vindex) ? vindex["year"] : 0

    # ---- included studies
    ln = 0; ni = 0
    while ((getline line < included) > 0) {
        ln++; sub(/\r$/, "", line); split(line, f, "\t")
        if (ln == 1) { if (f[1] != "record_id" || f[5] != "year") fail(included ":1: not an included.tsv header"); continue }
        ni++; iid[ni] = f[1]; inc[f[1]] = ni; iyear[f[1]] = f[5]; ivia[f[1]] = f[2]
        na = split(f[4], au, /; /); fam = au[1]; sub(/,.*/, "", fam)
        icite[f[1]] = (na <= 1 ? fam : (na == 2 ? fam " & " substr(au[2], 1, index(au[2] ",", ",") - 1) : fam " et al.")) " (" f[5] ")"
    }
    close(included)

    # ---- charting table
    ln = 0
    while ((getline line < charting) > 0) {
        ln++; where = charting ":" ln
        sub(/\r$/, "", line); if (ln == 1) sub(/^\357\273\277/, "", line)
        if (line ~ /^[ \t]*$/) continue
        n = csvsplit(line, v)
        if (n < 0) fail(where ": unbalanced quotes")
        if (ln == 1) {
            if (n != nv) fail(where ": " n " columns, but the codebook has " nv " variables")
            for (i = 1; i <= n; i++) if (v[i] != vname[i]) fail(where ": column " i " is \"" v[i] "\", the codebook says \"" vname[i] "\" (same variables, same order)")
            continue
        }
        if (n != nv) fail(where ": " n " fields where the header has " nv)
        r = v[1]
        if (!(r in inc)) fail(where ": record " r " is not an included study (3-selection/out/included.tsv)")
        if (r in row) fail(where ": record " r " is charted twice (also line " rowline[r] ")")
        rowline[r] = ln; out = ""
        for (i = 2; i <= nv; i++) {
            x = trim(v[i])
            if (x == "") { if (vreq[i]) fail(where ": " vname[i] " is required for " r); out = out "," ; continue }
            nx = split(x, xs, /;/)
            if (nx > 1 && !vmulti[i]) fail(where ": " vname[i] " takes one value for " r ", found \"" x "\"")
            if (vtype[i] == "integer") {
                if (x !~ /^-?[0-9]+$/) fail(where ": " vname[i] " must be an integer for " r ", found \"" x "\"")
                if (i == yv && x != iyear[r]) fail(where ": year " x " for " r ", but the included record says " iyear[r])
            }
            if (vtype[i] == "category") {
                split("", have)
                for (j = 1; j <= nx; j++) {
                    y = trim(xs[j])
                    if (!((i SUBSEP y) in allowed)) fail(where ": \"" y "\" is not an allowed value of " vname[i] " for " r)
                    if (y in have) fail(where ": " vname[i] " lists \"" y "\" twice for " r)
                    have[y] = 1
                }
                x = ""   # several values: in the codebook order
                for (j = 1; j <= nallowed[i]; j++) if (aval[i, j] in have) x = x (x == "" ? "" : ";") aval[i, j]
            } else if (nx > 1) {
                y = ""; for (j = 1; j <= nx; j++) y = y (j > 1 ? ";" : "") trim(xs[j]); x = y
            }
            out = out "," csv(x)
        }
        row[r] = out
    }
    close(charting)
    if (ln == 0) fail(charting ": cannot read the file or it is empty")
    for (i = 1; i <= ni; i++) if (!(iid[i] in row)) fail(charting ": no row for the included study " iid[i])

    # ---- charted table
    h = "record_id,identified_via,citation"
    for (i = 2; i <= nv; i++) h = h "," vname[i]
    print h > charted
    for (i = 1; i <= ni; i++) { r = iid[i]; print csv(r) "," csv(ivia[r]) "," csv(icite[r]) row[r] > charted }
    close(charted)
}
END { if (failed) exit 2 }
' < /dev/null

# One summary line (and counts) for the trail commit, when the runner asks for it.
if [ -n "${REVIEW_SUMMARY:-}" ]; then
    c=$(($(wc -l < "$4") - 1))
    printf '%d included studies charted\ncharted=%d\n' "$c" "$c" > "$REVIEW_SUMMARY"
fi
