#!/bin/sh
# Stand-in for the built-in screening steps (agreement + decisions) of 3-selection/screen.
#
#   sh screen.sh PHASES FIRST SECOND INPUT... -- OUTPUT...
#
# PHASES  the selection phases in the order they run, comma-separated (abstract,fulltext,final)
# FIRST   the reviewer who screens every record of a phase; SECOND the one who screens the sample
# INPUT   recognised by name: unique.tsv (2-search), reasons.txt (one reason id per line), sample.csv
#         (phase,rank,record_id,key), decisions/<phase>-<reviewer>.csv (record_id,decision,reason,note),
#         resolutions/<phase>.csv (record_id,decision,note), other-sources/*.csv (source,authors,year,title)
# OUTPUT  recognised by name: agreement-<phase>.csv and final-<phase>.csv for every phase, included.tsv
#
# Rules. The first phase screens every unique record; each later phase screens exactly the records the
# phase before included. FIRST decides every record of a phase, SECOND exactly that phase's sample.
# A record needs a resolution when the two reviewers disagree or FIRST answered "maybe"; the resolution
# decides it. Decisions are include|exclude|maybe; a reason must be one of reasons.txt, is required for
# every exclusion after the first phase and is not allowed with include. Other-sources rows are matched
# to unique records by normalised title and year; a match must be an included record (it then also
# counts as identified through that source); an unmatched row is an included study of its own, with the
# id <file-stem>:<n>.
# Writes agreement-<phase>.csv (phase,population,reviewer_a,reviewer_b,n,agreements,conflicts,
# percent_agreement,cohen_kappa,resolutions), final-<phase>.csv (record_id,decision,reason,source with
# source first|agreed|resolution), included.tsv (record_id,identified_via,databases,authors,year,title,
# journal,doi). Exit 2 on bad input (unknown record, unknown reason, missing decision...), exit 1 when a
# conflict has no resolution; the message on stderr names file, line and record.
set -eu
export LC_ALL=C

usage() { echo "usage: sh screen.sh PHASES FIRST SECOND INPUT... -- OUTPUT..." >&2; exit 2; }
[ $# -ge 5 ] || usage
phases=$1 first=$2 second=$3
shift 3
for id in $(printf '%s' "$phases" | tr ',' ' ') "$first" "$second"; do
    case $id in ''|*[!a-z0-9]*) echo "screen: \"$id\" is not a phase or reviewer id ([a-z0-9]+)" >&2; exit 2 ;; esac
done

