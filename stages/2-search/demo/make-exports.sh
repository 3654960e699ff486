#!/bin/sh
# Builds the three demo search exports of stages/2-search/exports/ from reference-list.tsv, the
# transcription of seed 001's reference list. This is NOT a workflow step: it was run once, by hand,
# to make the hand-made inputs, and is kept so that anyone can see (and redo) how they were made:
#
#   sh stages/2-search/demo/make-exports.sh stages/2-search/demo/reference-list.tsv stages/2-search/exports
#
# Which database "returned" which reference is demo data, decided by the deterministic rule below
# (see stages/2-search/DATA.md). Every field written comes from reference-list.tsv; fields the seed
# does not give (abstracts, PMIDs, accession numbers, UT, EID, citation counts...) are left out or empty.
# POSIX sh + awk (mawk); no other tools but sort.
set -eu
export LC_ALL=C

if [ $# -ne 2 ] || [ ! -f "$1" ] || [ ! -d "$2" ]; then
    echo "usage: sh make-exports.sh reference-list.tsv OUTDIR" >&2
    exit 2
fi
list=$1
out=$2

awk -F '\t' '
# Journals outside MEDLINE'"'"'s biomedical scope in this demo (public administration, management,
# sociology): their references are not put in the MEDLINE export. A simplification, not a claim
# about real indexing.
BEGIN {
    split("Public Administration Review|Public Management Review|Public Administration|Administration & Society|Policy & Politics|International Journal of Public Sector Management|International Journal of Public Administration|Public Performance & Management Review|The American Review of Public Administration|British Journal of Management|International Journal of Social Research Methodology|The International Journal of Human Resource Management|Social Service Review|Current Sociology|Disability & Society", j, "|")
    for (i in j) nonmed[j[i]] = 1
    NL = "\001"
}
NR == 1 { next }
{
    n = $1 + 0; type = $2; authors = $3; year = substr($4, 1, 4); title = $5; src = $6
    vol = $7; iss = $8; gsub(/\342\200\223/, "-", iss)   # en dash in "1–2" -> hyphen
    sp = $9; ep = $10; art = $11; doi = $12; url = $13; pub = $14; eds = $15

    if (type == "RPRT") dbs = "medline"
    else if (type != "JOUR") dbs = (doi != "") ? "scopus wos" : ((n % 2 == 1) ? "scopus" : "wos")
    else {
        m = n % 5
        if (m == 0 || m == 3) dbs = "medline scopus wos"
        else if (m == 1) dbs = "medline scopus"
        else if (m == 2) dbs = "scopus wos"
        else { k = int(n / 5) % 3; dbs = (k == 0) ? "medline" : ((k == 1) ? "scopus" : "wos") }
        if (src in nonmed) { sub(/medline ?/, "", dbs); if (dbs == "") dbs = "scopus" }
    }
    na = split(authors, au, /; /)
    if (dbs ~ /medline/) print "medline\t" sprintf("%04d", n) "\t" ris()
    if (dbs ~ /scopus/)  print "scopus\t" sprintf("%04d", 9999 - year) sprintf("%04d", n) "\t" scopus()
    if (dbs ~ /wos/)     print "wos\t" sprintf("%04d", year) sprintf("%04d", n) "\t" wos()
}
function fold(s) {   # MEDLINE writes author names without diacritics
    gsub(/\303\205/, "A", s); gsub(/\303\241/, "a", s); gsub(/\303\244/, "a", s); gsub(/\303\251/, "e", s)
    gsub(/\303\270/, "o", s); gsub(/\303\246/, "ae", s); gsub(/\304\207/, "c", s)
    return s
}
function abbrev(a, b,   pa, pb, da, db, i) {   # MEDLINE page ranges: 475-480 -> 475-80, S258-S266 -> S258-66
    if (b == "") return a
    pa = a; pb = b; sub(/[0-9]+$/, "", pa); sub(/[0-9]+$/, "", pb)
    da = substr(a, length(pa) + 1); db = substr(b, length(pb) + 1)
    if (pa != pb || length(da) != length(db)) return a "-" b
    for (i = 1; i < length(db) && substr(da, i, 1) == substr(db, i, 1); i++) ;
    return a "-" substr(db, i)
}
function sentence(t,   out, p, w) {   # MEDLINE-style title: lower-case the word after ": " when it is a plain capitalised word
    out = ""
    while ((p = index(t, ": ")) > 0) {
        out = out substr(t, 1, p + 1); t = substr(t, p + 2)
        if (match(t, /^[A-Z][a-z]*[ ,]/)) t = tolower(substr(t, 1, 1)) substr(t, 2)
    }
    t = out t
    if (t !~ /[.?!]$/) t = t "."
    return t
}
function ris(   s, i, ty, so) {
    ty = type
    s = "TY  - " ty NL "DB  - Ovid MEDLINE(R) ALL" NL
    for (i = 1; i <= na; i++) s = s "AU  - " fold(au[i]) NL
    s = s "TI  - " sentence(title) NL
    if (type == "JOUR") {
        so = ""
        if (vol != "") so = so vol
        if (iss != "") so = so "(" iss ")"
        if (sp != "" || art != "") so = so ":" (art != "" ? art : abbrev(sp, ep))
        so = src ". " (so != "" ? so ", " : "") year "."
        s = s "SO  - " so NL "JF  - " src NL
    }
    if (vol != "") s = s "VL  - " vol NL
    if (iss != "") s = s "IS  - " iss NL
    if (art != "") s = s "SP  - " art NL
    else if (sp != "") s = s "SP  - " abbrev(sp, ep) NL
    s = s "PY  - " year NL
    if (pub != "") s = s "PB  - " pub NL
    if (doi != "") s = s "DO  - https://dx.doi.org/" doi NL
    if (url != "") s = s "UR  - " url NL
    return s "ER  - " NL
}
function isreview(   t) {   # document type "Review" only where the title or the source says so
    t = tolower(title)
    return (t ~ /(systematic|literature|narrative|scoping) review|review of (the )?(literature|evidence)|meta-analysis|metasynthesis/ || src ~ /Cochrane/) && t !~ /protocol|prisma/
}
function q(v) { gsub(/"/, "\"\"", v); return "\"" v "\"" }
function scopus(   a, i, dt, pc, eid, link) {
    a = ""
    for (i = 1; i <= na; i++) { x = au[i]; gsub(/\. /, ".", x); a = a (i > 1 ? "; " : "") x }
    if (type == "BOOK") dt = "Book"
    else if (type == "CHAP") dt = "Book chapter"
    else if (type == "RPRT") dt = "Report"
    else if (isreview()) dt = "Review"
    else dt = "Article"
    pc = (sp ~ /^[0-9]+$/ && ep ~ /^[0-9]+$/) ? ep - sp + 1 : ""
    eid = ""; link = ""
    if (url ~ /scopus\.com/) { link = url; eid = url; sub(/.*eid=/, "", eid); sub(/&.*/, "", eid) }
    return q(a) "," q(title) "," q(year) "," q(type == "CHAP" ? src : (type == "JOUR" ? src : "")) "," q(vol) "," q(iss) "," q(art) "," q(sp) "," q(ep) "," q(pc) "," q("") "," q(doi) "," q(link) "," q(dt) "," q("") "," q("") "," q("Scopus") "," q(eid)
}
function wosau(x,   fam, ini) {   # "Ahmed, A. O." -> "Ahmed, AO"
    fam = x; sub(/, .*/, "", fam); ini = x; sub(/^[^,]*, /, "", ini)
    gsub(/[. -]/, "", ini)
    return fam ", " toupper(ini)
}
function wos(   s, i, ne, ed) {
    s = "PT " (type == "JOUR" ? "J" : "B") NL
    for (i = 1; i <= na; i++) s = s (i == 1 ? "AU " : "   ") wosau(au[i]) NL
    if (eds != "") {
        ne = split(eds, ed, /; /)
        for (i = 1; i <= ne; i++) s = s (i == 1 ? "BE " : "   ") wosau(ed[i]) NL
    }
    for (i = 1; i <= na; i++) s = s (i == 1 ? "AF " : "   ") au[i] NL
    s = s "TI " title NL
    if (src != "") s = s "SO " toupper(src) NL
    if (pub != "") s = s "PU " pub NL
    if (type == "JOUR") s = s "DT " (isreview() ? "Review" : "Article") NL
    else if (type == "CHAP") s = s "DT Article; Book Chapter" NL
    else s = s "DT Book" NL
    s = s "PY " year NL
    if (vol != "") s = s "VL " vol NL
    if (iss != "") s = s "IS " iss NL
    if (sp != "") s = s "BP " sp NL
    if (ep != "") s = s "EP " ep NL
    if (art != "") s = s "AR " art NL
    if (doi != "") s = s "DI " toupper(doi) NL
    return s "ER" NL
}
' "$list" | sort -t '	' -k1,1 -k2,2 | awk -F '\t' -v out="$out" '
BEGIN {
    ris = out "/medline.ris"; csv = out "/scopus.csv"; wos = out "/wos.txt"
    bom = "\357\273\277"
    printf "%s", bom "\"Authors\",\"Title\",\"Year\",\"Source title\",\"Volume\",\"Issue\",\"Art. No.\",\"Page start\",\"Page end\",\"Page count\",\"Cited by\",\"DOI\",\"Link\",\"Document Type\",\"Publication Stage\",\"Open Access\",\"Source\",\"EID\"\n" > csv
    printf "%s", bom "FN Clarivate Analytics Web of Science\nVR 1.0\n" > wos
}
{
    text = $3; gsub(/\001/, "\n", text)
    if ($1 == "medline") printf "%s\n", text > ris
    else if ($1 == "scopus") printf "%s\n", text > csv
    else printf "%s\n", text > wos
}
END { printf "EF\n" > wos }
'
