#!/bin/sh
# Stand-in for the built-in collate step (5-collating/counts).
#
#   sh counts.sh PHASES PRISMA_CSV TABLES_DIR COMPARISON_CSV INPUT...
#
# PHASES  the selection phases in order (abstract,fulltext,final)
# INPUT   recognised by name: identification.json (or .csv), unique.tsv, duplicates.csv (2-search); agreement-<phase>.json,
#         final-<phase>.csv, included.jsonl (3-selection); other-sources/*.csv; codebook.json, charted.csv
#         (4-charting); reported_in_paper.json (one figure object per line, as this review writes it).
# Writes
#   PRISMA_CSV      id,label,n: records per export, duplicates removed, records per selection phase,
#                   exclusions per phase and reason, other sources, included studies
#   TABLES_DIR/     <variable>.csv (value,n,percent of included studies) for year, country and every
#                   category of the codebook; main_focus-by-role_type.csv; exclusion-reasons.csv
#   COMPARISON_CSV  id,label,reported,derived,difference: every figure of reported_in_paper.json next to
#                   the same figure derived from this review's files (NA where the files cannot give it)
# The reported figures are never used to compute anything. Checks that duplicates.csv removes exactly
# identified - unique records and that every included study is charted. Exit 2 with a message on bad input.
set -eu
export LC_ALL=C