unique= reasons= sample= decisions= resolutions= others=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case $1 in
        *=*) echo "screen: $1: file names with '=' are not supported" >&2; exit 2 ;;
    esac
    [ -f "$1" ] || { echo "screen: $1: no such file" >&2; exit 2; }
    case $1 in
        */decisions/*.csv|decisions/*.csv) decisions="$decisions
$1" ;;
        */resolutions/*.csv|resolutions/*.csv) resolutions="$resolutions
$1" ;;
        */other-sources/*.csv|other-sources/*.csv) others="$others
$1" ;;
        *unique.tsv) unique=$1 ;;
        *reasons.txt) reasons=$1 ;;
        *sample.csv) sample=$1 ;;
        *) echo "screen: $1: not an input this step knows (see the header of screen.sh)" >&2; exit 2 ;;
    esac
    shift
done
[ $# -gt 1 ] && [ "$1" = "--" ] || usage
shift
[ -n "$unique" ] && [ -n "$reasons" ] && [ -n "$sample" ] || { echo "screen: unique.tsv, reasons.txt and sample.csv are required inputs" >&2; exit 2; }
SCREEN_OUTPUTS=$(printf '%s\n' "$@")
export SCREEN_OUTPUTS

# Build the awk operand list: kind=<kind> before each group of files (IFS: newline only).
set -f
old_ifs=$IFS
IFS='
'
set -- kind=unique "$unique" kind=reasons "$reasons" kind=sample "$sample" kind=decision $decisions kind=resolution $resolutions kind=other $others
IFS=$old_ifs
set +f

awk -v phases="$phases" -v first="$first" -v second="$second" '
function fail(msg, code) { printf "screen: %s\n", msg > "/dev/stderr"; failed = (code ? code : 2); exit failed }
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
function normtitle(t) { t = tolower(t); gsub(/[^a-z0-9]/, "", t); return t }
function base(p) { sub(/.*\//, "", p); return p }
BEGIN {
    FS = "\t"
    np = split(phases, phase, ",")
    for (i = 1; i <= np; i++) phaseindex[phase[i]] = i
    no = split(ENVIRON["SCREEN_OUTPUTS"], outs, "\n")
    for (i = 1; i <= no; i++) { if (outs[i] == "") continue; b = base(outs[i]); if (b in out) fail("two outputs named " b); out[b] = outs[i] }
    for (i = 1; i <= np; i++) {
        if (!(("agreement-" phase[i] ".csv") in out)) fail("no output agreement-" phase[i] ".csv given")
        if (!(("final-" phase[i] ".csv") in out)) fail("no output final-" phase[i] ".csv given")
    }
    if (!("included.tsv" in out)) fail("no output included.tsv given")
    for (b in out) if (b != "included.tsv" && b !~ /^(agreement|final)-[a-z0-9]+\.csv$/) fail("output " b " is not one this step writes")
}
FNR == 1 { sub(/^\357\273\277/, "") }
{ sub(/\r$/, "") }
# ---- unique records
kind == "unique" {
    if (FNR == 1) { if ($1 != "id" || $9 != "title") fail(where() ": not a unique.tsv header"); for (i = 1; i <= NF; i++) ucol[$i] = i; next }
    nu++; uid[nu] = $1; known[$1] = nu
    urow[$1] = $(ucol["authors"]) "\t" $(ucol["year"]) "\t" $(ucol["title"]) "\t" $(ucol["journal"]) "\t" $(ucol["doi"])
    udb[$1] = ("databases" in ucol) ? $(ucol["databases"]) : $(ucol["database"])
    k = normtitle($(ucol["title"])) "|" $(ucol["year"]); if (!(k in bytitle)) bytitle[k] = $1
    next
}
# ---- reasons
kind == "reasons" {
    if ($0 ~ /^[ \t]*$/) next
    if ($0 !~ /^[a-z0-9][a-z0-9-]*$/) fail(where() ": \"" $0 "\" is not a reason id ([a-z0-9-], one per line)")
    reason[$0] = 1; next
}
# ---- sample
kind == "sample" {
    if (FNR == 1) { if ($0 != "phase,rank,record_id,key") fail(where() ": header must be phase,rank,record_id,key"); next }
    if ($0 ~ /^[ \t]*$/) next
    n = csvsplit($0, v)
    if (!(v[1] in phaseindex)) fail(where() ": unknown phase " v[1])
    if (!(v[3] in known)) fail(where() ": unknown record " v[3])
    if ((v[1] SUBSEP v[3]) in sampled) fail(where() ": record " v[3] " sampled twice")
    sampled[v[1], v[3]] = 1; nsample[v[1]]++
    next
}
# ---- decisions/<phase>-<reviewer>.csv
kind == "decision" {
    if (FNR == 1) {
        b = base(FILENAME); sub(/\.csv$/, "", b)
        if (b !~ /^[a-z0-9]+-[a-z0-9]+$/) fail(FILENAME ": name must be <phase>-<reviewer>.csv")
        ph = b; sub(/-.*/, "", ph); rv = b; sub(/^[^-]*-/, "", rv)
        if (!(ph in phaseindex)) fail(FILENAME ": unknown phase \"" ph "\" (phases: " phases ")")
        if (rv != first && rv != second) fail(FILENAME ": unknown reviewer \"" rv "\" (reviewers: " first ", " second ")")
        hasfile[ph, rv] = 1
        if ($0 != "record_id,decision,reason,note") fail(where() ": header must be record_id,decision,reason,note")
        next
    }
    if ($0 ~ /^[ \t]*$/) next
    n = csvsplit($0, v)
    if (n < 0) fail(where() ": unbalanced quotes")
    if (n != 4) fail(where() ": " n " fields where record_id,decision,reason,note has 4")
    r = v[1]; d = v[2]; rs = v[3]
    if (!(r in known)) fail(where() ": unknown record id \"" r "\" (not a record of unique.tsv: a removed duplicate, or a typo)")
    if ((ph SUBSEP rv SUBSEP r) in dec) fail(where() ": record " r " is decided twice")
    if (d != "include" && d != "exclude" && d != "maybe") fail(where() ": decision \"" d "\" for " r " is not include, exclude or maybe")
    if (rs != "" && !(rs in reason)) fail(where() ": unknown reason \"" rs "\" for " r " (reasons.txt lists the allowed ids)")
    if (d == "include" && rs != "") fail(where() ": record " r " is included but has the reason " rs)
    if (d == "exclude" && rs == "" && phaseindex[ph] > 1) fail(where() ": record " r " is excluded in phase " ph " without a reason")
    dec[ph, rv, r] = d; why[ph, rv, r] = rs; ndec[ph, rv]++
    next
}
# ---- resolutions/<phase>.csv
kind == "resolution" {
    if (FNR == 1) {
        ph = base(FILENAME); sub(/\.csv$/, "", ph)
        if (!(ph in phaseindex)) fail(FILENAME ": unknown phase \"" ph "\" (phases: " phases ")")
        if ($0 != "record_id,decision,note") fail(where() ": header must be record_id,decision,note")
        next
    }
    if ($0 ~ /^[ \t]*$/) next
    n = csvsplit($0, v)
    if (n != 3) fail(where() ": " n " fields where record_id,decision,note has 3")
    if (!(v[1] in known)) fail(where() ": unknown record id \"" v[1] "\"")
    if ((ph SUBSEP v[1]) in res) fail(where() ": record " v[1] " is resolved twice")
    if (v[2] != "include" && v[2] != "exclude") fail(where() ": a resolution decides include or exclude, not \"" v[2] "\"")
    res[ph, v[1]] = v[2]; resline[ph, v[1]] = where()
    next
}
# ---- other-sources/*.csv
kind == "other" {
    if (FNR == 1) {
        ostem = base(FILENAME); sub(/\.[^.]*$/, "", ostem); on = 0
        if ($0 != "source,authors,year,title") fail(where() ": header must be source,authors,year,title")
        next
    }
    if ($0 ~ /^[ \t]*$/) next
    n = csvsplit($0, v)
    if (n != 4) fail(where() ": " n " fields where source,authors,year,title has 4")
    if (v[1] != "reference-list" && v[1] != "expert" && v[1] != "scanning") fail(where() ": source \"" v[1] "\" is not reference-list, expert or scanning")
    if (v[3] !~ /^[0-9][0-9][0-9][0-9]$/) fail(where() ": year \"" v[3] "\" is not a year")
    on++; no_++; oid[no_] = ostem ":" on; osrc[no_] = v[1]; oau[no_] = v[2]; oyear[no_] = v[3]; otitle[no_] = v[4]; oline[no_] = where()
    next
}
END {
    if (failed) exit failed
    # population of the first phase: every unique record
    npop = 0
    for (i = 1; i <= nu; i++) { pop[++npop] = uid[i]; inpop[uid[i]] = 1 }
    for (p = 1; p <= np; p++) {
        ph = phase[p]
        if (!((ph SUBSEP first) in hasfile)) fail("no decisions/" ph "-" first ".csv: " first " screens every record of each phase")
        # FIRST decided exactly the population
        for (i = 1; i <= npop; i++) if (!((ph SUBSEP first SUBSEP pop[i]) in dec)) fail("decisions/" ph "-" first ".csv: no decision for record " pop[i] ", one of the " npop " records of phase " ph)
        if (ndec[ph, first] != npop) {
            for (k in dec) { split(k, kk, SUBSEP); if (kk[1] == ph && kk[2] == first && !(kk[3] in inpop)) fail("decisions/" ph "-" first ".csv: record " kk[3] " is not in phase " ph " (it was not included in the phase before)") }
        }
        # SECOND decided exactly the sample
        ns = 0
        for (i = 1; i <= npop; i++) if ((ph SUBSEP pop[i]) in sampled) ns++
        if (ns != nsample[ph] + 0) fail("sample.csv: the sample of phase " ph " holds records that are not in the phase (re-run the sample step)")
        if (ns > 0 && !((ph SUBSEP second) in hasfile)) fail("no decisions/" ph "-" second ".csv for the " ns " sampled records of phase " ph)
        for (i = 1; i <= npop; i++) if (((ph SUBSEP pop[i]) in sampled) && !((ph SUBSEP second SUBSEP pop[i]) in dec)) fail("decisions/" ph "-" second ".csv: no decision for the sampled record " pop[i])
        if (ndec[ph, second] + 0 != ns) {
            for (k in dec) { split(k, kk, SUBSEP); if (kk[1] == ph && kk[2] == second && !((ph SUBSEP kk[3]) in sampled)) fail("decisions/" ph "-" second ".csv: record " kk[3] " is not in the sample of phase " ph) }
        }
        for (k in res) { split(k, kk, SUBSEP); if (kk[1] == ph && !(kk[2] in inpop)) fail(resline[k] ": record " kk[2] " is not in phase " ph) }
        # decide
        n = 0; agree = 0; nres = 0
        split("", ca); split("", cb)
        fo = out["final-" ph ".csv"]
        printf "record_id,decision,reason,source\n" > fo
        npop2 = 0; split("", next_)
        for (i = 1; i <= npop; i++) {
            r = pop[i]; fd = dec[ph, first, r]; fr = why[ph, first, r]
            s = ((ph SUBSEP r) in sampled); sd = s ? dec[ph, second, r] : ""
            if (s) { n++; ca[fd]++; cb[sd]++; if (fd == sd) agree++ }
            conflict = (s && fd != sd) || fd == "maybe"
            if (conflict && !((ph SUBSEP r) in res)) fail("record " r " in phase " ph ": " (fd == "maybe" ? first " answered maybe" : first " says " fd ", " second " says " sd) "; add a line to resolutions/" ph ".csv", 1)
            if (!conflict && ((ph SUBSEP r) in res)) fail(resline[ph, r] ": record " r " has no disagreement to resolve in phase " ph)
            if (conflict) {
                final = res[ph, r]; source = "resolution"; nres++
                fr = (fd == final) ? why[ph, first, r] : ((s && sd == final) ? why[ph, second, r] : "")
                if (final == "exclude" && fr == "" && p > 1) fail(resline[ph, r] ": record " r " is excluded by resolution in phase " ph " but neither reviewer gave a reason")
            } else { final = fd; source = s ? "agreed" : "first" }
            printf "%s,%s,%s,%s\n", r, final, (final == "exclude" ? fr : ""), source > fo
            if (final == "include") next_[++npop2] = r
        }
        close(fo)
        # agreement (Cohen kappa over include / exclude / maybe)
        pe = 0
        if (n > 0) { pe = (ca["include"] * cb["include"] + ca["exclude"] * cb["exclude"] + ca["maybe"] * cb["maybe"]) / (n * n) }
        kappa = (n == 0) ? "NA" : ((pe == 1) ? "NA" : sprintf("%.3f", (agree / n - pe) / (1 - pe)))
        pct = (n == 0) ? "NA" : sprintf("%.1f", 100 * agree / n)
        ao = out["agreement-" ph ".csv"]
        printf "phase,population,reviewer_a,reviewer_b,n,agreements,conflicts,percent_agreement,cohen_kappa,resolutions\n" > ao
        printf "%s,%d,%s,%s,%d,%d,%d,%s,%s,%d\n", ph, npop, first, second, n, agree, n - agree, pct, kappa, nres > ao
        close(ao)
        split("", pop); split("", inpop)
        for (i = 1; i <= npop2; i++) { pop[i] = next_[i]; inpop[next_[i]] = 1 }
        npop = npop2
    }
    # other sources
    for (i = 1; i <= no_; i++) {
        k = normtitle(otitle[i]) "|" oyear[i]
        if (k in bytitle) {
            r = bytitle[k]
            if (!(r in inpop)) fail(oline[i] ": this " osrc[i] " study is record " r ", which the screening did not include; settle the contradiction")
            via[r] = via[r] ";" osrc[i]
        } else { extra[++nextra] = i }
    }
    io = out["included.tsv"]
    printf "record_id\tidentified_via\tdatabases\tauthors\tyear\ttitle\tjournal\tdoi\n" > io
    for (i = 1; i <= npop; i++) {
        r = pop[i]; split(urow[r], f, "\t")
        printf "%s\tdatabases%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r, via[r], udb[r], f[1], f[2], f[3], f[4], f[5] > io
    }
    for (j = 1; j <= nextra; j++) {
        i = extra[j]
        printf "%s\t%s\t\t%s\t%s\t%s\t\t\n", oid[i], osrc[i], oau[i], oyear[i], otitle[i] > io
    }
}
' "$@"

# One summary line (and counts) for the trail commit, when the runner asks for it.
if [ -n "${REVIEW_SUMMARY:-}" ]; then
    inc=$(printf '%s\n' "$SCREEN_OUTPUTS" | grep 'included\.tsv$' | head -n 1)
    first_phase=$(printf '%s' "$phases" | cut -d, -f1)
    scr=$(printf '%s\n' "$SCREEN_OUTPUTS" | grep "final-$first_phase\.csv\$" | head -n 1)
    i=$(($(wc -l < "$inc") - 1)) s=$(($(wc -l < "$scr") - 1))
    printf '%d records screened, %d studies included\nscreened=%d\nincluded=%d\n' "$s" "$i" "$s" "$i" > "$REVIEW_SUMMARY"
fi