if [ $# -lt 5 ]; then
    echo "usage: sh counts.sh PHASES PRISMA_CSV TABLES_DIR COMPARISON_CSV INPUT..." >&2
    exit 2
fi
phases=$1 prisma=$2 tables=${3%/} comparison=$4
shift 4
[ -d "$tables" ] || mkdir "$tables"

files=
for f in "$@"; do
    [ -f "$f" ] || { echo "counts: $f: no such file" >&2; exit 2; }
    case $f in *=*) echo "counts: $f: file names with '=' are not supported" >&2; exit 2 ;; esac
    case ${f##*/} in
        identification.csv) k=identification ;;
        identification.json) k=identificationjson ;;
        duplicates.csv) k=duplicates ;;
        unique.tsv) k=unique ;;
        agreement-*.json) k=agreement ;;
        final-*.csv) k=final ;;
        included.jsonl) k=included ;;
        codebook.json) k=codebook ;;
        charted.csv) k=charted ;;
        reported_in_paper.json) k=reported ;;
        *.csv) case $f in */other-sources/*|other-sources/*) k=other ;; *) echo "counts: $f: not an input this step knows" >&2; exit 2 ;; esac ;;
        *) echo "counts: $f: not an input this step knows" >&2; exit 2 ;;
    esac
    files="$files
kind=$k
$f"
done
set -f
old_ifs=$IFS
IFS='
'
set -- $files
IFS=$old_ifs
set +f

awk -v phases="$phases" -v prisma="$prisma" -v tables="$tables" -v comparison="$comparison" '
function fail(msg) { printf "counts: %s\n", msg > "/dev/stderr"; failed = 1; exit 2 }
function where() { return FILENAME ":" FNR }
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
function base(p) { sub(/.*\//, "", p); return p }
function jstr(line, key,   s) {   # "key": "value" with \" escapes
    if (!match(line, "\"" key "\": *\"([^\"\\\\]|\\\\.)*\"")) return ""
    s = substr(line, RSTART, RLENGTH); sub(/^"[^"]*": *"/, "", s); sub(/"$/, "", s); gsub(/\\"/, "\"", s); return s
}
function pct(n, d) { return d > 0 ? sprintf("%.1f", 100 * n / d) : "NA" }
function put(id, label, n) { np_++; pid[np_] = id; plabel[np_] = label; pn[np_] = n; derived[id] = n }
BEGIN {
    nph = split(phases, phase, ",")
    for (i = 1; i <= nph; i++) phaseindex[phase[i]] = i
}
FNR == 1 { sub(/^\357\273\277/, "") }
{ sub(/\r$/, "") }
kind == "identification" {
    if (FNR == 1) { if ($0 != "file,database,format,records") fail(where() ": not an identification.csv header"); next }
    n = csvsplit($0, v); nid++; idfile[nid] = v[1]; iddb[nid] = v[2]; idn[nid] = v[4] + 0; identified += v[4]; next
}
kind == "identificationjson" {
    # identification.json as records/import writes it: sorted keys, one key per line; in "files", each
    # object ends with its "skipped" line.
    if ($0 ~ /^  "files": \[/) { infiles = 1; next }
    if (infiles && $0 ~ /^  \]/) { infiles = 0; next }
    if (!infiles) next
    if (match($0, /"database": ".*"/)) { jdb = substr($0, RSTART + 13, RLENGTH - 14); next }
    if (match($0, /"file": ".*"/)) { jfile = substr($0, RSTART + 9, RLENGTH - 10); sub(/.*\//, "", jfile); next }
    if (match($0, /"records": [0-9]+/)) { jn = substr($0, RSTART + 11, RLENGTH - 11) + 0; next }
    if ($0 ~ /"skipped": [0-9]+/) { nid++; idfile[nid] = jfile; iddb[nid] = jdb; idn[nid] = jn; identified += jn; next }
    next
}
kind == "unique" { if (FNR > 1 && $0 != "") nunique++; next }
kind == "duplicates" {
    if (FNR == 1) { if ($0 != "cluster,record_id,source_id,status,match,score") fail(where() ": not a duplicates.csv header"); hasdup = 1; next }
    n = csvsplit($0, v); if (v[4] == "removed") removed++; next
}
kind == "agreement" {
    # agreement-<phase>.json as screening/agreement writes it: sorted keys, one key per line.
    if (match($0, /"n": [0-9]+/)) agnum = substr($0, RSTART + 5, RLENGTH - 5) + 0
    if (match($0, /"phase": "[a-z0-9]+"/)) agn[substr($0, RSTART + 10, RLENGTH - 11)] = agnum
    next
}
kind == "final" {
    if (FNR == 1) {
        ph = base(FILENAME); sub(/^final-/, "", ph); sub(/\.csv$/, "", ph)
        if (!(ph in phaseindex)) fail(FILENAME ": phase " ph " is not one of " phases)
        if ($0 != "record_id,decision,reason,basis,source") fail(where() ": not a final-<phase>.csv header")
        seenphase[ph] = 1; next
    }
    n = csvsplit($0, v); assessed[ph]++
    if (v[2] == "include") kept[ph]++
    else { excluded[ph]++; r = (v[3] == "" ? "no-reason-given" : v[3]); exr[ph, r]++; if (!((ph SUBSEP r) in exseen)) { exseen[ph, r] = 1; nexr[ph]++; exlist[ph, nexr[ph]] = r } }
    next
}
kind == "included" {
    # included.jsonl: canonical records; a database record has source.database, a study from other sources
    # keeps its other-sources row in raw (["source","<kind>"] first).
    if ($0 == "") next
    ninc++
    if ($0 ~ /"source":\{"database":/) incdb++
    else { incother++; if (match($0, /"raw":\[\["source","[a-z0-9-]+"/)) onlyother[substr($0, RSTART + 18, RLENGTH - 19)]++ }
    next
}
kind == "other" {
    if (FNR == 1) { if ($0 != "source,authors,year,title") fail(where() ": not an other-sources header"); next }
    if ($0 == "") next
    n = csvsplit($0, v); other[v[1]]++; nother++; next
}
kind == "codebook" {
    if ($0 !~ /"name": */) next
    name = jstr($0, "name"); type = jstr($0, "type"); nv_++; vname[nv_] = name; vtype[name] = type
    if (match($0, /"allowed": *\[[^]]*\]/)) {
        a = substr($0, RSTART, RLENGTH); sub(/^"allowed": *\[/, "", a); sub(/\]$/, "", a)
        na = split(a, al, ","); nall[name] = na
        for (j = 1; j <= na; j++) { x = al[j]; gsub(/^[ "]+|[ "]+$/, "", x); allowed[name, j] = x }
    }
    next
}
kind == "charted" {
    n = csvsplit($0, v)
    if (FNR == 1) { for (j = 1; j <= n; j++) col[v[j]] = j; ncol = n; if (!("record_id" in col)) fail(where() ": not a charted.csv header"); next }
    if (n != ncol) fail(where() ": " n " fields where the header has " ncol)
    nch++
    for (j = 1; j <= n; j++) cell[nch, j] = v[j]
    next
}
kind == "reported" {
    if ($0 !~ /"id": */) next
    id = jstr($0, "id"); if (id == "") fail(where() ": a figure without an id")
    if (!match($0, /"value": *-?[0-9]+(\.[0-9]+)?/)) fail(where() ": figure " id " has no numeric value")
    val = substr($0, RSTART, RLENGTH); sub(/^"value": */, "", val)
    nr++; rid[nr] = id; rlabel[nr] = jstr($0, "label"); rval[nr] = val
    next
}
END {
    if (failed) exit 2
    for (i = 1; i <= nph; i++) if (!(phase[i] in seenphase)) fail("no final-" phase[i] ".csv among the inputs")
    if (nch != ninc) fail("charted.csv has " nch " studies, included.jsonl " ninc)
    if (hasdup && removed + nunique != identified) fail("duplicates.csv removes " removed " records, but " identified " identified - " nunique " unique = " identified - nunique)

    # ---- PRISMA counts
    for (i = 1; i <= nid; i++) { s = idfile[i]; sub(/\.[^.]*$/, "", s); put("identification." s, "Records identified: " idfile[i] " (" iddb[i] ")", idn[i]) }
    put("identification.total", "Records identified from databases", identified)
    put("identification.duplicates_removed", "Duplicate records removed", identified - nunique)
    put("identification.unique", "Records after duplicates removed", nunique)
    for (i = 1; i <= nph; i++) {
        ph = phase[i]
        put("screening." ph ".assessed", "Records assessed in phase " ph, assessed[ph] + 0)
        put("screening." ph ".excluded", "Records excluded in phase " ph, excluded[ph] + 0)
        # reasons in alphabetical order
        for (a = 1; a <= nexr[ph]; a++) srt[a] = exlist[ph, a]
        for (a = 2; a <= nexr[ph]; a++) { x = srt[a]; for (b = a - 1; b >= 1 && srt[b] > x; b--) srt[b + 1] = srt[b]; srt[b + 1] = x }
        for (a = 1; a <= nexr[ph]; a++) put("screening." ph ".excluded." srt[a], "Records excluded in phase " ph ": " srt[a], exr[ph, srt[a]])
        put("screening." ph ".included", "Records included in phase " ph, kept[ph] + 0)
    }
    split("reference-list expert scanning", os, " ")
    for (i = 1; i <= 3; i++) put("other_sources." os[i], "Studies identified via " os[i], other[os[i]] + 0)
    for (i = 1; i <= 3; i++) put("other_sources." os[i] ".also_in_databases", "Of which also records of the database searches: " os[i], other[os[i]] - onlyother[os[i]])
    put("included.from_databases", "Studies included from the database searches", incdb + 0)
    put("included.from_other_sources_only", "Studies included only through other sources", incother + 0)
    put("included.total", "Studies included", ninc + 0)
    print "id,label,n" > prisma
    for (i = 1; i <= np_; i++) print csv(pid[i]) "," csv(plabel[i]) "," pn[i] > prisma
    close(prisma)

    # ---- tables
    tot = nch
    for (vi = 1; vi <= nv_; vi++) {
        name = vname[vi]
        if (name == "record_id" || !(name in col)) continue
        if (vtype[name] != "category" && name != "year" && name != "country") continue
        c = col[name]; split("", cnt); split("", order); no = 0
        for (r = 1; r <= nch; r++) {
            m = split(cell[r, c], xs, ";")
            for (j = 1; j <= m; j++) { x = xs[j]; if (!(x in cnt)) order[++no] = x; cnt[x]++ }
        }
        out = tables "/" name ".csv"
        print "value,n,percent" > out
        if (vtype[name] == "category") {
            for (j = 1; j <= nall[name]; j++) { x = allowed[name, j]; print csv(x) "," (cnt[x] + 0) "," pct(cnt[x] + 0, tot) > out; derived[name "." x] = cnt[x] + 0; derivedp[name "." x] = cnt[x] + 0 }
        } else {
            # year ascending; country by n descending, then name
            for (a = 2; a <= no; a++) { x = order[a]; for (b = a - 1; b >= 1 && (name == "year" ? order[b] > x : (cnt[order[b]] < cnt[x] || (cnt[order[b]] == cnt[x] && order[b] > x))); b--) order[b + 1] = order[b]; order[b + 1] = x }
            for (j = 1; j <= no; j++) print csv(order[j]) "," cnt[order[j]] "," pct(cnt[order[j]], tot) > out
        }
        close(out)
    }
    # cross table main_focus x role_type
    if (("main_focus" in col) && ("role_type" in col)) {
        out = tables "/main_focus-by-role_type.csv"
        h = "role_type"; for (j = 1; j <= nall["main_focus"]; j++) h = h "," allowed["main_focus", j]; print h ",total" > out
        for (i = 1; i <= nall["role_type"]; i++) {
            rt = allowed["role_type", i]; line = csv(rt); rowt = 0
            for (j = 1; j <= nall["main_focus"]; j++) {
                mf = allowed["main_focus", j]; n = 0
                for (r = 1; r <= nch; r++) if (cell[r, col["role_type"]] == rt && cell[r, col["main_focus"]] == mf) n++
                line = line "," n; rowt += n; cross[rt, mf] = n
            }
            print line "," rowt > out
        }
        close(out)
    }
    out = tables "/exclusion-reasons.csv"
    print "phase,reason,n" > out
    for (i = 1; i <= nph; i++) for (a = 1; a <= np_; a++) if (pid[a] ~ "^screening\\." phase[i] "\\.excluded\\.") { x = pid[a]; sub(/^.*\.excluded\./, "", x); print phase[i] "," x "," pn[a] > out }
    close(out)

    # ---- derived figures in the paper'"'"'s terms
    p1 = phase[1]; p2 = (nph >= 2) ? phase[2] : ""
    derived["search.databases"] = nid
    derived["screening.records_screened"] = assessed[p1] + 0
    if (p2 != "") { derived["screening.fulltext_assessed"] = assessed[p2] + 0; derived["screening.fulltext_excluded"] = assessed[p2] - incdb }
    if ((p1 in agn) && assessed[p1] > 0) derived["screening.second_reviewer_percent"] = sprintf("%.1f", 100 * agn[p1] / assessed[p1])
    derived["included.total"] = ninc
    for (i = 1; i <= 3; i++) derived["other_sources." os[i]] = other[os[i]] + 0
    if ("year" in col) { n = 0; for (r = 1; r <= nch; r++) if (cell[r, col["year"]] + 0 >= 2017) n++; derived["year.last_5_years"] = n }
    if ("service_cycle" in col) {
        n = 0; for (r = 1; r <= nch; r++) if (cell[r, col["service_cycle"]] ~ /co-commissioning|co-design/) n++
        derived["service_cycle.co-creation"] = n; derived["service_cycle.co-production-only"] = nch - n
    }
    if ("multidisciplinary" in col) derived["multidisciplinary.total"] = derived["multidisciplinary.environment"] + derived["multidisciplinary.team"]
    if (("main_focus" in col) && ("role_type" in col)) {
        split("pre-determined-services peer-support co-creation-partner", rts, " ")
        for (i = 1; i <= 3; i++) derived["outcomes_by_role." rts[i]] = cross[rts[i], "outcomes"] + 0
        split("implementation peer-worker-qualities outcomes", mfs, " ")
        for (i = 1; i <= 3; i++) { derived["peer_support_focus." mfs[i]] = cross["peer-support", mfs[i]] + 0; base_["peer_support_focus." mfs[i]] = derived["role_type.peer-support"] }
        if ("study_design" in col) {
            nq = 0; nl = 0
            for (r = 1; r <= nch; r++) if (cell[r, col["role_type"]] == "peer-support" && cell[r, col["main_focus"]] == "outcomes") {
                d = cell[r, col["study_design"]]
                if (d ~ /^(randomised-trial|trial|quasi-experimental|quantitative)$/) nq++; else if (d ~ /^(qualitative|case-study)$/) nl++
            }
            derived["peer_support_outcomes.quantitative"] = nq; derived["peer_support_outcomes.qualitative"] = nl
        }
    }
    print "id,label,reported,derived,difference" > comparison
    for (i = 1; i <= nr; i++) {
        id = rid[i]; d = "NA"
        if (id ~ /\.percent$/) {
            b = id; sub(/\.percent$/, "", b)
            den = (b in base_) ? base_[b] : nch
            dec = (rval[i] ~ /\./) ? length(rval[i]) - index(rval[i], ".") : 1
            if ((b in derived) && den > 0) d = sprintf("%." dec "f", 100 * derived[b] / den)
        } else if (id in derived) d = derived[id]
        diff = (d == "NA") ? "NA" : ((d ~ /\./ || rval[i] ~ /\./) ? sprintf("%.2f", d - rval[i]) : d - rval[i])
        print csv(id) "," csv(rlabel[i]) "," rval[i] "," d "," diff > comparison
    }
    close(comparison)
}
' "$@"

# One summary line (and counts) for the trail commit, when the runner asks for it.
if [ -n "${REVIEW_SUMMARY:-}" ]; then
    i=$(awk -F, '$1 == "included.total" { print $NF }' "$prisma")
    t=$(ls "$tables" | wc -l)
    printf '%s studies in the flow counts, %d tables\nincluded=%s\ntables=%d\n' "$i" "$t" "$i" "$t" > "$REVIEW_SUMMARY"
fi
